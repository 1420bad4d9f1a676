"""Character-level similarity on the folded keys of a shortlist.

rapidfuzz's default processor strips Devanagari vowel signs, so it is never
used: keys are already NFC, folded and lowercase, and every call passes
``processor=None``.  Character n-grams run only on the re-ranked shortlist.
"""
from __future__ import annotations

from rapidfuzz import fuzz


def char_ngrams(key: str, n: int = 3) -> frozenset[str]:
    """Character n-grams of each word padded with spaces (words shorter than n kept whole)."""
    if n != 3:
        grams: set[str] = set()
        for w in key.split():
            p = f" {w} "
            grams.update([p] if len(p) <= n else (p[i:i + n] for i in range(len(p) - n + 1)))
        return frozenset(grams)
    # One pass over the key with every word padded: a trigram holding two spaces would
    # straddle two words, every other one lies inside one padded word.
    p = " " + " ".join(key.split()).replace(" ", "  ") + " "
    return frozenset(g for g in {p[i:i + 3] for i in range(len(p) - 2)} if "  " not in g) \
        if len(p) > 2 else frozenset()


def word_grams(word: str) -> frozenset[str]:
    """One word's padded trigrams (the word whole if it is a single letter)."""
    p = f" {word} "
    return frozenset((p,)) if len(p) <= 3 else frozenset(p[i:i + 3] for i in range(len(p) - 2))


def key_grams(key: str, cache: dict[str, frozenset[str]]) -> frozenset[str] | set[str]:
    """``char_ngrams(key)`` from per-word trigram sets kept in ``cache``: documents share
    most of their words, so this is several times faster than slicing every key again."""
    out: set[str] = set()
    get = cache.get
    for w in key.split():
        g = get(w)
        if g is None:
            g = cache[w] = word_grams(w)
        out |= g
    return out


def containment(q: frozenset[str], d: frozenset[str]) -> float:
    """Share of the claim's n-grams found in the candidate."""
    if not q:
        return 0.0
    return len(q & d) / len(q)


def key_containment(q: frozenset[str], d_key: str) -> float:
    """``containment(q, char_ngrams(d_key))`` without building the candidate's n-gram set.

    Words are padded with one space each side, so in ``" w1  w2 "`` a padded
    n-gram can only match inside one padded word.
    """
    if not q:
        return 0.0
    padded = " " + d_key.replace(" ", "  ") + " "
    return sum(1 for g in q if g in padded) / len(q)


def fuzzy_scores(q_key: str, d_key: str) -> dict[str, float]:
    """Near-duplicate signals in [0, 1]."""
    if not q_key or not d_key:
        return {"token_set": 0.0, "partial": 0.0}
    return {
        "token_set": fuzz.token_set_ratio(q_key, d_key, processor=None) / 100.0,
        "partial": fuzz.partial_ratio(q_key, d_key, processor=None) / 100.0,
    }
