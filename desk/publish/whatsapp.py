"""WhatsApp-ready text for one rebuttal.

Layout (Hindi labels for ``hi``, English otherwise)::

    *FACT CHECK: FALSE*
    _Claim: <the claim, one line>_

    <the short WhatsApp text, or the full text>

    *Sources:*
    • <title> – <http(s) link>      (one or two)

    — <organisation>
    Full fact check: <url>

Length is counted in code points (what ``len`` counts) and never exceeds
``max_chars``.  Text is shortened on word boundaries and never inside a
grapheme cluster, so a Devanagari conjunct or a consonant and its vowel sign
stay together; it ends with "…".

Formatting safety:

* Our markers sit only around whole lines, after complete clusters, and hug
  non-space characters as WhatsApp requires.
* Links inside the claim are defanged (``hxxps://``, ``www[.]``) so forwarding
  a rebuttal does not spread the hoax's link as a live one.
* Literal text (claims, titles, names, and ``full_text``) has ``* _ ~ ```
  replaced with look-alikes (∗ ＿ ∼ ˋ).  WhatsApp only reacts to the ASCII
  characters, so this is certain to stop accidental formatting, unlike
  zero-width tricks whose effect depends on the client version.
* ``whatsapp_text`` is written by the desk in WhatsApp style, so its
  formatting is kept; a marker placed inside a syllable (before a vowel sign,
  after a virama, next to a ZWJ/ZWNJ) would break the word's shaping and is
  removed with a warning.  When the text is cut inside a ``*bold*`` span the
  span is closed after the "…".
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

from desk.errors import ValidationError
from desk.publish.clean import W_FORMATTING, W_TRANSLATION, W_TRUNCATED, clean_rebuttal
from desk.publish.model import ExportRebuttal, ExportResult, ExportWarning, require_exportable
from desk.publish.sanitize import ELLIPSIS, cut_point, defang_urls, truncate_text
from desk.publish.verdicts import get_verdict, uses_hindi_labels

MIN_MAX_CHARS = 160
CLAIM_MAX_CHARS = 280
SOURCE_TITLE_MAX_CHARS = 80
MAX_LINKS = 2
MIN_BODY_CHARS = 120

MARKERS = "*_~"
_LITERAL = str.maketrans({"*": "\u2217", "_": "\uff3f", "~": "\u223c", "`": "\u02cb"})
_ZW_JOINERS = ("\u200c", "\u200d")
_JUNK = " \t\n,;:(–—-"
_EDGES = regex.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+|[\s\u200b\u200c\u200d\u2060\ufeff]+$")


@dataclass(frozen=True)
class _Labels:
    prefix: str
    claim: str
    sources: str
    more: str


_HI = _Labels("तथ्य जाँच", "दावा", "स्रोत", "पूरी जाँच")
_EN = _Labels("FACT CHECK", "Claim", "Sources", "Full fact check")


def escape_literal(text: str) -> str:
    """Replace WhatsApp's formatting characters with look-alikes that do not format."""
    return text.translate(_LITERAL)


def _inside_syllable(text: str, i: int) -> bool:
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if prev and (unicodedata.combining(prev) == 9 or prev in _ZW_JOINERS):  # after a virama
        return True
    return bool(nxt) and (unicodedata.category(nxt).startswith("M") or nxt in _ZW_JOINERS)


def repair_markers(text: str) -> tuple[str, int]:
    """Drop formatting markers that sit inside a syllable; return the text and how many."""
    # Repeat until stable: dropping one marker can bring another against a vowel
    # sign ("__ऀ" leaves "_ऀ").
    current = text
    while True:
        kept = "".join(ch for i, ch in enumerate(current)
                       if not (ch in MARKERS and _inside_syllable(current, i)))
        if kept == current:
            return kept, len(text) - len(kept)
        current = kept


def _span_pattern(marker: str) -> regex.Pattern:
    m = regex.escape(marker)
    # WhatsApp: the opener follows a non-word character, the closer precedes one,
    # both hug non-space text, and a span stays on one line.
    return regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}]){m}(?=\S)[^\n]+?(?<=\S){m}(?![\p{{L}}\p{{M}}\p{{N}}])")


_SPANS = [(m, _span_pattern(m)) for m in MARKERS]


def _spans(text: str) -> list[tuple[int, int, str]]:
    return sorted((s.start(), s.end(), m) for m, pattern in _SPANS for s in pattern.finditer(text))


def truncate_formatted(text: str, limit: int) -> tuple[str, bool]:
    """Like ``truncate_text`` but closes formatting spans that the cut leaves open."""
    if len(text) <= limit:
        return text, False
    if limit < len(ELLIPSIS):
        return "", True
    spans = _spans(text)
    budget = limit - len(ELLIPSIS)
    while True:
        head = text[: cut_point(text, max(0, budget))].rstrip(_JUNK)
        while True:
            open_spans = [s for s in spans if s[0] < len(head) < s[1]]
            # An opener with nothing after it would leave "*…*": drop it instead.
            dangling = [s for s in open_spans if s[0] == len(head) - 1]
            if not dangling:
                break
            head = head[:-1].rstrip(_JUNK)
        closers = "".join(m for _, _, m in sorted(open_spans, reverse=True))
        out = head + ELLIPSIS + closers
        if len(out) <= limit:
            return out, True
        budget -= len(out) - limit


