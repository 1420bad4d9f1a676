"""Claim records: the fields a claim may carry, and their validation.

Used for every CSV/JSON row and for a single claim typed into the desk.  Text
is kept verbatim (only surrounding whitespace is trimmed): HTML, scripts and
markdown links are data here, made safe where they are shown or exported.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from urllib.parse import urlsplit

from desk.domain import Channel
from desk.errors import ValidationError
from desk.intake.dates import DateOrder, epoch_to_iso, parse_datetime_value
from desk.intake.limits import IntakeLimits
from desk.intake.regions import STATES
from desk.intake.senders import normalize_sender

FIELDS: tuple[str, ...] = ("text", "channel", "source_url", "source_group", "seen_at",
                           "region_code", "topic", "language", "sender")
LANGUAGES: tuple[str, ...] = ("hi", "hi-Latn", "en", "mixed")
MAX_URL_CHARS = 2048

Record = dict[str, str | None]

_LANGUAGE_ALIASES = {
    "hi": "hi", "hin": "hi", "hindi": "hi", "हिंदी": "hi", "हिन्दी": "hi", "hi-deva": "hi",
    "en": "en", "eng": "en", "english": "en", "अंग्रेजी": "en", "अंग्रेज़ी": "en", "इंग्लिश": "en",
    "hi-latn": "hi-Latn", "hinglish": "hi-Latn", "roman hindi": "hi-Latn", "हिंग्लिश": "hi-Latn",
    "mixed": "mixed", "code-mixed": "mixed", "codemixed": "mixed", "मिश्रित": "mixed",
}
# Spellings people use -> the desk's channel values (``desk.domain.Channel``).
_CHANNEL_ALIASES = {
    "wa": "whatsapp", "whats app": "whatsapp", "व्हाट्सएप": "whatsapp", "व्हाट्सऐप": "whatsapp",
    "fb": "facebook", "फेसबुक": "facebook", "twitter": "x", "ट्विटर": "x", "एक्स": "x",
    "yt": "youtube", "यूट्यूब": "youtube", "call": "phone", "phone call": "phone",
    "helpline": "phone", "फोन": "phone", "फ़ोन": "phone", "field": "field_report",
    "field report": "field_report", "ground report": "field_report", "फील्ड": "field_report",
}
CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)
# The syntax of the desk's region codes (UP, UP-LKO, UP-LKO-AC170...).
_REGION_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_TOPIC_SPLIT = re.compile(r"[,;|]")
_SPACES = re.compile(r"\s+")


def _key(value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value).replace("\u093c", "")).strip().casefold()


# State names and ISO codes (IN-UP) -> the two-letter code the desk's region tree uses.
_REGION_NAMES = {_key(name): iso[3:] for iso, names in STATES.items() for name in names}
_REGION_NAMES.update({_key(iso): iso[3:] for iso in STATES})
_REGION_NAMES.update({_key(iso[3:]): iso[3:] for iso in STATES})


@dataclass(frozen=True)
class RecordContext:
    """What the desk knows that records are checked against; every part optional.

    Attributes:
        region_codes: the codes of the desk's region tree; unknown codes
            become row errors with their line instead of failing later.
        topics: the desk's topic slugs, likewise.
        local_tz: the time zone of dates written without an offset (the
            desk's, e.g. ``IST``); they are then returned as UTC ``…Z``.
            ``None`` leaves them naive for the caller to place.
    """

    region_codes: Collection[str] | None = None
    topics: Collection[str] | None = None
    local_tz: tzinfo | None = None


@dataclass(frozen=True)
class RowError:
    """A problem with one row of a CSV/JSON file."""

    line: int
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def normalize_region(value: str, known: Collection[str] | None = None) -> str:
    """A region code of the desk's region tree.

    State names in English or Hindi and ISO codes become the two-letter state
    code (``Uttar Pradesh``, ``उत्तर प्रदेश``, ``IN-UP``, ``up`` → ``UP``); other
    code-shaped values (``UP-LKO-AC170``) pass as written.  With ``known``,
    the code must be one of them.  Raises ``ValueError`` otherwise.
    """
    code = _REGION_NAMES.get(_key(value))
    if code is None:
        code = value.strip()
        if not _REGION_CODE.fullmatch(code):
            raise ValueError(f"region_code {_show(value)} is not a region code (like UP or "
                             "UP-LKO) or the name of a state")
    if known is not None and code not in known:
        raise ValueError(f"region_code {_show(code)} is not a region of this desk")
    return code


def normalize_topics(value: str, known: Collection[str] | None = None) -> tuple[str, ...]:
    """Topic slugs from ``polling; EVM`` or ``polling,evm``: trimmed, lower-cased, deduplicated."""
    slugs = tuple(dict.fromkeys(t.strip().lower() for t in _TOPIC_SPLIT.split(value) if t.strip()))
    if known is not None:
        unknown = [t for t in slugs if t not in known]
        if unknown:
            raise ValueError(f"topic {_show(unknown[0])} is not a topic of this desk")
    return slugs


def normalize_language(value: str) -> str:
    """``Hindi``/``हिंदी`` → ``hi``, ``Hinglish`` → ``hi-Latn``…; ``ValueError`` otherwise."""
    code = _LANGUAGE_ALIASES.get(_key(value))
    if code is None:
        raise ValueError(f"language {_show(value)} is not one of {', '.join(LANGUAGES)}")
    return code


def normalize_channel(value: str) -> str:
    """One of ``CHANNELS``; common spellings folded (``WA`` → ``whatsapp``, ``Twitter`` → ``x``)."""
    key = _key(value).replace("-", "_")
    channel = _CHANNEL_ALIASES.get(key, key)
    if channel not in CHANNELS:
        raise ValueError(f"channel {_show(value)} is not one of {', '.join(CHANNELS)}")
    return channel


def normalize_url(value: str) -> str:
    """An http(s) link; a bare ``bit.ly/x`` gets ``https://``.  ``ValueError`` otherwise."""
    url = value.strip()
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"source_url is longer than {MAX_URL_CHARS} characters")
    if re.search(r"\s", url):
        raise ValueError("source_url contains spaces")
    if "://" not in url and re.match(r"^[\w-]+(?:\.[\w-]+)+(?:[/?#]|$)", url):
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"source_url {_show(url)} is not an http(s) link")
    return url


