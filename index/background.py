"""Background term frequencies: how common a term is in general text, not in this collection.

BM25's idf from a collection's own counts makes small collections over-confident:
in a collection of three claims every word is "rare", and a word the collection has
never seen gets no weight at all, so it can never count against a match.  The engine
therefore blends the collection's document frequencies with a shipped background
table of general Hindi and English text (``index/data/background.tsv.gz``): the
background acts as ``PSEUDO_DOCS`` extra documents in which a term occurs with its
general-text probability.  A term seen neither in the collection nor in general
text (a rare name, "laptop" in a corpus that never mentions one, a typo) gets a high
weight, which is what it deserves: it is strong evidence of a *different* claim.

The table maps folded terms (the matching key's tokens, see ``index.translit``) to a
Zipf value (log10 of occurrences per billion words).  It was made by
:func:`build_table` from the ``wordfreq`` package's Hindi and English lists
(Robyn Speer et al., data CC BY-SA 4.0); ``python -m index.background`` rebuilds it
when ``wordfreq`` is installed (it is not needed at run time).

Concept tokens (``@ration_card``) get the probability of their most common spelling,
number tokens a fixed probability by kind (day-of-month numbers are common, amounts
are not), month tokens one twelfth of "a date is mentioned".
"""
from __future__ import annotations

import gzip
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from index.errors import DataFileError

TABLE = "background.tsv.gz"
# Words per short text (a claim or a fact summary): turns a word's frequency into the
# probability that a text contains it, p = 1 - exp(-TEXT_WORDS * f).
TEXT_WORDS = 25
# Weight of the background, in documents.  A collection much larger than this is judged
# mostly by its own counts; a collection of a few documents entirely by the background.
PSEUDO_DOCS = 1000
# Zipf value given to terms absent from the table (the table stops near 2.5 for English
# and 3.0 for Hindi, so anything missing is rarer than that).
UNSEEN_ZIPF = 1.5
SMALL_NUMBER_P = 0.05      # 1-31: days of the month, counts of everyday things
ROUND_NUMBER_P = 0.01      # 100, 500, 1000, 2024 ...
OTHER_NUMBER_P = 0.002     # ₹4,870, 7.5 ...
MONTH_P = 0.01
MAX_P = 0.95


def zipf_to_p(zipf: float | np.ndarray) -> float | np.ndarray:
    """Probability that a short text contains a word of this Zipf frequency."""
    f = np.power(10.0, np.asarray(zipf, dtype=np.float64) - 9.0)
    p = np.minimum(-np.expm1(-TEXT_WORDS * f), MAX_P)
    return float(p) if np.ndim(p) == 0 else p


def number_p(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        return OTHER_NUMBER_P
    if v.is_integer() and 0 <= v <= 31:
        return SMALL_NUMBER_P
    if v.is_integer() and (v % 100 == 0 or 1900 <= v <= 2100):
        return ROUND_NUMBER_P
    return OTHER_NUMBER_P


@dataclass
class Background:
    """Term -> probability of occurring in a general short text (see module docstring)."""

    zipf: Mapping[str, float] = field(default_factory=dict)
    concepts: dict[str, float] = field(default_factory=dict)   # "@id" -> p
    unseen_p: float = field(default=0.0)
    _cache: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.unseen_p:
            self.unseen_p = float(zipf_to_p(UNSEEN_ZIPF))

    def p(self, term: str) -> float:
        """Background probability of ``term`` (a BM25 term: token, ``@concept``, ``#n``, ``!mN``)."""
        hit = self._cache.get(term)
        if hit is not None:
            return hit
        first = term[:1]
        if first == "@":
            p = self.concepts.get(term, self.unseen_p)
        elif first == "#":
            p = number_p(term[1:])
        elif first == "!":
            p = MONTH_P
        elif first.isdigit():
            p = number_p(term)
        else:
            z = self.zipf.get(term)
            p = float(zipf_to_p(z)) if z is not None else self.unseen_p
        if len(self._cache) < 1_000_000:
            self._cache[term] = p
        return p

    def with_glossary(self, phrases: Mapping[tuple[str, ...], Iterable[str]]) -> "Background":
        """Concept probabilities from the glossary's folded phrases: a concept is as common
        as its most common spelling (a phrase of several words: its rarest word, halved)."""
        concepts: dict[str, float] = {}
        for toks, ids in phrases.items():
            ps = [self.p(t) for t in toks]
            p = min(ps) * (0.5 if len(ps) > 1 else 1.0)
            for cid in ids:
                key = "@" + cid
                concepts[key] = max(concepts.get(key, 0.0), p)
        return Background(self.zipf, concepts, self.unseen_p)


def idf(df: np.ndarray | float, n: int, p: np.ndarray | float) -> np.ndarray | float:
    """BM25 idf over the collection (``n`` documents, ``df`` containing the term) blended
    with ``PSEUDO_DOCS`` background documents in which the term occurs with probability ``p``."""
    total = n + PSEUDO_DOCS
    d = np.asarray(df, dtype=np.float64) + PSEUDO_DOCS * np.asarray(p, dtype=np.float64)
    out = np.log1p(np.maximum(total - d + 0.5, 0.5) / (d + 0.5))
    return float(out) if np.ndim(out) == 0 else out


def read_table(text: str, path: object = TABLE) -> dict[str, float]:
    out: dict[str, float] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        term, _, value = line.partition("\t")
        try:
            out[term] = float(value)
        except ValueError as exc:
            raise DataFileError(f"bad Zipf value {value!r}", path=path, line=lineno) from exc
    return out


def load_background(path: Path | None = None) -> Background:
    """The shipped table (or the one at ``path``), without concepts (see ``with_glossary``)."""
    try:
        if path is None:
            raw = (resources.files("index") / "data" / TABLE).read_bytes()
        else:
            raw = Path(path).read_bytes()
        text = gzip.decompress(raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read the background table: {exc}", path=path or TABLE) from exc
    return Background(read_table(text, path or TABLE))


def build_table(en_min_zipf: float = 2.5) -> list[tuple[str, float]]:
    """(folded term, Zipf) from wordfreq's Hindi and English lists; a folded term takes the
    highest frequency any of its source words has (in either language)."""
    import wordfreq  # only needed to rebuild the table

    from index.normalize import normalize

    best: dict[str, float] = {}
    for lang, floor in (("hi", 0.0), ("en", en_min_zipf)):
        for word, freq in wordfreq.get_frequency_dict(lang).items():
            zipf = math.log10(freq) + 9.0
            if zipf < floor:
                continue
            toks = normalize(word).tokens
            if len(toks) != 1 or toks[0][:1].isdigit():
                continue
            t = toks[0]
            if zipf > best.get(t, -1.0):
                best[t] = zipf
    return sorted(best.items())


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Rebuild index/data/background.tsv.gz from wordfreq.")
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parent / "data" / TABLE)
    args = ap.parse_args(argv)
    from importlib.metadata import version

    rows = build_table()
    lines = [f"# Folded term -> Zipf frequency (max over source words). Made by "
             f"`python -m index.background` from wordfreq {version('wordfreq')} "
             "(Hindi and English lists; data CC BY-SA 4.0, Robyn Speer et al.)."]
    lines += [f"{t}\t{z:.2f}" for t, z in rows]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    # mtime=0: the same table gives the same bytes.
    args.out.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"{len(rows)} terms -> {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