def _one_line(text: str) -> str:
    # Zero-width characters at the ends would sit between our marker and the text.
    return _EDGES.sub("", " ".join(text.split()))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _pick_text(r: ExportRebuttal, lang: str | None, warnings: list[ExportWarning]) -> tuple[str, str, bool]:
    """The language used and the body, and whether the body is WhatsApp-formatted."""
    if lang and lang != r.lang:
        tr = r.translations.get(lang)
        if tr is not None:
            return lang, tr.whatsapp_text or tr.full_text, bool(tr.whatsapp_text.strip())
        warnings.append(ExportWarning(
            W_TRANSLATION, f"no {lang} translation of rebuttal {r.id}; the {r.lang} text was used", r.id, "lang"))
    return r.lang, r.whatsapp_text or r.full_text, bool(r.whatsapp_text.strip())


def _assemble(header: str, claim_line: str, body: str, sources: list[str], labels: _Labels, footer: str) -> str:
    top = header + ("\n" + claim_line if claim_line else "")
    source_block = "\n".join([f"*{labels.sources}:*", *sources]) if sources else ""
    return "\n\n".join(b for b in (top, body, source_block, footer) if b)


def whatsapp_text(r: ExportRebuttal, *, max_chars: int = 1000, lang: str | None = None,
                  preview: bool = False) -> ExportResult[str]:
    """Render ``r`` as a WhatsApp message of at most ``max_chars`` code points.

    ``lang`` picks a translation (falling back to the original text with a
    ``translation_missing`` warning).  ``preview=True`` allows drafts, for the
    editor's "how will it look" view; exports of drafts are refused otherwise.
    """
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < MIN_MAX_CHARS:
        raise ValidationError(f"max_chars must be an integer of at least {MIN_MAX_CHARS}, got {max_chars!r}")
    if not preview:
        require_exportable(r)
    clean, cleaned_warnings = clean_rebuttal(r)
    warnings = list(cleaned_warnings)
    text_lang, body, formatted = _pick_text(clean, lang, warnings)
    labels = _HI if uses_hindi_labels(text_lang) else _EN
    verdict = get_verdict(clean.verdict).label(text_lang)
    header = f"*{labels.prefix}: {verdict.upper() if labels is _EN else verdict}*"

    if formatted:
        body, removed = repair_markers(body)
        if removed:
            warnings.append(ExportWarning(
                W_FORMATTING, f"{removed} formatting mark(s) inside a syllable removed", r.id, "WhatsApp text"))
    else:
        body = escape_literal(body)
    body = _tidy(body)

    footer_lines = []
    if clean.organisation:
        footer_lines.append("— " + escape_literal(_one_line(clean.organisation)))
    if clean.url:
        footer_lines.append(f"{labels.more}: {clean.url}")
    footer = "\n".join(footer_lines)

    room = max_chars - len(_assemble(header, "", "x", [], labels, footer)) + 1
    if room < MIN_BODY_CHARS // 2:
        raise ValidationError(f"max_chars={max_chars} is too small for the verdict line and the link")

    claim_line = ""
    truncated = False
    if clean.claim_texts:
        claim = escape_literal(defang_urls(_one_line(clean.claim_texts[0]))) or "…"
        prefix = f"_{labels.claim}: "
        claim_room = min(CLAIM_MAX_CHARS, max(40, room // 3)) - len(prefix) - 1
        claim, cut = truncate_text(claim, claim_room)
        truncated |= cut
        claim_line = f"{prefix}{claim}_"

    sources = []
    for s in clean.sources:
        if s.url and len(sources) < MAX_LINKS:
            title = escape_literal(_one_line(s.title))
            title = truncate_text(title, SOURCE_TITLE_MAX_CHARS)[0]
            sources.append(f"• {title} – {s.url}" if title else f"• {s.url}")

    def body_room() -> int:
        return max_chars - len(_assemble(header, claim_line, "x", sources, labels, footer)) + 1

    # Links are worth more than the tail of the body, but not more than the body itself.
    while sources and body_room() < min(MIN_BODY_CHARS, len(body)):
        sources.pop()
    body, cut = truncate_formatted(body, body_room()) if formatted else truncate_text(body, body_room())
    truncated |= cut
    if truncated:
        warnings.append(ExportWarning(
            W_TRUNCATED, f"rebuttal {r.id} was shortened to {max_chars} characters for WhatsApp", r.id, None))

    message = _assemble(header, claim_line, body, sources, labels, footer)
    return ExportResult(message, "text/plain; charset=utf-8", "txt", tuple(warnings))