def validate_fields(raw: Mapping[str, object], *, limits: IntakeLimits,
                    date_order: DateOrder = "DMY", context: RecordContext | None = None
                    ) -> tuple[Record, bool, list[tuple[str, str]]]:
    """Validate one record given by our field names.

    Returns ``(record, sender_is_phone, problems)``: the record has every field
    of ``FIELDS`` (``None`` when missing or blank), and ``problems`` lists
    ``(field, message)``; the record is only usable when it is empty.
    ``topic`` holds comma-separated slugs (a JSON list of strings is accepted).
    """
    context = context or RecordContext()
    record: Record = dict.fromkeys(FIELDS)
    problems: list[tuple[str, str]] = []
    is_phone = False
    for name in FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        if name == "topic" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append((name, f"{name} must be text, not {type(value).__name__}"))
            continue
        if name == "seen_at" and isinstance(value, (int, float)):
            try:
                record[name] = epoch_to_iso(float(value))
            except (OverflowError, ValueError):
                problems.append((name, f"seen_at {value!r} is not a date"))
            continue
        text = str(value)
        if "\x00" in text:
            problems.append((name, f"{name} contains a NUL character"))
            continue
        if not text.strip():
            continue
        cap = limits.max_message_chars if name == "text" else limits.max_field_chars
        if len(text) > cap:
            problems.append((name, f"{name} is {len(text)} characters long; the limit is {cap}"))
            continue
        try:
            record[name], phone = _normalize(name, text, date_order, context)
        except (ValueError, OverflowError) as exc:
            problems.append((name, str(exc) if name != "seen_at" else
                             f"seen_at {_show(text)} is not a date (write 2026-11-22, "
                             "22/11/2026 or 22/11/2026 21:05)"))
            continue
        is_phone = is_phone or phone
    if record["text"] is None and not any(field == "text" for field, _ in problems):
        problems.insert(0, ("text", "text is empty"))
    return record, is_phone, problems


def _normalize(name: str, text: str, order: DateOrder,
               context: RecordContext) -> tuple[str, bool]:
    if name == "text":
        return text.strip(), False
    if name == "sender":
        return normalize_sender(text)
    if name == "seen_at":
        return parse_datetime_value(text, order, context.local_tz), False
    if name == "region_code":
        return normalize_region(text, context.region_codes), False
    if name == "topic":
        return ",".join(normalize_topics(text, context.topics)), False
    if name == "channel":
        return normalize_channel(text), False
    if name == "source_url":
        return normalize_url(text), False
    if name == "language":
        return normalize_language(text), False
    return _SPACES.sub(" ", text).strip(), False


def validate_claim(fields: Mapping[str, object], *, limits: IntakeLimits | None = None,
                   context: RecordContext | None = None) -> tuple[Record, bool]:
    """Validate a single claim typed into the desk.

    Returns ``(record, sender_is_phone)``.  Raises ``ValidationError`` naming
    every problem in one sentence; unknown field names are an error too.
    """
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValidationError(f"unknown claim field(s): {', '.join(unknown)}")
    record, is_phone, problems = validate_fields(fields, limits=limits or IntakeLimits(),
                                                 context=context)
    if problems:
        raise ValidationError("; ".join(message for _, message in problems))
    return record, is_phone


def _show(value: str) -> str:
    # Echo a short piece of the offending value, never a whole cell.
    return repr(value if len(value) <= 40 else value[:37] + "…")
