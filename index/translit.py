"""Devanagari -> simple Latin transliteration and one phonetic fold for Latin tokens.

Devanagari Hindi and casually romanised Hindi ("Hinglish") must meet in one
form.  ``deva_to_latin`` writes a Devanagari word the way people type it on a
phone (inherent vowel dropped at the end of a word and between a ``VC`` and a
``CV``: सरकार -> sarkaar, कमला -> kamlaa, राशन -> raashan).  ``fold_latin``
then maps every Latin token, whether it came from Devanagari, typed Hinglish
or English, to one loose phonetic key: long vowels and doubled letters
collapse, aspirates lose their ``h``, ``w/v``, ``z/j``, ``ph/f``, ``c/k`` and
``sh/s`` merge, ``-tion`` becomes ``-san``.  So card/कार्ड -> kard,
rashan/राशन -> rasan, jayega/जाएगा -> jaega, pension/पेंशन -> pensan.

The fold is deliberately lossy: it serves recall.  Specifics (numbers, places,
dates) and the dense model decide between near misses.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Consonants without their inherent vowel.  Nukta forms are listed both as
# precomposed code points and as base + nukta (handled by NFC + table below).
_CONS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
    "ळ": "l", "ऱ": "r", "ऴ": "l", "ऩ": "n",
    "क़": "k", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "d", "ढ़": "dh", "फ़": "f", "य़": "y",
}
# Consonant + nukta (U+093C) written as two code points.
_NUKTA_FORMS = {"क": "k", "ख": "kh", "ग": "g", "ज": "z", "ड": "d", "ढ": "dh", "फ": "f", "य": "y"}
_INDEP = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ii", "उ": "u", "ऊ": "uu", "ऋ": "ri", "ॠ": "ri",
    "ऌ": "li", "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e", "ऎ": "e", "ऒ": "o",
}
_MATRA = {
    "ा": "aa", "ि": "i", "ी": "ii", "ु": "u", "ू": "uu", "ृ": "ri", "ॄ": "ri", "े": "e",
    "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o", "ॅ": "e", "ॆ": "e", "ॊ": "o", "ॢ": "li",
}
_VIRAMA = "्"
_NUKTA = "़"
_NASAL = {"ं", "ँ"}
_VISARGA = "ः"
_DIGITS = {chr(0x0966 + i): str(i) for i in range(10)}

# Typed Hinglish short forms and spelling variants, mapped before the fold.
# Only function words and very common chat spellings: content words are left
# to the general phonetic rules.
SHORT_FORMS: dict[str, str] = {
    "nhi": "nahi", "nahin": "nahi", "nahee": "nahi", "nahii": "nahi", "ni": "nahi",
    "nahiin": "nahi", "nahi": "nahi",
    "h": "hai", "hai": "hai", "hain": "hai", "he": "hai", "hei": "hai", "hay": "hai", "hy": "hai",
    "kr": "kar", "kro": "karo", "kro": "karo", "krna": "karna", "krne": "karne", "krke": "karke",
    "krdo": "kardo", "kri": "kari", "kre": "kare", "krenge": "karenge", "krta": "karta",
    "krti": "karti", "krte": "karte", "kiya": "kiya", "kia": "kiya", "kiye": "kiye", "kie": "kiye",
    "diya": "diya", "dia": "diya", "liya": "liya", "lia": "liya",
    "k": "ke", "ki": "ki", "ka": "ka", "ko": "ko", "se": "se",
    "mein": "me", "mei": "me", "mai": "me", "me": "me",
    "pe": "par", "pr": "par", "par": "par",
    "b": "bhi", "bi": "bhi", "bhee": "bhi",
    "gya": "gaya", "gyi": "gayi", "gye": "gaye", "gai": "gayi", "gayi": "gayi", "gaee": "gayi",
    "rha": "raha", "rhi": "rahi", "rhe": "rahe", "rahaa": "raha",
    "hoga": "hoga", "hogi": "hogi", "hoge": "hoge", "hua": "hua", "hui": "hui", "hue": "hue",
    "hu": "hu", "hun": "hu", "hoon": "hu", "hn": "hu",
    "kyu": "kyo", "kyun": "kyo", "kyon": "kyo", "kiyu": "kyo", "kiun": "kyo", "q": "kyo",
    "ye": "ye", "yeh": "ye", "yah": "ye", "ya": "ya", "vo": "vo", "wo": "vo", "woh": "vo",
    "vah": "vo", "voh": "vo",
    "yahan": "yaha", "yaha": "yaha", "vahan": "vaha", "wahan": "vaha", "waha": "vaha",
    "kahan": "kaha", "kahin": "kahi", "kabhi": "kabhi", "jahan": "jaha",
    "aur": "aur", "or": "aur", "n": "aur",
    "sb": "sab", "srf": "sirf", "abi": "abhi", "jb": "jab", "tb": "tab", "kb": "kab",
    "mt": "mat", "bhai": "bhai", "plz": "please", "pls": "please", "plss": "please",
    "msg": "message", "msgs": "message", "govt": "government", "sarkari": "sarkari",
    "tk": "tak", "tak": "tak", "toh": "to", "tho": "to",
    "ap": "aap", "aap": "aap", "apko": "aapko", "hme": "hame", "hum": "ham", "hm": "ham",
    "tum": "tum", "tm": "tum", "kuch": "kuchh", "kuchh": "kuchh", "kch": "kuchh",
    "sahi": "sahi", "shi": "sahi", "sach": "sach", "sch": "sach",
    "thi": "thi", "tha": "tha", "the": "the",
    "u": "you", "ur": "your", "r": "are", "bcoz": "because", "coz": "because", "cuz": "because",
    "tonite": "tonight", "2day": "today", "2moro": "tomorrow", "tmrw": "tomorrow",
    "rs": "rupaye", "rs.": "rupaye", "rupay": "rupaye", "rupye": "rupaye", "rupee": "rupaye",
    "rupees": "rupaye", "rupaye": "rupaye", "rupees.": "rupaye", "inr": "rupaye",
}

_VOWELS = set("aeiou")
_COLLAPSE = re.compile(r"(.)\1+")
_FOLD_STEPS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"tion\b"), "san"), (re.compile(r"sion\b"), "san"),
    (re.compile(r"ph"), "f"), (re.compile(r"ck"), "k"), (re.compile(r"q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"sch"), "sk"), (re.compile(r"chh"), "ch"),
    (re.compile(r"c(?=[eiy])"), "s"), (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"sh"), "s"), (re.compile(r"([kgtdbjp])h"), r"\1"),
    (re.compile(r"w"), "v"), (re.compile(r"z"), "j"),
    (re.compile(r"ee|ii|ea"), "i"), (re.compile(r"oo|uu"), "u"), (re.compile(r"aa"), "a"),
    (re.compile(r"ai"), "e"), (re.compile(r"au"), "o"), (re.compile(r"ey\b"), "e"),
    (re.compile(r"(?<=[a-z]{2})er\b"), "ar"),
    (re.compile(r"(?<=[aeiou])y(?=[aeiou])"), ""),
    (re.compile(r"m(?=[bp])"), "n"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"(?<=[a-z]{3})y\b"), "i"),
    (re.compile(r"(?<=[a-z]{2})ah\b"), "a"),
]


def deva_to_latin(word: str) -> str:
    """Transliterate one Devanagari word (NFC) to lowercase Latin with schwa deletion.

    Non-Devanagari characters pass through unchanged.
    """
    # First pass: a list of units; a consonant unit carries its vowel
    # (None = inherent schwa, "" = killed by virama).
    units: list[list] = []  # [kind, latin, vowel]
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        nxt = word[i + 1] if i + 1 < n else ""
        if ch in _CONS or (ch in _NUKTA_FORMS and nxt == _NUKTA):
            if nxt == _NUKTA and ch in _NUKTA_FORMS:
                lat = _NUKTA_FORMS[ch]
                i += 1
            else:
                lat = _CONS[ch]
            units.append(["c", lat, None])
        elif ch in _MATRA and units and units[-1][0] == "c":
            units[-1][2] = _MATRA[ch]
        elif ch == _VIRAMA and units and units[-1][0] == "c":
            units[-1][2] = ""
        elif ch in _INDEP:
            units.append(["v", _INDEP[ch], None])
        elif ch in _NASAL:
            units.append(["n", "n", None])
        elif ch == _VISARGA or ch == _NUKTA or ch == "ऽ":
            pass
        elif ch in _DIGITS:
            units.append(["o", _DIGITS[ch], None])
        else:
            units.append(["o", ch, None])
        i += 1
    _delete_schwas(units)
    out: list[str] = []
    for idx, (kind, lat, vowel) in enumerate(units):
        if kind == "c":
            out.append(lat + ("a" if vowel is None else vowel))
        elif kind == "n":
            # Word-final nasalisation (में, नहीं, हैं) is dropped, as typists do.
            if idx + 1 < len(units) and units[idx + 1][0] in ("c", "v"):
                out.append("n")
        else:
            out.append(lat)
    return "".join(out)


def _delete_schwas(units: list[list]) -> None:
    """Mark deleted inherent vowels (vowel -> "") in place.

    Word-final schwa goes (unless the word is a single consonant or ends in a
    cluster that needs it); a medial schwa goes in the context V C _ C V,
    scanned right to left so a deletion protects its left neighbour.
    """
    cons_idx = [k for k, u in enumerate(units) if u[0] == "c"]
    if not cons_idx:
        return

    def has_vowel_after(k: int) -> bool:
        u = units[k]
        if u[0] == "v":
            return True
        return u[0] == "c" and u[2] != ""

    last = cons_idx[-1]
    tail_is_end = all(u[0] != "c" and u[0] != "v" for u in units[last + 1:])
    if units[last][2] is None and tail_is_end and len(cons_idx) > 1:
        # Typists drop it even after a conjunct (कार्ड -> kaard, मुफ्त -> muft).
        units[last][2] = ""
    for pos in range(len(units) - 2, 0, -1):
        u = units[pos]
        if u[0] != "c" or u[2] is not None:
            continue
        left = units[pos - 1]
        right = units[pos + 1]
        left_ok = left[0] in ("v",) or (left[0] == "c" and left[2] not in ("",))
        if left[0] == "n":
            left_ok = False
        # Never delete the schwa of the first consonant of the word.
        if not any(x[0] in ("c", "v") for x in units[:pos]):
            continue
        right_ok = right[0] == "c" and right[2] is not None and right[2] != ""
        if right[0] == "c" and right[2] is None:
            right_ok = True
        if left_ok and right_ok and has_vowel_after(pos + 1):
            u[2] = ""


_DEVA_RE = re.compile(r"[\u0900-\u097F]")


def has_devanagari(text: str) -> bool:
    return bool(_DEVA_RE.search(text))


@lru_cache(maxsize=200_000)
def fold_latin(token: str) -> str:
    """One phonetic key for a lowercase Latin token (typed Hinglish, English or transliterated)."""
    t = token
    if not t.isascii() or not t.isalpha():
        if t.isdigit():
            return t
        t = re.sub(r"[^a-z0-9]", "", t.lower())
        if not t:
            return ""
    # Iterate to a fixed point so that folding a key again changes nothing.
    for _ in range(4):
        prev = t
        t = SHORT_FORMS.get(t, t)
        if len(t) > 2:
            for pat, rep in _FOLD_STEPS:
                t = pat.sub(rep, t)
            t = _COLLAPSE.sub(r"\1", _drop_medial_a(t))
        if t == prev:
            break
    return t


def _drop_medial_a(t: str) -> str:
    """Latin-side schwa deletion (V C a C V -> V C C V), right to left.

    Typists write योजना as yojana or yojna; running the same rule on every
    Latin token makes both meet.
    """
    chars = list(t)
    for i in range(len(chars) - 3, 1, -1):
        if (chars[i] == "a" and chars[i - 1] not in _VOWELS and chars[i - 2] in _VOWELS
                and chars[i + 1] not in _VOWELS and chars[i + 2] in _VOWELS
                and chars[i - 1].isalpha() and chars[i + 1].isalpha()):
            del chars[i]
    return "".join(chars)


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Fold one word of either script to its key token."""
    if _DEVA_RE.search(word):
        return fold_latin(deva_to_latin(word))
    return fold_latin(word.lower())
