"""Near-identical forwards: the same message with the noise forwarding adds.

A forward picks up decoration ("Forwarded as received", "BREAKING:", "सभी
ग्रुप में भेजें 🙏" on a line of its own) and typos.  Two rules fold such
copies before any embedding is done (``desk.services.dedup`` applies them;
the engine's ``same`` tier then handles real rewordings):

* :func:`core_text` drops decoration lines at either end of a message and a
  loud prefix ("URGENT!!!", "ब्रेकिंग:") on its first line; messages whose
  core has the same matching key are the same forward.
* :func:`typo_leaders` folds matching keys that differ only by typos, with the
  same figures, either word by word (the same number of words, at most three
  words different, each at least five letters long and not a place name, with
  one letter dropped, doubled or swapped with its neighbour; words of eight
  letters or more: up to two edits of any kind) or letter by letter (keys of
  40 characters or more within three dropped, doubled or swapped letters, 15 or
  more within one, with the same negations and the same place names, one of them
  perhaps misspelt).  A missing "nahi", a changed
  amount, another town or "bachcha" for "bachchi" never qualifies.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable, Sequence

from rapidfuzz.distance import OSA

from desk.intake import assess
from desk.intake import lexicon
from desk.intake.regions import PLACES

#: Signals a decoration line may carry: it asks to spread the message, nothing more.
DECORATION_SIGNALS = frozenset({"forwarded", "share_request", "urgency", "viral", "emphasis",
                                "emoji_only"})
MAX_DECORATION_WORDS = 8
MAX_TYPO_WORDS = 3
MIN_TYPO_WORD = 5
LONG_WORD = 8
MAX_KEY_EDITS = 3          # letter by letter, keys of LONG_KEY characters or more
LONG_KEY = 40
SHORT_KEY = 15             # one edit from here; shorter keys must match exactly
NEGATIONS = ("nahi", "nahin", "nhi", "na", "mat", "not", "no", "never", "dont", "don't",
             "cannot", "can't", "without", "bina", "नहीं", "न", "मत", "ना", "बिना")

_WORDS = re.compile(r"[\w\u0900-\u0963\u0966-\u097f]+")
_DIGIT = re.compile(r"\d")


def _loud_prefix() -> re.Pattern[str]:
    words = [w for w in (*lexicon.URGENCY_WORDS, *lexicon.FORWARD_MARKERS) if not w.endswith("*")]
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # Only when followed by ':' '!' or a dash: "Urgent meeting today" keeps its word.
    return re.compile(rf"^[^\w\u0900-\u097f]*(?:(?:{alternatives})\s*[:!\-–—]+\s*"
                      rf"[^\w\u0900-\u097f]*)+", re.IGNORECASE)


_LOUD_PREFIX = _loud_prefix()


def is_decoration(line: str) -> bool:
    """A line that only asks to forward or shout the message (no figures, few words)."""
    if not line.strip():
        return True
    if _DIGIT.search(line) or len(_WORDS.findall(line)) > MAX_DECORATION_WORDS:
        return False
    return set(assess(line).signals) <= DECORATION_SIGNALS


def core_text(text: str) -> str:
    """``text`` without decoration lines at its ends and without a loud prefix.

    Returns ``text`` itself when nothing would be left.
    """
    lines = text.splitlines()
    start, end = 0, len(lines)
    while start < end and is_decoration(lines[start]):
        start += 1
    while end > start and is_decoration(lines[end - 1]):
        end -= 1
    if start == end:
        return text
    core = lines[start:end]
    stripped = _LOUD_PREFIX.sub("", core[0], count=1)
    if stripped.strip():
        core[0] = stripped
    return "\n".join(core)


def _key_words(normalizer: Callable[[str], object], words: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for word in words:
        out.update((getattr(normalizer(word), "key", "") or "").split())
    return frozenset(out)


def place_words(normalizer: Callable[[str], object]) -> frozenset[str]:
    """The words of known place names, in matching-key form."""
    return _key_words(normalizer, PLACES)


def negation_words(normalizer: Callable[[str], object]) -> frozenset[str]:
    """Negations ("nahi", "नहीं", "not"...), in matching-key form."""
    return _key_words(normalizer, NEGATIONS)


def _typo_pair(a: Sequence[str], b: Sequence[str], places: frozenset[str]) -> bool:
    diffs = 0
    for x, y in zip(a, b):
        if x == y:
            continue
        diffs += 1
        if diffs > MAX_TYPO_WORDS or min(len(x), len(y)) < MIN_TYPO_WORD:
            return False
        if x in places or y in places:
            return False
        if min(len(x), len(y)) >= LONG_WORD:
            if OSA.distance(x, y, score_cutoff=2) > 2:
                return False
        elif not _slip(x, y):
            # Short words: no substituted letter ("bachcha"/"bachchi", "karega"/"karegi").
            return False
    return True


def _letter_pair(a: str, b: str, wa: Sequence[str], wb: Sequence[str],
                 places: frozenset[str], negations: frozenset[str]) -> bool:
    shortest = min(len(a), len(b))
    limit = MAX_KEY_EDITS if shortest >= LONG_KEY else 1 if shortest >= SHORT_KEY else 0
    if not limit or abs(len(a) - len(b)) > limit:
        return False
    if sorted(w for w in wa if w in negations) != sorted(w for w in wb if w in negations):
        return False
    pa, pb = {w for w in wa if w in places}, {w for w in wb if w in places}
    if pa != pb:
        # A misspelt town ("dehli") is not a place word; another town is.
        only_a, only_b = pa - pb, pb - pa
        if len(only_a | only_b) != 1:
            return False
        (place,) = only_a | only_b
        others = set(wb if only_a else wa) - (pb if only_a else pa)
        if not any(_slip(place, w) for w in others):
            return False
    # Letters only dropped, doubled or swapped: one key has all the other's letters
    # ("bachcha" -> "bachchi" substitutes one, and is another word).
    extra_a, extra_b = Counter(a) - Counter(b), Counter(b) - Counter(a)
    if extra_a and extra_b:
        return False
    return OSA.distance(a, b, score_cutoff=limit) <= limit


def _slip(x: str, y: str) -> bool:
    """One letter dropped, doubled or swapped with its neighbour (no substitution)."""
    if min(len(x), len(y)) < 4 or OSA.distance(x, y, score_cutoff=1) > 1:
        return False
    return len(x) != len(y) or sorted(x) == sorted(y)


def typo_leaders(keys: Sequence[str], places: Iterable[str] = (),
                 negations: Iterable[str] = ()) -> list[int | None]:
    """For each key, the index of an earlier key it is a typo-variant of, else None.

    Leaders are never themselves variants, so every variant is compared with
    the key that starts its group (no chains).
    """
    places, negations = frozenset(places), frozenset(negations)
    out: list[int | None] = [None] * len(keys)
    blocks: dict[tuple, list[int]] = {}
    words = [k.split() for k in keys]
    for i, tokens in enumerate(words):
        figures = tuple(t for t in tokens if _DIGIT.search(t))
        leaders = blocks.setdefault(figures, [])
        for lead in leaders:
            same_length = len(words[lead]) == len(tokens)
            if (same_length and _typo_pair(words[lead], tokens, places)) or _letter_pair(
                    keys[lead], keys[i], words[lead], tokens, places, negations):
                out[i] = lead
                break
        else:
            leaders.append(i)
    return out
