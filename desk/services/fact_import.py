"""Verified facts from a file: CSV, JSON or JSON Lines, with their sources.

JSON / JSON Lines: one object per fact, as in ``data/demo/facts.jsonl``::

    {"statement": "...", "lang": "hi", "topic": "polling", "valid_until": null,
     "status": "active", "sources": [{"url": "https://...", "title": "...",
     "publisher": "...", "date": "2026-11-16"}]}

CSV: a header row with ``statement`` (required), ``lang``, ``topic``,
``valid_until``, ``status`` and one source per row in ``source_url``,
``source_title``, ``source_publisher``, ``source_date``.  Rows repeating a
statement add further sources to it.  Any problem fails the whole file with
its line number; nothing is half-imported.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Collection

from desk.domain import FactStatus, Source
from desk.errors import ImportFailed, ValidationError
from desk.intake import IntakeLimits, decode_text
from desk.intake.tabular_csv import read_csv
from desk.intake.tabular_json import read_json
from desk.services import validate
from desk.services.facts import NewFact, clean_sources

FORMATS = ("csv", "json", "jsonl")
_FACT_FIELDS = ("statement", "lang", "topic", "valid_until", "status", "sources")
_SOURCE_COLUMNS = {"source_url": "url", "source_title": "title",
                   "source_publisher": "publisher", "source_date": "date"}
_ALIASES = {"fact": "statement", "text": "statement", "language": "lang", "key": None}


@dataclass
class ParsedFact:
    line: int
    fact: NewFact
    sources: list[Source] = field(default_factory=list)


def fact_format(filename: str | None, fmt: str | None) -> str:
    """``csv``/``json``/``jsonl`` from ``fmt`` or the file name's extension."""
    if fmt:
        if fmt not in FORMATS:
            raise ValidationError(f"unknown format {fmt!r}; use csv, json or jsonl")
        return fmt
    suffix = (filename or "").rsplit(".", 1)[-1].lower()
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise ValidationError("cannot tell the format from the file name; say csv, json or jsonl")


def _statement_key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def parse_facts(data: bytes, *, fmt: str, limits: IntakeLimits,
                topics: Collection[str]) -> list[ParsedFact]:
    """Validated facts in file order; ``ImportFailed`` with the line for any problem."""
    text = decode_text(data, max_bytes=limits.max_upload_bytes,
                       hint="save it again as UTF-8")
    if not text.strip():
        raise ImportFailed("the file is empty")
    raw = read_csv(text, limits=limits) if fmt == "csv" else read_json(
        text, limits=limits, lines_format=fmt == "jsonl")
    if raw.errors:
        first = raw.errors[0]
        raise ImportFailed(first.message, line=first.line)
    by_statement: dict[str, ParsedFact] = {}
    for line, cells in raw.rows:
        if isinstance(cells, str):
            cells = {"statement": cells}
        try:
            fact, sources = _one(cells, topics)
        except ValidationError as exc:
            raise ImportFailed(str(exc), line=line, cause=exc) from None
        key = _statement_key(fact.statement)
        seen = by_statement.get(key)
        if seen is None:
            by_statement[key] = ParsedFact(line, fact, sources)
        else:
            seen.sources += [s for s in sources if s.url not in {x.url for x in seen.sources}]
    if not by_statement:
        raise ImportFailed("the file holds no facts")
    out = list(by_statement.values())
    for parsed in out:
        try:
            parsed.sources = clean_sources(parsed.sources)
        except ValidationError as exc:
            raise ImportFailed(str(exc), line=parsed.line, cause=exc) from None
        parsed.fact = dataclasses.replace(parsed.fact, sources=tuple(parsed.sources))
    return out


def _one(cells: dict[str, Any], topics: Collection[str]) -> tuple[NewFact, list[Source]]:
    values: dict[str, Any] = {}
    source: dict[str, Any] = {}
    for column, value in cells.items():
        name = str(column).strip().lower().replace(" ", "_").replace("-", "_")
        name = _ALIASES.get(name, name)
        if name is None:
            continue
        if name in _SOURCE_COLUMNS:
            source[_SOURCE_COLUMNS[name]] = value
        elif name in _FACT_FIELDS:
            values[name] = value
        else:
            raise ValidationError(f"unknown column {column!r}; facts have "
                                  f"{', '.join(_FACT_FIELDS)} and {', '.join(_SOURCE_COLUMNS)}")
    statement = validate.required_text(values.get("statement"), "statement")
    topic = validate.text(values.get("topic"), "topic", max_chars=100, required=False)
    if topic is not None:
        topic = topic.lower()
        if topic not in topics:
            raise ValidationError(f"topic {topic!r} is not a topic of this desk")
    status = validate.choice(FactStatus, values.get("status") or FactStatus.ACTIVE.value,
                             "status")
    sources = _sources(values.get("sources"))
    if any(v not in (None, "") for v in source.values()):
        sources.append(Source(url=str(source.get("url") or ""),
                              title=str(source.get("title") or ""),
                              publisher=str(source.get("publisher") or ""),
                              date=str(source["date"]) if source.get("date") else None))
    fact = NewFact(statement=statement,
                   lang=validate.text(values.get("lang"), "lang", max_chars=20, required=False),
                   topic=topic,
                   valid_until=validate.timestamp(values.get("valid_until"), "valid_until"),
                   status=status)
    return fact, sources


def _sources(value: Any) -> list[Source]:
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        raise ValidationError("sources must be a list of objects with url, title, publisher, date")
    out = []
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise ValidationError(f"source {n} must be an object with a url")
        unknown = set(item) - {"url", "title", "publisher", "date"}
        if unknown:
            raise ValidationError(f"source {n} has unknown keys: {', '.join(sorted(unknown))}")
        out.append(Source(url=str(item.get("url") or ""), title=str(item.get("title") or ""),
                          publisher=str(item.get("publisher") or ""),
                          date=str(item["date"]) if item.get("date") else None))
    return out
