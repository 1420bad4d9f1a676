"""BM25 over folded word tokens, concept tokens and specifics tokens.

The index is an immutable snapshot: a large *base* segment and a small *delta*
segment of recent upserts, plus a mask of base rows that were removed or
replaced.  ``with_changes`` returns a new snapshot and never touches the old
one, so searches running in other threads keep a consistent view; the engine
swaps the reference.

Postings are stored per term (CSC-like arrays) and sorted by impact, so a
very common term contributes only its best ``max_postings`` documents: the
work per query stays bounded at a million documents.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from index.background import Background, idf as blended_idf

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Segment:
    ids: np.ndarray                 # int64, row -> doc id
    vocab: dict[str, int]           # term -> column
    indptr: np.ndarray              # int64, column -> slice of rows/impact
    rows: np.ndarray                # int32 rows, impact-sorted within each column
    impact: np.ndarray              # float32 tf part of BM25 (without idf)
    df: np.ndarray                  # int32 per column
    total_len: int

    @property
    def n(self) -> int:
        return int(len(self.ids))


def _empty_segment() -> Segment:
    return Segment(np.zeros(0, np.int64), {}, np.zeros(1, np.int64), np.zeros(0, np.int32),
                   np.zeros(0, np.float32), np.zeros(0, np.int32), 0)


def build_segment(docs: Iterable[tuple[int, Iterable[str]]], avgdl: float | None = None) -> Segment:
    """A segment from ``(doc id, terms)`` pairs.  ``avgdl`` fixes length normalisation
    (the delta uses the base's average so scores stay comparable)."""
    vocab: dict[str, int] = {}
    ids: list[int] = []
    col_parts: list[np.ndarray] = []
    tf_parts: list[np.ndarray] = []
    row_parts: list[np.ndarray] = []
    lengths: list[int] = []
    for row, (doc_id, terms) in enumerate(docs):
        ids.append(int(doc_id))
        counts: dict[int, int] = {}
        dl = 0
        for t in terms:
            c = vocab.get(t)
            if c is None:
                c = vocab[t] = len(vocab)
            counts[c] = counts.get(c, 0) + 1
            dl += 1
        lengths.append(dl)
        if counts:
            col_parts.append(np.fromiter(counts.keys(), np.int64, len(counts)))
            tf_parts.append(np.fromiter(counts.values(), np.float32, len(counts)))
            row_parts.append(np.full(len(counts), row, np.int32))
    n = len(ids)
    if n == 0:
        return _empty_segment()
    cols = np.concatenate(col_parts) if col_parts else np.zeros(0, np.int64)
    tfs = np.concatenate(tf_parts) if tf_parts else np.zeros(0, np.float32)
    rows = np.concatenate(row_parts) if row_parts else np.zeros(0, np.int32)
    lens = np.asarray(lengths, np.float32)
    total = int(lens.sum())
    avg = avgdl if avgdl else max(total / n, 1.0)
    norm = K1 * (1 - B + B * lens / avg)
    impact = (tfs * (K1 + 1) / (tfs + norm[rows])).astype(np.float32)
    # Sort by column, then by impact descending, so a capped column keeps its best rows.
    order = np.lexsort((-impact, cols))
    cols, rows, impact = cols[order], rows[order], impact[order]
    df = np.bincount(cols, minlength=len(vocab)).astype(np.int32)
    indptr = np.zeros(len(vocab) + 1, np.int64)
    np.cumsum(df, out=indptr[1:])
    return Segment(np.asarray(ids, np.int64), vocab, indptr, rows, impact, df, total)


@dataclass(frozen=True)
class LexicalIndex:
    """Immutable BM25 snapshot: base + delta segments and a mask of dead base rows."""

    base: Segment = field(default_factory=_empty_segment)
    delta: Segment = field(default_factory=_empty_segment)
    base_dead: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    delta_terms: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    max_postings: int = 5_000
    # Total postings one query may touch, shared out by idf: rare terms keep all their
    # postings, very common ones (low idf, little weight) only their best few hundred.
    budget: int = 60_000
    # General-text term frequencies blended into idf (None: the collection's own counts only).
    background: Background | None = None
    # Derived once per snapshot (searches must not pay O(n) for them).
    live: int = field(init=False, default=0)
    any_dead: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        dead = int(self.base_dead.sum()) if len(self.base_dead) else 0
        object.__setattr__(self, "live", int(self.base.n - dead + self.delta.n))
        object.__setattr__(self, "any_dead", dead > 0)

    @classmethod
    def build(cls, docs: Iterable[tuple[int, Iterable[str]]], *, max_postings: int = 5_000,
              background: Background | None = None) -> "LexicalIndex":
        base = build_segment(docs)
        return cls(base, _empty_segment(), np.zeros(base.n, bool), {}, max_postings,
                   background=background)

    def __len__(self) -> int:
        return self.live

    @property
    def avgdl(self) -> float:
        return max(self.base.total_len / self.base.n, 1.0) if self.base.n else 10.0

    def with_changes(self, upserts: Mapping[int, tuple[str, ...]], removes: Iterable[int] = ()) -> "LexicalIndex":
        """A new snapshot with ``upserts`` (id -> terms) added or replaced and ``removes`` gone."""
        gone = set(int(i) for i in removes) | set(int(i) for i in upserts)
        dead = self.base_dead
        if gone and self.base.n:
            hit = np.isin(self.base.ids, np.fromiter(gone, np.int64, len(gone)))
            if hit.any():
                dead = dead | hit
        terms = {k: v for k, v in self.delta_terms.items() if k not in gone}
        terms.update({int(k): tuple(v) for k, v in upserts.items()})
        delta = build_segment(terms.items(), avgdl=self.avgdl)
        return LexicalIndex(self.base, delta, dead, terms, self.max_postings, self.budget,
                            self.background)

    def needs_compaction(self) -> bool:
        return self.delta.n > max(2_000, self.base.n // 20)

    def df(self, term: str) -> int:
        """Documents holding ``term`` (removed base rows still count until compaction)."""
        df = 0
        for seg in (self.base, self.delta):
            c = seg.vocab.get(term)
            if c is not None:
                df += int(seg.df[c])
        return df

    def idf(self, term: str) -> float:
        n = self.live
        df = self.df(term)
        if self.background is not None:
            return blended_idf(min(df, n), n, self.background.p(term))
        if df == 0 or n == 0:
            return 0.0
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        """Top ``k`` ``(doc id, BM25 score)`` for the unique ``terms``, best first."""
        uniq = list(dict.fromkeys(terms))
        if not uniq or k <= 0 or len(self) == 0:
            return []
        idfs = {t: self.idf(t) for t in uniq}
        out: list[tuple[int, float]] = []
        for seg, dead in ((self.base, self.base_dead if self.any_dead else None), (self.delta, None)):
            if seg.n == 0:
                continue
            cols, weights = [], []
            for t in uniq:
                c = seg.vocab.get(t)
                if c is not None and idfs[t] > 0:
                    cols.append(c)
                    weights.append(idfs[t])
            if not cols:
                continue
            # Gather every selected posting in one vectorised step (no per-term slicing).
            c_arr = np.asarray(cols, np.int64)
            starts = seg.indptr[c_arr]
            w_arr = np.asarray(weights, np.float64)
            caps = np.maximum(200, (self.budget * w_arr / w_arr.sum()).astype(np.int64))
            lengths = np.minimum(np.minimum(seg.indptr[c_arr + 1] - starts, self.max_postings), caps)
            total = int(lengths.sum())
            if total == 0:
                continue
            shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
            idx = np.arange(total, dtype=np.int64) + shift
            rows = seg.rows[idx]
            w = seg.impact[idx] * np.repeat(np.asarray(weights, np.float32), lengths)
            if total * 4 < seg.n:
                uniq_rows, inv = np.unique(rows, return_inverse=True)
                scores = np.bincount(inv, weights=w)
            else:
                acc = np.bincount(rows, weights=w, minlength=seg.n)
                uniq_rows = np.flatnonzero(acc)
                scores = acc[uniq_rows]
            if dead is not None:
                keep = ~dead[uniq_rows]
                uniq_rows, scores = uniq_rows[keep], scores[keep]
            if len(scores) > k:
                top = np.argpartition(-scores, k - 1)[:k]
                uniq_rows, scores = uniq_rows[top], scores[top]
            out.extend(zip(seg.ids[uniq_rows].tolist(), scores.tolist()))
        out.sort(key=lambda x: -x[1])
        return out[:k]

    def self_score(self, terms: Iterable[str]) -> float:
        """The BM25 score the query's own terms could reach (for scale-free features)."""
        return float(sum(self.idf(t) for t in dict.fromkeys(terms)))
