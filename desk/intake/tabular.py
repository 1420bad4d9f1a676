"""Bulk claims from CSV or JSON with a column mapping: every row validated, errors by line."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from desk.errors import ImportFailed
from desk.intake.columns import resolve_mapping
from desk.intake.dates import DateOrder, decide_order, parse_numeric_date
from desk.intake.decoding import decode_text
from desk.intake.limits import IntakeLimits
from desk.intake.records import Record, RecordContext, RowError, validate_fields
from desk.intake.tabular_csv import read_csv
from desk.intake.tabular_json import read_json
from desk.intake.tabular_raw import RawTable

TabularFormat = Literal["csv", "json", "jsonl"]
_UTF8_HINT = "save it again as UTF-8 (in Excel: Save As, 'CSV UTF-8')"


@dataclass(frozen=True)
class TabularRow:
    """One valid row: its line in the file and its fields by our names.

    ``record`` has every field of ``records.FIELDS`` (``None`` when absent):
    text verbatim (trimmed); ``channel`` one of ``records.CHANNELS``;
    ``seen_at`` ISO-8601, UTC ``…Z`` when the file gave an offset or the
    context a time zone, naive local time otherwise; ``region_code`` a code
    of the region tree (state names become ``UP``, ``RJ``…); ``topic``
    comma-separated lower-case slugs; ``language`` in ``hi | hi-Latn | en |
    mixed``; phone-number senders as ``+`` and digits (flagged by
    ``sender_is_phone``; hash before storing).
    """

    line: int
    record: Record
    sender_is_phone: bool = False

    @property
    def topics(self) -> tuple[str, ...]:
        """The topic slugs, as ``NewClaim.topics`` wants them."""
        topic = self.record.get("topic")
        return tuple(topic.split(",")) if topic else ()


@dataclass
class TabularResult:
    """Valid rows and row errors; the caller decides whether errors block the import."""

    rows: list[TabularRow]
    errors: list[RowError]
    mapping: dict[str, str]
    columns: list[str]
    format: TabularFormat
    skipped_blank: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every non-blank row is valid."""
        return not self.errors

    @property
    def unmapped_columns(self) -> list[str]:
        """File columns that feed no field (shown so the user can map them)."""
        used = set(self.mapping.values())
        return [c for c in self.columns if c not in used]


def read_tabular(data: bytes, *, fmt: TabularFormat,
                 mapping: Mapping[str, str | None] | None = None,
                 limits: IntakeLimits | None = None,
                 context: RecordContext | None = None) -> TabularResult:
    """Read claims from a CSV, JSON or JSON Lines upload.

    Args:
        data: the uploaded bytes (strict UTF-8, a BOM is fine).
        fmt: ``csv`` (header row; comma, semicolon, tab or pipe), ``json``
            (an array of objects, ``{"claims": [...]}``, one object, or JSON
            Lines) or ``jsonl``.
        mapping: ``{our field: column or JSON key}``; fields left out are
            auto-detected from English/Hindi header names, ``None`` excludes one.
        limits: size caps; defaults to ``IntakeLimits()``.
        context: the desk's region codes, topic slugs and time zone, so that
            rows naming unknown ones are row errors with their line.

    Raises:
        ImportFailed: for problems with the file as a whole (encoding, size,
            malformed CSV quoting or JSON, nesting, too many rows, a bad
            mapping, no text column).  Problems with single rows are returned
            in ``errors`` with their line numbers instead.
    """
    limits = limits or IntakeLimits()
    if fmt not in ("csv", "json", "jsonl"):
        raise ImportFailed(f"unknown format {fmt!r}; use csv, json or jsonl")
    text = decode_text(data, max_bytes=limits.max_upload_bytes, hint=_UTF8_HINT)
    if not text.strip():
        raise ImportFailed("the file is empty")
    if fmt == "csv":
        raw = read_csv(text, limits=limits)
    else:
        raw = read_json(text, limits=limits, lines_format=fmt == "jsonl")
    if not raw.rows and not raw.errors:
        raise ImportFailed("the file holds no claims, only a header or empty records")
    bare_texts = any(isinstance(cells, str) for _, cells in raw.rows)
    resolved = resolve_mapping(raw.columns, mapping, require_text=not bare_texts)
    return _validate(raw, resolved, limits, context)


def _validate(raw: RawTable, mapping: dict[str, str], limits: IntakeLimits,
              context: RecordContext | None) -> TabularResult:
    result = TabularResult(rows=[], errors=list(raw.errors), mapping=mapping,
                           columns=raw.columns, format=raw.fmt,  # type: ignore[arg-type]
                           skipped_blank=raw.skipped_blank, warnings=list(raw.warnings))
    order = _date_order(raw, mapping.get("seen_at"), result.warnings)
    unmapped = [c for c in raw.columns if c not in set(mapping.values())]
    # Unused columns are still capped: a huge cell anywhere means a broken file.
    cap = max(limits.max_message_chars, limits.max_field_chars)
    for line, cells in raw.rows:
        if isinstance(cells, str):
            values: dict[str, object] = {"text": cells}
        else:
            values = {ours: cells.get(theirs) for ours, theirs in mapping.items()}
            huge = _oversized(cells, unmapped, cap)
            if huge is not None:
                column, size = huge
                result.errors.append(RowError(line, f"column {column!r} is {size} characters "
                                                    f"long; the limit is {cap}"))
                continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            result.skipped_blank += 1
            continue
        record, is_phone, problems = validate_fields(values, limits=limits, date_order=order,
                                                     context=context)
        if problems:
            result.errors.extend(RowError(line, message, name) for name, message in problems)
        else:
            result.rows.append(TabularRow(line, record, is_phone))
    result.errors.sort(key=lambda e: e.line)
    return result


def _oversized(cells: dict[str, object], columns: list[str], cap: int) -> tuple[str, int] | None:
    for column in columns:
        value = cells.get(column)
        if isinstance(value, str) and len(value) > cap:
            return column, len(value)
    return None


def _date_order(raw: RawTable, column: str | None, warnings: list[str]) -> DateOrder:
    if column is None:
        return "DMY"
    triples, lines = [], []
    for line, cells in raw.rows:
        value = cells.get(column) if isinstance(cells, dict) else None
        parsed = parse_numeric_date(value) if isinstance(value, str) else None
        if parsed is not None and parsed[0][0] < 1000:
            triples.append(parsed[0])
            lines.append(line)
    decision = decide_order(triples, lines)
    if decision.assumed and triples and decision.note:
        warnings.append(f"Dates in {column!r}: {decision.note}.")
    return decision.order
