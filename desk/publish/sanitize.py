"""Text hygiene shared by every exporter.

* ``clean_text``: NFC, newlines unified, bidi controls and stray control
  characters removed, lone surrogates replaced (they cannot be encoded as UTF-8
  and would crash a download).  Zero-width joiners (ZWJ/ZWNJ) are *kept*: they
  choose half forms in Devanagari and removing them changes the text.
* ``neutralize_formula``: spreadsheet formula injection, checked after leading
  spaces and invisible characters as well, because Excel and LibreOffice skip
  some of them before deciding that a cell is a formula.
* ``is_http_url``: the only links an export ever makes clickable.
* ``cut_point`` / ``truncate_text``: shorten on grapheme-cluster boundaries
  (a Devanagari conjunct or consonant + vowel sign is never split), preferring
  word boundaries, counting code points.
"""
from __future__ import annotations

import unicodedata
from typing import NamedTuple
from urllib.parse import urlsplit

import regex

ELLIPSIS = "…"

#: Explicit bidi embeddings/overrides/isolates and the implicit marks.  They can
#: reorder what a reader sees (e.g. make ``exe.txt`` look like ``txt.exe``), so
#: exports never carry them.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]  # LRE RLE PDF LRO RLO
    + [chr(c) for c in range(0x2066, 0x206A)]  # LRI RLI FSI PDI
    + ["\u200e", "\u200f", "\u061c"]  # LRM RLM ALM
)

_LINE_BREAKS = regex.compile("\r\n|[\r\u2028\u2029\u0085]")
_SURROGATE = regex.compile("[\ud800-\udfff]")
_BIDI = regex.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_CONTROLS = regex.compile(r"[^\P{Cc}\n\t]")  # every C0/C1 control except LF and TAB

#: First characters that make a spreadsheet treat a cell as a formula (OWASP's
#: list, plus the full-width and small forms some spreadsheets fold to ASCII).
#: LF is included because ``clean_text`` turns a leading CR into LF.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\u2212")


class Cleaned(NamedTuple):
    text: str
    bidi_removed: int
    controls_removed: int
    invalid_replaced: int


def clean_text(text: str) -> Cleaned:
    """Return ``text`` safe to export, with counts of what was removed or replaced."""
    text, invalid = _SURROGATE.subn("\ufffd", text)
    text = _LINE_BREAKS.sub("\n", text)
    text, bidi = _BIDI.subn("", text)
    text, controls = _CONTROLS.subn("", text)
    return Cleaned(unicodedata.normalize("NFC", text), bidi, controls, invalid)


def strip_bidi(text: str) -> str:
    """``text`` without bidi control characters."""
    return _BIDI.sub("", text)


def _skipped_before_formula(ch: str) -> bool:
    # Spaces of every kind and format characters (ZWSP, ZWJ, BOM, bidi marks,
    # soft hyphen...) are invisible, so a formula can hide behind them.
    return ch == " " or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cf")


def formula_risk(cell: str) -> bool:
    """True if a spreadsheet could read ``cell`` as a formula."""
    for ch in cell:
        if ch in FORMULA_TRIGGERS or unicodedata.category(ch) == "Cc":
            return True
        if not _skipped_before_formula(ch):
            return False
    return False


def neutralize_formula(cell: str) -> tuple[str, bool]:
    """Prefix a risky cell with ``'`` so spreadsheets show it as text.

    Returns the cell and whether it was changed.  The apostrophe is OWASP's
    recommendation; the original text follows it unchanged.
    """
    if formula_risk(cell):
        return "'" + cell, True
    return cell, False


_URL_FORBIDDEN = regex.compile(r"[\s<>\"'`\\^{}|\p{Cc}\p{Cf}]")


def is_http_url(url: str) -> bool:
    """True for an absolute ``http``/``https`` URL with a host and nothing that
    could break out of a link (spaces, quotes, angle brackets, backslashes,
    control or invisible characters)."""
    if not isinstance(url, str) or not url or len(url) > 2048 or _URL_FORBIDDEN.search(url):
        return False
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and port_ok


def graphemes(text: str) -> list[str]:
    """Extended grapheme clusters (Unicode's user-perceived characters)."""
    return regex.findall(r"\X", text)


def cut_point(text: str, budget: int) -> int:
    """The longest prefix length ``<= budget`` that ends on a cluster boundary.

    A boundary before whitespace (a word boundary) is preferred when it keeps
    at least half of the budget; otherwise the text is cut between clusters,
    so one very long word or URL does not swallow the whole allowance.
    """
    if len(text) <= budget:
        return len(text)
    last = word = 0
    for m in regex.finditer(r"\X", text):
        if m.end() > budget:
            if m.group().isspace():
                word = m.start()
            break
        last = m.end()
        if m.group().isspace():
            word = m.start()
    return word if word and word * 2 >= budget else last


_TRAILING_JUNK = " \t\n,;:(–—-"


def truncate_text(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> tuple[str, bool]:
    """Shorten ``text`` to at most ``limit`` code points, ending with ``ellipsis``.

    Returns the text and whether it was cut.  Never splits a grapheme cluster.
    """
    if len(text) <= limit:
        return text, False
    head = text[: cut_point(text, max(0, limit - len(ellipsis)))].rstrip(_TRAILING_JUNK)
    return head + ellipsis, True


_SCHEME = regex.compile(r"\b(h)tt(ps?)(?=://)", regex.IGNORECASE)
_WWW = regex.compile(r"\b(www)\.", regex.IGNORECASE)


def defang_urls(text: str) -> str:
    """Make web addresses in untrusted text unclickable: ``hxxps://``, ``www[.]``.

    Used for claim text in the WhatsApp message and the bulletin, where
    WhatsApp and GFM renderers would otherwise turn a hoax's link into a
    live one.  This is the fact-checkers' usual convention, so readers still
    see the address.
    """
    return _WWW.sub(r"\1[.]", _SCHEME.sub(r"\1xx\2", text))
