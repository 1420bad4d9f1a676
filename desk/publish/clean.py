"""Clean a whole rebuttal before export, and say what was changed or noticed.

Every exporter starts with ``clean_rebuttal``, so all formats carry the same
text: NFC, no bidi controls, no stray control characters, only http(s) links.
The warnings let the UI flag a rebuttal (a claim with a bidi override or a
Cyrillic look-alike was probably crafted) instead of changing it silently.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable
from urllib.parse import urlsplit

from desk.publish.detect import confusable_words, has_markup
from desk.publish.model import (
    Appearance,
    ExportRebuttal,
    ExportWarning,
    Source,
    Translation,
    require_exportable,
)
from desk.publish.sanitize import clean_text, is_http_url

W_BIDI = "bidi_stripped"
W_CONTROL = "control_stripped"
W_INVALID = "invalid_char_replaced"
W_CONFUSABLE = "confusable_script"
W_MARKUP = "markup_in_text"
W_LINK = "unsafe_link_dropped"
W_TRUNCATED = "truncated"
W_FORMULA = "formula_neutralized"
W_TRANSLATION = "translation_missing"
W_FORMATTING = "formatting_removed"

#: Every warning code an exporter can return, with what the UI should say.
WARNING_CODES = {
    W_BIDI: "bidi control characters were removed (they can disguise text)",
    W_CONTROL: "invisible control characters were removed",
    W_INVALID: "invalid characters were replaced with U+FFFD",
    W_CONFUSABLE: "Cyrillic/Greek look-alike letters found (left as they are)",
    W_MARKUP: "HTML, script or image markup found (exported as literal text)",
    W_LINK: "a link that is not http(s) was dropped",
    W_TRUNCATED: "text was shortened to fit",
    W_FORMULA: "spreadsheet formula characters were neutralised",
    W_TRANSLATION: "no translation in the requested language; the original text was used",
    W_FORMATTING: "a WhatsApp formatting mark inside a syllable was removed",
}


class _Cleaner:
    def __init__(self, rebuttal_id: int):
        self.rebuttal_id = rebuttal_id
        self.warnings: list[ExportWarning] = []

    def warn(self, code: str, message: str, where: str) -> None:
        self.warnings.append(ExportWarning(code, message, self.rebuttal_id, where))

    def text(self, value: str, where: str, *, scan: bool = False) -> str:
        cleaned = clean_text(value)
        if cleaned.bidi_removed:
            self.warn(W_BIDI, f"{cleaned.bidi_removed} bidi control character(s) removed from {where}", where)
        if cleaned.controls_removed:
            self.warn(W_CONTROL, f"{cleaned.controls_removed} control character(s) removed from {where}", where)
        if cleaned.invalid_replaced:
            self.warn(W_INVALID, f"{cleaned.invalid_replaced} invalid character(s) replaced in {where}", where)
        if scan:
            self.scan(cleaned.text, where)
        return cleaned.text

    def scan(self, text: str, where: str) -> None:
        words = confusable_words(text)
        if words:
            shown = ", ".join(words[:5])
            self.warn(W_CONFUSABLE, f"look-alike Cyrillic/Greek letters in {where}: {shown}", where)
        if has_markup(text):
            self.warn(W_MARKUP, f"HTML/script markup in {where} is exported as literal text", where)

    def url(self, value: str, where: str) -> str:
        url = self.text(value, where)
        if not url:
            return ""
        if not is_http_url(url):
            self.warn(W_LINK, f"{where} is not an http(s) link and was dropped", where)
            return ""
        host = urlsplit(url).hostname or ""
        if confusable_words(host):
            self.warn(W_CONFUSABLE, f"look-alike letters in the address in {where}: {host}", where)
        return url


def clean_rebuttal(r: ExportRebuttal) -> tuple[ExportRebuttal, tuple[ExportWarning, ...]]:
    """Return a cleaned copy of ``r`` and the warnings describing the changes."""
    c = _Cleaner(r.id)
    changes: dict = {
        "claim_texts": tuple(c.text(t, f"claim {i + 1}", scan=True) for i, t in enumerate(r.claim_texts)),
        "title": c.text(r.title, "title", scan=True),
        "full_text": c.text(r.full_text, "full text", scan=True),
        "whatsapp_text": c.text(r.whatsapp_text, "WhatsApp text", scan=True),
        "author": c.text(r.author, "author"),
        "reviewer": c.text(r.reviewer, "reviewer"),
        "region_code": c.text(r.region_code, "region code"),
        "region_name": c.text(r.region_name, "region name"),
        "organisation": c.text(r.organisation, "organisation"),
        "topics": tuple(c.text(t, "topic") for t in r.topics),
        "url": c.url(r.url, "url"),
        "organisation_url": c.url(r.organisation_url, "organisation url"),
    }
    changes["translations"] = {
        c.text(lang, "translation language"): Translation(
            full_text=c.text(tr.full_text, f"{lang} full text", scan=True),
            whatsapp_text=c.text(tr.whatsapp_text, f"{lang} WhatsApp text", scan=True),
        )
        for lang, tr in r.translations.items()
    }
    sources = []
    for i, s in enumerate(r.sources):
        where = f"source {i + 1}"
        title = c.text(s.title, f"{where} title", scan=True)
        url = c.url(s.url, f"{where} link")
        if url or title:
            sources.append(Source(url=url, title=title, publisher=c.text(s.publisher, f"{where} publisher"),
                                  date=c.text(s.date, f"{where} date")))
    changes["sources"] = tuple(sources)
    changes["appearances"] = tuple(
        Appearance(channel=c.text(a.channel, f"appearance {i + 1} channel"),
                   url=c.url(a.url, f"appearance {i + 1} link"),
                   group=c.text(a.group, f"appearance {i + 1} group"),
                   first_seen=a.first_seen)
        for i, a in enumerate(r.appearances)
    )
    return replace(r, **changes), tuple(c.warnings)


def scan_rebuttal(r: ExportRebuttal) -> tuple[ExportWarning, ...]:
    """The warnings an export of ``r`` would carry, without exporting (for review pages)."""
    return clean_rebuttal(r)[1]


def prepare_rows(rows: Iterable[ExportRebuttal]) -> tuple[list[ExportRebuttal], list[ExportWarning]]:
    """Check that every row may be exported (before doing any work), then clean them all."""
    rows = list(rows)
    for r in rows:
        require_exportable(r)
    cleaned: list[ExportRebuttal] = []
    warnings: list[ExportWarning] = []
    for r in rows:
        clean, w = clean_rebuttal(r)
        cleaned.append(clean)
        warnings.extend(w)
    return cleaned, warnings
