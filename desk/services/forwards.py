"""Near-identical forwards: the same message with the noise forwarding adds.

A forward picks up decoration ("Forwarded as received", "BREAKING:", "सभी
ग्रुप में भेजें 🙏" on a line of its own) and typos.  Two rules fold such
copies before any embedding is done (``desk.services.dedup`` applies them;
the engine's ``same`` tier then handles real rewordings):

* :func:`core_text` drops decoration lines at either end of a message and a
  loud prefix ("URGENT!!!", "ब्रेकिंग:") on its first line; messages whose
  core has the same matching key are the same forward.
* :func:`typo_leaders` folds matching keys that differ only by typos: the same
  number of words, the same figures, at most three words different, each
  different word at least five letters long, not a place name, and one letter
  dropped, doubled or swapped with its neighbour (words of eight letters or
  more: up to two edits of any kind).  A missing "nahi", a changed amount,
  another town or "bachcha" for "bachchi" never qualifies.
"""
from __future__ import annotations

import re
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


def place_words(normalizer: Callable[[str], object]) -> frozenset[str]:
    """The words of known place names, in matching-key form."""
    out: set[str] = set()
    for place in PLACES:
        key = getattr(normalizer(place), "key", "") or ""
        out.update(key.split())
    return frozenset(out)


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
        elif OSA.distance(x, y, score_cutoff=1) > 1 or (
                len(x) == len(y) and sorted(x) != sorted(y)):
            # Short words: no substituted letter ("bachcha"/"bachchi", "karega"/"karegi").
            return False
    return True


def typo_leaders(keys: Sequence[str], places: Iterable[str] = ()) -> list[int | None]:
    """For each key, the index of an earlier key it is a typo-variant of, else None.

    Leaders are never themselves variants, so every variant is compared with
    the key that starts its group (no chains).
    """
    places = frozenset(places)
    out: list[int | None] = [None] * len(keys)
    blocks: dict[tuple, list[int]] = {}
    words = [k.split() for k in keys]
    for i, tokens in enumerate(words):
        figures = tuple(t for t in tokens if _DIGIT.search(t))
        leaders = blocks.setdefault((len(tokens), figures), [])
        for lead in leaders:
            if _typo_pair(words[lead], tokens, places):
                out[i] = lead
                break
        else:
            leaders.append(i)
    return out
