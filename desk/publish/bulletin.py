"""A Markdown bulletin of rebuttals for one region and date range.

All text from people (claims, rebuttals, titles, names) is escaped so that it
renders as literal text in any CommonMark/GFM renderer: a claim such as
``[x](javascript:alert(1))``, ``<img onerror=…>`` or ``![](http://tracker)``
shows its characters and never becomes a link, an image or HTML.  The only
links are sources and the fact check's own URL, and only when they are http(s).

The caller (the publishing service) chooses the rows: region with its
descendants, the date range, permissions.  This module only renders them,
newest first.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

import regex

from desk.errors import ValidationError
from desk.publish.clean import W_TRANSLATION, prepare_rows
from desk.publish.model import ExportRebuttal, ExportResult, ExportWarning, parse_timestamp
from desk.publish.sanitize import defang_urls, is_http_url
from desk.publish.verdicts import get_verdict, uses_hindi_labels

_LABELS = {
    "en": {
        "title": "Fact-check bulletin", "count": "rebuttals", "claim": "Claim", "claims": "Claims",
        "verdict": "Verdict", "sources": "Sources", "read": "Read the full fact check",
        "published": "Published", "empty": "No approved rebuttals in this period.",
        "original": "Original text ({lang}); no translation yet.",
    },
    "hi": {
        "title": "तथ्य जाँच बुलेटिन", "count": "खंडन", "claim": "दावा", "claims": "दावे",
        "verdict": "निष्कर्ष", "sources": "स्रोत", "read": "पूरी जाँच पढ़ें",
        "published": "प्रकाशित", "empty": "इस अवधि में कोई स्वीकृत खंडन नहीं है।",
        "original": "मूल पाठ ({lang}); अनुवाद अभी उपलब्ध नहीं है।",
    },
}

# Parentheses stay unescaped for readability: with brackets escaped they cannot form a link.
_INLINE = regex.compile(r"([\\`*_{}\[\]<>#+!|~&])")
_LINE_START_MARK = regex.compile(r"^([-=])")
_LINE_START_NUMBER = regex.compile(r"^(\d{1,9})([.)])")
_URL_ESCAPES = {"(": "%28", ")": "%29"}


def escape_markdown(text: str) -> str:
    """Escape ``text`` so Markdown shows it literally, on one paragraph per blank line.

    Backslash-escapes every ASCII character that starts inline syntax (emphasis,
    code, links, images, HTML, entities, tables, strikethrough) and the block
    markers a line may start with (headings, quotes, lists, rules, setext
    underlines).  Leading spaces are dropped so nothing becomes a code block.
    """
    paragraphs = []
    for para in regex.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in para.split("\n"):
            line = _INLINE.sub(r"\\\1", " ".join(line.split()))
            line = _LINE_START_MARK.sub(r"\\\1", line)
            lines.append(_LINE_START_NUMBER.sub(r"\1\\\2", line))
        paragraphs.append("\\\n".join(line for line in lines if line))
    return "\n\n".join(p for p in paragraphs if p)


def _one_line(text: str) -> str:
    return escape_markdown(" ".join(text.split()))


def markdown_link(label: str, url: str) -> str:
    """``[label](<url>)`` for http(s) URLs; otherwise the escaped label alone."""
    if not is_http_url(url):
        return _one_line(label)
    safe = "".join(_URL_ESCAPES.get(ch, ch) for ch in url)
    return f"[{_one_line(label) or _one_line(url)}](<{safe}>)"


def _claim(text: str) -> str:
    return _one_line(defang_urls(text))


def _as_date(value: date | str, name: str) -> date:
    if isinstance(value, date):
        return value
    return parse_timestamp(value, name).date()


def _section(n: int, r: ExportRebuttal, lang: str, labels: dict, warnings: list[ExportWarning]) -> str:
    verdict = get_verdict(r.verdict).label(lang)
    body, note = r.full_text or r.whatsapp_text, ""
    if r.lang != lang:
        tr = r.translations.get(lang)
        if tr is not None:
            body = tr.full_text or tr.whatsapp_text
        else:
            note = labels["original"].format(lang=r.lang)
            warnings.append(ExportWarning(
                W_TRANSLATION, f"no {lang} translation of rebuttal {r.id}; the {r.lang} text was used", r.id, "lang"))
    shown = verdict if uses_hindi_labels(lang) else verdict.upper()
    heading = _one_line(r.title) if r.title else (_claim(r.claim_texts[0]) if r.claim_texts else "")
    out = [f"## {n}. {_one_line(shown)}" + (f": {heading}" if heading else "")]
    if len(r.claim_texts) == 1:
        out.append(f"**{labels['claim']}:** {_claim(r.claim_texts[0])}")
    elif r.claim_texts:
        out.append(f"**{labels['claims']}:**\n\n" + "\n".join(f"- {_claim(c)}" for c in r.claim_texts))
    out.append(f"**{labels['verdict']}:** {_one_line(verdict)}")
    if note:
        out.append(f"*{_one_line(note)}*")
    out.append(escape_markdown(body))
    if r.sources:
        items = []
        for s in r.sources:
            link = markdown_link(s.title or s.url, s.url) if s.url else _one_line(s.title)
            extra = ", ".join(_one_line(p) for p in (s.publisher, s.date) if p)
            items.append(f"- {link}" + (f" ({extra})" if extra else ""))
        out.append(f"**{labels['sources']}:**\n\n" + "\n".join(items))
    footer = []
    if r.url:
        footer.append(markdown_link(labels["read"], r.url))
    if r.exported_at:
        footer.append(f"{labels['published']} {parse_timestamp(r.exported_at).date().isoformat()}")
    if footer:
        out.append(" · ".join(footer))
    return "\n\n".join(out)


def _newest_first(r: ExportRebuttal) -> tuple:
    # Rows without a date (should not happen for approved rows) go last.
    if not r.exported_at:
        return (1, 0.0, r.id)
    return (0, -parse_timestamp(r.exported_at).timestamp(), r.id)


def bulletin_markdown(rows: Iterable[ExportRebuttal], *, region: str, start: date | str, end: date | str,
                      lang: str = "en") -> ExportResult[str]:
    """A Markdown bulletin: a heading for ``region`` and the date range, then one
    section per rebuttal (newest first) with verdict, claims, text and sources.

    ``lang`` chooses the labels (Hindi for ``hi``) and the translation shown
    when a rebuttal has one; otherwise the original text is shown with a note
    and a ``translation_missing`` warning.
    """
    start_d, end_d = _as_date(start, "start"), _as_date(end, "end")
    if start_d > end_d:
        raise ValidationError(f"the bulletin starts ({start_d}) after it ends ({end_d})")
    cleaned, warnings = prepare_rows(rows)
    labels = _LABELS["hi" if uses_hindi_labels(lang) else "en"]
    cleaned.sort(key=_newest_first)
    region_text = _one_line(region) if region else ""
    parts = [
        f"# {labels['title']}" + (f": {region_text}" if region_text else ""),
        f"**{start_d.isoformat()} – {end_d.isoformat()}** · {len(cleaned)} {labels['count']}",
    ]
    if not cleaned:
        parts.append(f"*{labels['empty']}*")
    for n, r in enumerate(cleaned, 1):
        parts.append("---")
        parts.append(_section(n, r, lang, labels, warnings))
    return ExportResult("\n\n".join(parts) + "\n", "text/markdown; charset=utf-8", "md", tuple(warnings))
