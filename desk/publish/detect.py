"""Detectors for suspicious text.  They flag; they never change the text.

* ``confusable_words``: Cyrillic or Greek letters posing as Latin (or hiding in
  Devanagari) words, the usual trick to dodge keyword filters and to spoof
  names and domains in forwards ("Mоdi" with a Cyrillic ``о``).
* ``has_markup``: HTML, script URLs or Markdown images in text.  Every exporter
  already renders such text literally; the flag lets a reviewer see that the
  claim was crafted.
"""
from __future__ import annotations

import regex

#: Cyrillic and Greek letters that are drawn like Latin ones in common fonts.
LOOKALIKES = frozenset(
    "аесорухіјѕԁԛԝһӏ"  # Cyrillic small
    "АВЕКМНОРСТХІЈЅУ"  # Cyrillic capital
    "οαινκρτυχ"  # Greek small
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"  # Greek capital
)

_WORD = regex.compile(r"[\p{L}\p{M}]+")
_SPOOF_SCRIPTS = ("Cyrillic", "Greek")
_HOST_SCRIPTS = ("Latin", "Devanagari")


_SCRIPT_RE = [(name, regex.compile(rf"\p{{Script={name}}}")) for name in _SPOOF_SCRIPTS + _HOST_SCRIPTS]
_LETTER = regex.compile(r"\p{L}")
_ANY_SPOOF = regex.compile(r"[\p{Script=Cyrillic}\p{Script=Greek}]")


def _script(ch: str) -> str:
    for name, pattern in _SCRIPT_RE:
        if pattern.match(ch):
            return name
    return "Other"


def _letter_scripts(word: str) -> set[str]:
    return {_script(ch) for ch in word if _LETTER.match(ch)}


def confusable_words(text: str) -> list[str]:
    """Words that mix Cyrillic/Greek with Latin/Devanagari letters, or that are
    made only of look-alike letters in a text otherwise written in Latin or
    Devanagari.  Unique, in order of appearance."""
    if not _ANY_SPOOF.search(text):  # the common case: nothing to look at
        return []
    words = _WORD.findall(text)
    scripts = [_letter_scripts(w) for w in words]
    host_words = sum(1 for s in scripts if s & set(_HOST_SCRIPTS) and not s & set(_SPOOF_SCRIPTS))
    spoof_words = sum(1 for s in scripts if s and s <= set(_SPOOF_SCRIPTS))
    # A genuinely Russian or Greek passage is not a spoof: only flag pure
    # look-alike words when the surrounding text is mostly Latin/Devanagari.
    mostly_host = host_words > spoof_words
    found: list[str] = []
    for word, s in zip(words, scripts):
        spoof = bool(s & set(_SPOOF_SCRIPTS))
        mixed = spoof and bool(s & set(_HOST_SCRIPTS))
        disguised = (
            spoof
            and mostly_host
            and s <= set(_SPOOF_SCRIPTS)
            and all(ch in LOOKALIKES for ch in word if _LETTER.match(ch))
        )
        if (mixed or disguised) and word not in found:
            found.append(word)
    return found


_MARKUP = regex.compile(
    r"<\s*/?\s*(?:script|img|iframe|svg|object|embed|style|link|meta|a|form|input|body|html|math|video|audio|source)\b"
    r"|\b(?:javascript|vbscript)\s*:"
    r"|\bdata\s*:\s*text/html"
    r"|<[^>\n]*\bon[a-z]{3,}\s*="
    r"|!\[[^\]\n]*\]\(",
    regex.IGNORECASE,
)


def has_markup(text: str) -> bool:
    """True if ``text`` contains HTML tags, script URLs, event handlers or Markdown images."""
    return bool(_MARKUP.search(text))
