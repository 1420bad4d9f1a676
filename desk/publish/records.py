"""Bulk exports: CSV for spreadsheets, JSON for partners' systems.

CSV is UTF-8 with a BOM (so Excel shows Devanagari), CRLF line ends, and
every text cell that a spreadsheet could read as a formula is prefixed with
``'``, including cells that hide ``= + - @``, a tab or a CR behind spaces or
invisible characters.  JSON is UTF-8, one object with a ``rebuttals`` list.

Neither export carries private group names; appearances in JSON keep only
channel, public link and first-seen time.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

from desk.publish.clean import W_FORMULA, prepare_rows
from desk.publish.model import ExportRebuttal, ExportResult, ExportWarning
from desk.publish.sanitize import neutralize_formula
from desk.publish.verdicts import get_verdict

JSON_FORMAT = "fact-desk/rebuttals"
JSON_VERSION = 1

CSV_COLUMNS = (
    "id", "version", "status", "verdict", "verdict_label", "lang", "title", "claims",
    "full_text", "whatsapp_text", "translation_langs", "sources", "author", "reviewer",
    "approved_at", "published_at", "region_code", "region_name", "topics", "url",
)


def _csv_row(r: ExportRebuttal) -> dict[str, Any]:
    sources = [" – ".join(p for p in (s.title, s.url) if p) for s in r.sources]
    return {
        "id": r.id,
        "version": r.version_no,
        "status": r.status,
        "verdict": r.verdict,
        "verdict_label": get_verdict(r.verdict).label(r.lang),
        "lang": r.lang,
        "title": r.title,
        "claims": "\n".join(r.claim_texts),
        "full_text": r.full_text,
        "whatsapp_text": r.whatsapp_text,
        "translation_langs": ", ".join(sorted(r.translations)),
        "sources": "\n".join(sources),
        "author": r.author,
        "reviewer": r.reviewer,
        "approved_at": r.approved_at or "",
        "published_at": r.published_at or "",
        "region_code": r.region_code,
        "region_name": r.region_name,
        "topics": ", ".join(r.topics),
        "url": r.url,
    }


def to_csv(rows: Iterable[ExportRebuttal]) -> ExportResult[bytes]:
    """Rebuttals as CSV bytes (UTF-8 with BOM, CRLF), formula cells neutralised."""
    cleaned, warnings = prepare_rows(rows)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for r in cleaned:
        row = _csv_row(r)
        cells = []
        for column in CSV_COLUMNS:
            value = row[column]
            if isinstance(value, str):
                value, changed = neutralize_formula(value)
                if changed:
                    warnings.append(ExportWarning(
                        W_FORMULA, f"{column} of rebuttal {r.id} starts like a formula; prefixed with '",
                        r.id, column))
            cells.append(value)
        writer.writerow(cells)
    return ExportResult(buf.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", "csv", tuple(warnings))


def rebuttal_record(r: ExportRebuttal) -> dict[str, Any]:
    """One rebuttal as a JSON-ready dict (group names left out)."""
    verdict = get_verdict(r.verdict)
    return {
        "id": r.id,
        "version": r.version_no,
        "status": r.status,
        "verdict": r.verdict,
        "verdict_label": {"en": verdict.label_en, "hi": verdict.label_hi},
        "lang": r.lang,
        "title": r.title,
        "claims": list(r.claim_texts),
        "full_text": r.full_text,
        "whatsapp_text": r.whatsapp_text,
        "translations": {
            lang: {"full_text": t.full_text, "whatsapp_text": t.whatsapp_text}
            for lang, t in sorted(r.translations.items())
        },
        "sources": [
            {"url": s.url or None, "title": s.title, "publisher": s.publisher, "date": s.date or None}
            for s in r.sources
        ],
        "appearances": [
            {"channel": a.channel, "url": a.url or None, "first_seen": a.first_seen} for a in r.appearances
        ],
        "author": r.author,
        "reviewer": r.reviewer,
        "approved_at": r.approved_at,
        "published_at": r.published_at,
        "region": {"code": r.region_code, "name": r.region_name},
        "topics": list(r.topics),
        "url": r.url or None,
        "organisation": r.organisation,
    }


def to_json(rows: Iterable[ExportRebuttal], *, generated_at: str | None = None) -> ExportResult[bytes]:
    """Rebuttals as UTF-8 JSON: ``{"format", "version", "generated_at", "count", "rebuttals"}``.

    ``generated_at`` comes from the caller's clock, so the output is reproducible.
    """
    cleaned, warnings = prepare_rows(rows)
    doc = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "generated_at": generated_at,
        "count": len(cleaned),
        "rebuttals": [rebuttal_record(r) for r in cleaned],
    }
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    return ExportResult(text.encode("utf-8"), "application/json", "json", tuple(warnings))
