"""Normalisation for matching: a verbatim display text and a separate matching key.

``normalize(text)`` never alters the display text.  The key is built from the
NFC text with invisible and bidi controls removed, WhatsApp noise (forward
markers, URLs, masked phone numbers, emoji) lifted out into ``features``,
Devanagari digits turned into ASCII, Indian digit grouping removed
(5,00,000 -> 500000) and every word folded by :func:`index.translit.fold_word`,
so Devanagari Hindi, typed Hinglish and English loanwords share one Latin form.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from index.translit import fold_word

# Zero-width, joiners, bidi embeddings/overrides/isolates, BOM, soft hyphen,
# word joiner and invisible operators.  ZWJ/ZWNJ only change Devanagari
# rendering, so they leave the key as well.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufeff\ufe00-\ufe0f\U000e0000-\U000e007f]"
)
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_DEVA_DIGITS = str.maketrans({chr(0x0966 + i): str(i) for i in range(10)})
_URL = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|in|org|net|ly|co|info|xyz|me|io|gov\.in|nic\.in|online|site|link|app|page)"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
# Masked (98XXXXXX21, 0141-XXXXXXX) and plain Indian phone numbers.
_PHONE = re.compile(
    r"(?<![\w])(?:\+?91[\s-]?)?(?:0\d{2,4}[\s-]?)?[0-9]{0,4}[xX*]{3,}[0-9]{0,4}(?![\w])"
    r"|(?<![\w\d,.])(?:\+?91[\s-]?)?[6-9]\d{4}[\s-]?\d{5}(?![\w\d])"
)
_FORWARDED = re.compile(
    r"\bforward(?:ed)?\s+(?:as\s+received|many\s+times)\b|\bforwarded\b|\bfwd\b"
    r"|आगे\s+(?:भेजें|भेजो|भेजिए|फॉरवर्ड\s+करें)",
    re.IGNORECASE,
)
# Tweet attribution trailer: "— Name (@handle) March 3, 2016" (or "-" / "--").
_TWEET_TRAILER = re.compile(
    r"\s*(?:—|–|--)\s*[^—–\n]{0,80}\(@\w{0,30}(?:\)\s*(?:\w+\s+\d{1,2},?\s*\d{0,4})?)?\s*$"
    r"|\s+-\s*[^\n-]{0,80}\(@\w{1,30}\)\s*\w+\s+\d{1,2},\s*\d{4}\s*$")
_PIC_LINK = re.compile(r"pic\.twitter\.com/\w+", re.IGNORECASE)
# @handles and #hashtags: keep the words ("#PizzaVendingMachine" -> "Pizza Vending Machine").
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
_HASHTAG = re.compile(r"(?<![\w#])#(\w{1,60})")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]{0,200}>")
_NUMBER = re.compile(r"\d+(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_GROUPED = re.compile(r"\d+(?:,\d{2,3})+(?:\.\d+)?")
# A word: a run of Devanagari (letters and signs, not danda), or of other letters/digits.
_WORD = re.compile(r"\d+\.\d+|[\u0900-\u0963\u0966-\u097F\ua8e0-\ua8ff]+|[^\W_]+")

_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u2300-\u23FF"
    "\u203C\u2049\u2122\u2139\u3030\u303D\u3297-\u3299]"
)
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_LATIN_UPPER = re.compile(r"[A-Z]")

# Function words that tell typed Hinglish from English (folded forms).
_HINGLISH_MARKERS = frozenset(fold_word(w) for w in (
    "hai", "nahi", "ka", "ki", "ke", "ko", "se", "me", "kya", "ho", "gaya", "gayi", "raha",
    "rahi", "aur", "bhi", "toh", "ab", "kar", "karo", "wala", "wale", "wali", "hoga", "hogi",
    "milega", "milegi", "jayega", "sab", "sirf", "agar", "lekin", "par", "pe", "tak", "kal",
    "aaj", "abhi", "kuch", "koi", "ye", "vo", "hain", "tha", "thi", "diya", "liya", "kiya",
    "bol", "bola", "rahe", "ne", "jo", "log", "unka", "apna", "sach", "jaldi", "ghar", "saal",
    "mahina", "mahine", "din", "baad", "pehle", "sabhi", "dena", "lena", "jana", "aaya",
))
_ENGLISH_MARKERS = frozenset(fold_word(w) for w in (
    "the", "is", "are", "was", "were", "of", "to", "in", "and", "will", "for", "a", "an",
    "this", "that", "be", "with", "from", "has", "have", "it", "on", "by", "not", "who",
    "their", "they", "you", "your", "all", "can", "would", "should", "every", "any", "if",
    "there", "been", "at", "as", "or", "its", "which", "after", "before", "does", "do",
))


# Function words of either language, for display filters (not for the key).
STOPWORDS = _HINGLISH_MARKERS | _ENGLISH_MARKERS | frozenset(
    fold_word(w) for w in ("ke", "ki", "ka", "ko", "me", "se", "hai", "ye", "the", "is", "i"))


@dataclass(frozen=True)
class Normalized:
    """The result of :func:`normalize`.

    ``display`` is the input, unchanged.  ``key`` is the folded matching key
    (space-separated tokens).  ``lang`` is ``hi`` (Devanagari), ``hi-Latn``
    (romanised Hindi), ``en`` or ``mixed``; ``script`` is ``Deva``, ``Latn``,
    ``mixed`` or ``none``.  ``features`` hold what was lifted out of the key.
    """

    display: str
    key: str
    lang: str
    script: str
    features: dict = field(default_factory=dict)
    # Folded key tokens and, aligned with them, the words they came from.
    tokens: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    cleaned: str = ""  # display text without noise (what the dense model sees)


def clean_text(text: str) -> str:
    """NFC text without invisible/bidi controls, lone surrogates, HTML tags, URLs and phones.

    This is the text the dense model sees (noise it cannot use is gone, words stay).
    """
    t = unicodedata.normalize("NFC", text)
    t = _SURROGATE.sub("", t)
    t = _INVISIBLE.sub("", t)
    t = _TWEET_TRAILER.sub("", t)
    t = _HTML_TAG.sub(" ", t)
    t = _PIC_LINK.sub(" ", t)
    t = _URL.sub(" ", t)
    t = _HASHTAG.sub(lambda m: _CAMEL.sub(" ", m.group(1)), t)
    t = _HANDLE.sub(lambda m: _CAMEL.sub(" ", m.group(1)), t)
    t = _PHONE.sub(" ", t)
    t = _FORWARDED.sub(" ", t)
    t = _EMOJI.sub("", t)
    return re.sub(r"\s+", " ", t).strip()


def _number_token(m: re.Match[str]) -> str:
    return m.group(0).replace(",", "")


def words_of(cleaned: str) -> list[str]:
    """Words of an already cleaned text, digits ASCII and digit groups joined."""
    t = cleaned.translate(_DEVA_DIGITS)
    t = _GROUPED.sub(_number_token, t)
    return _WORD.findall(t)


_PIECES = re.compile(r"\d+(?:\.\d+)?|[^\d.]+")


def fold_pairs(words: list[str]) -> list[tuple[str, str]]:
    """(folded token, source word) pairs.

    Every token is either a number or letters: "10th", "25k", "5000rs" give a
    number token and a suffix token, which keeps the key stable when folded again.
    """
    out: list[tuple[str, str]] = []
    for w in words:
        if _NUMBER.fullmatch(w):
            out.append((w, w))
            continue
        f = fold_word(w) if not w[0].isdigit() else ""
        if f and not any(c.isdigit() for c in f):
            out.append((f, w))
            continue
        for piece in _PIECES.findall(w if w[0].isdigit() else f):
            if piece[0].isdigit():
                out.append((piece, w))
            else:
                pf = fold_word(piece)
                if pf:
                    for sub in _PIECES.findall(pf):
                        out.append((sub, w))
    return out


def fold_words(words: list[str]) -> list[str]:
    return [t for t, _ in fold_pairs(words)]


def detect_lang(words: list[str], folded: list[str]) -> tuple[str, str]:
    """(lang, script) from letter counts and Hinglish/English function words."""
    deva = latin = 0
    for w in words:
        for ch in w:
            if "\u0900" <= ch <= "\u097f":
                deva += 1
            elif ch.isascii() and ch.isalpha():
                latin += 1
    total = deva + latin
    if total == 0:
        return "mixed", "none"
    if deva / total >= 0.8:
        return "hi", "Deva"
    if latin / total >= 0.8:
        hing = sum(1 for f in folded if f in _HINGLISH_MARKERS)
        eng = sum(1 for f in folded if f in _ENGLISH_MARKERS)
        return ("hi-Latn" if hing > eng else "en"), "Latn"
    return "mixed", "mixed"


def normalize(text: str) -> Normalized:
    """Display text verbatim, plus the matching key, language, script and noise features."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() needs str, got {type(text).__name__}")
    nfc = unicodedata.normalize("NFC", text)
    urls = [u.rstrip(".,;:!?)\"'") for u in _URL.findall(_INVISIBLE.sub("", nfc))]
    phones = len(_PHONE.findall(nfc))
    emoji = len(_EMOJI.findall(nfc))
    latin = len(_LATIN_LETTER.findall(nfc))
    upper = len(_LATIN_UPPER.findall(nfc))
    cleaned = clean_text(text)
    pairs = fold_pairs(words_of(cleaned))
    folded = [t for t, _ in pairs]
    words = [w for _, w in pairs]
    lang, script = detect_lang(words, folded)
    features = {
        "forwarded": bool(_FORWARDED.search(nfc)),
        "urls": urls,
        "phones": phones,
        "emoji": emoji,
        "bidi_controls": len(_BIDI.findall(nfc)),
        "invisible": len(_INVISIBLE.findall(nfc)),
        "html": bool(_HTML_TAG.search(nfc)),
        "exclamations": nfc.count("!"),
        "caps_ratio": round(upper / latin, 3) if latin else 0.0,
    }
    return Normalized(
        display=text, key=" ".join(folded), lang=lang, script=script, features=features,
        tokens=tuple(folded), words=tuple(words), cleaned=cleaned,
    )
