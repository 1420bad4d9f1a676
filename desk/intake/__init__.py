"""Pure intake parsers: uploaded bytes in, validated records and a report out.

No SQL, no Streamlit, no FAISS.  The intake service stores what these return
in one transaction, deduplicates and matches; it decides whether row errors
block an import.  Every whole-file problem raises
``desk.errors.ImportFailed(message, line=N)`` (a ``ValidationError``) with one
clear sentence; nothing here writes anywhere.

Limits (``IntakeLimits``; ``IntakeLimits.from_settings(settings)`` takes the
upload size and claim length from ``desk.config.Settings``)::

    IntakeLimits(max_upload_bytes=50_000_000, max_message_chars=20_000,
                 max_messages=200_000, max_rows=100_000, max_field_chars=2_000,
                 max_json_depth=32, max_zip_members=10_000)

Decoding::

    decode_text(data: bytes, *, max_bytes: int, hint: str = ...) -> str
        # strict UTF-8, BOM dropped; UTF-16/32, NUL bytes, zip bytes and
        # invalid bytes refused: "line 12: not valid UTF-8 (byte 0x92); ..."

WhatsApp exports (``.txt``, or a ``.zip`` holding one)::

    export = parse_whatsapp(data: bytes | str, *, filename: str | None = None,
                            limits: IntakeLimits | None = None) -> WhatsAppExport
    export.messages      # list[ChatMessage] in file order
    export.format        # ExportFormat(platform "android"|"ios", clock 12|24,
                         #   date_order "DMY"|"MDY"|"YMD", date_order_assumed, seconds)
    export.group_name    # from "WhatsApp Chat with <group>.txt", iOS event lines
                         #   or the last subject change; None if unknown
    export.source_name, export.line_count, export.warnings (list[str])

    ChatMessage(timestamp: datetime (naive, phone's local time), sender: str | None,
                sender_is_phone: bool, text: str, line_no: int, end_line: int,
                kind: "message"|"media"|"system"|"deleted", flags: tuple[str, ...],
                attachment: str | None, caption: str | None)
    msg.iso      # "2026-11-22T21:05:00"
    msg.content  # caption for media, text otherwise: what may hold a claim

  Phone-number senders come as ``+919876543210`` with ``sender_is_phone``:
  hash them before storing (``normalize_sender(raw) -> (sender, is_phone)``
  gives the same form for senders typed elsewhere).  System events carry no sender and their phone
  numbers are masked.  ``extract_chat_txt(data, *, limits) -> ChatFile(name,
  data)`` is the zip step on its own.

Per-message keys (idempotent re-import of overlapping exports)::

    message_key(group: str | None, timestamp: datetime | str, sender: str | None,
                text: str) -> str   # 32 hex digits; NFC, whitespace-normalised,
                                    # timestamp cut to the minute

Check-worthiness::

    assess(text: str) -> CheckWorthiness(score: float 0..1, is_claim: bool,
                                         reason: "empty"|"too_short"|"chatter"|None,
                                         signals: list[str])
    classify_messages(export, *, group: str | None = None, assessor=assess)
        -> Classification(candidates: list[CandidateClaim],
                          skipped: dict[reason, int],   # system, media, deleted,
                                                        # chatter, too_short, empty, too_long
                          skipped_lines: dict[reason, list[int]], group_name)
    CandidateClaim(message: ChatMessage, text: str, assessment: CheckWorthiness, key: str)

  ``SIGNAL_WEIGHTS`` and ``CLAIM_THRESHOLD`` in ``checkworthiness`` and the
  word lists in ``lexicon`` say exactly how a score is made.

CSV / JSON with column mapping::

    read_tabular(data: bytes, *, fmt: "csv"|"json"|"jsonl",
                 mapping: Mapping[str, str | None] | None = None,
                 limits: IntakeLimits | None = None,
                 context: RecordContext | None = None) -> TabularResult
    TabularResult(rows: list[TabularRow], errors: list[RowError],
                  mapping: dict[field, column], columns: list[str], format,
                  skipped_blank: int, warnings: list[str]); .ok; .unmapped_columns
    TabularRow(line: int, record: dict[field, str | None], sender_is_phone: bool); .topics
    RowError(line: int, message: str, field: str | None); str(e) == "line 7: ..."
    detect_mapping(columns) -> dict[field, column]   # English/Hindi header names
    RecordContext(region_codes=None, topics=None, local_tz=None)
        # the desk's region codes and topic slugs (unknown ones become row
        # errors with their line) and time zone (naive dates -> UTC "...Z")

  Fields (``FIELDS``): text, channel, source_url, source_group, seen_at,
  region_code, topic, language, sender.  Values: ``channel`` one of
  ``CHANNELS`` (``desk.domain.Channel``; "WA", "Twitter"... folded);
  ``region_code`` as in the region tree (state names and ISO codes become
  ``UP``, ``RJ``...); ``topic`` comma-separated slugs; ``seen_at`` ISO-8601;
  ``language`` hi | hi-Latn | en | mixed; ``source_url`` http(s) only.

A single claim typed into the desk::

    validate_claim(fields: Mapping[str, object], *, limits=None, context=None)
        -> (record: dict[field, str | None], sender_is_phone: bool)
        # raises ValidationError naming every problem

Times: WhatsApp timestamps are the phone's local time, naive;
``local_to_utc_iso(when, tz=IST) -> "2026-11-22T15:35:00Z"`` gives the
desk's stored form.

Text is never "cleaned": HTML, scripts and ``javascript:`` links inside claim
text are data and are kept verbatim (only ``source_url`` must be http(s)).
"""
from desk.intake.archive import ChatFile, extract_chat_txt
from desk.intake.checkworthiness import CLAIM_THRESHOLD, SIGNAL_WEIGHTS, CheckWorthiness, assess
from desk.intake.classify import SKIP_REASONS, CandidateClaim, Classification, classify_messages
from desk.intake.columns import detect_mapping
from desk.intake.decoding import decode_text
from desk.intake.fingerprint import message_key
from desk.intake.limits import IntakeLimits
from desk.intake.dates import IST, local_to_utc_iso
from desk.intake.records import CHANNELS, FIELDS, RecordContext, RowError, validate_claim
from desk.intake.senders import normalize_sender
from desk.intake.tabular import TabularResult, TabularRow, read_tabular
from desk.intake.whatsapp import ChatMessage, ExportFormat, WhatsAppExport, parse_whatsapp

__all__ = [
    "CHANNELS",
    "CLAIM_THRESHOLD",
    "FIELDS",
    "IST",
    "SIGNAL_WEIGHTS",
    "SKIP_REASONS",
    "CandidateClaim",
    "ChatFile",
    "ChatMessage",
    "CheckWorthiness",
    "Classification",
    "ExportFormat",
    "IntakeLimits",
    "RecordContext",
    "RowError",
    "TabularResult",
    "TabularRow",
    "WhatsAppExport",
    "assess",
    "classify_messages",
    "decode_text",
    "detect_mapping",
    "extract_chat_txt",
    "local_to_utc_iso",
    "message_key",
    "normalize_sender",
    "parse_whatsapp",
    "read_tabular",
    "validate_claim",
]
