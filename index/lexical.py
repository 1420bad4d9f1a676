"""BM25 over folded word tokens, concept tokens and specifics tokens.

The index is an immutable snapshot: a large *base* segment and a small *delta*
segment of recent upserts (``index.segment``), plus a mask of base rows that were
removed or replaced.  ``with_changes`` returns a new snapshot and never touches the
old one, so searches running in other threads keep a consistent view; the engine
swaps the reference.  The delta is merged into a new base (``compacted``) when it
outgrows 5 % of the base; neither needs the documents' text again.

Postings are impact-ordered per term, so a very common term contributes only its
best ``max_postings`` documents, and one query touches at most ``budget`` postings
shared out by idf: the work per query stays bounded at a million documents.

idf blends the collection's counts with general-text frequencies
(``index.background``), so it means the same in a small collection as in a big one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from index.background import idf as blended_idf
from index.segment import Segment, SegmentBuilder, empty_segment, make_segment, merge
from index.vocab import Vocab

COMPACT_MIN = 2_000
COMPACT_SHARE = 0.05


@dataclass(frozen=True)
class LexicalIndex:
    """Immutable BM25 snapshot: base + delta segments and a mask of dead base rows."""

    vocab: Vocab
    base: Segment = field(default_factory=empty_segment)
    delta: Segment = field(default_factory=empty_segment)
    base_dead: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    max_postings: int = 5_000
    # Total postings one query may touch, shared out by idf: rare terms keep all their
    # postings, very common ones (low idf, little weight) only their best few hundred.
    budget: int = 20_000
    # Derived once per snapshot (searches must not pay O(n) for them).
    live: int = field(init=False, default=0)
    any_dead: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        dead = int(self.base_dead.sum()) if len(self.base_dead) else 0
        object.__setattr__(self, "live", int(self.base.n - dead + self.delta.n))
        object.__setattr__(self, "any_dead", dead > 0)

    # -- building ---------------------------------------------------------------------

    @classmethod
    def from_columns(cls, vocab: Vocab, cols: Mapping[str, np.ndarray], **options) -> "LexicalIndex":
        base = make_segment(cols, len(vocab))
        return cls(vocab, base, empty_segment(len(vocab)), np.zeros(base.n, bool), **options)

    @staticmethod
    def columns(vocab: Vocab, docs: Iterable[tuple[int, Iterable[str]]]) -> dict[str, np.ndarray]:
        """Builder columns for ``(doc id, terms)`` pairs (tests and tools; the engine
        analyses documents into rows itself)."""
        b = SegmentBuilder()
        for doc_id, terms in docs:
            counts: dict[str, int] = {}
            for t in terms:
                counts[t] = counts.get(t, 0) + 1
            b.add(doc_id, kind=0, lang=0, script=0, views=1, content=0, key="",
                  term_ids=vocab.ids(list(counts)), term_tf=list(counts.values()),
                  dl=sum(counts.values()))
        return b.columns()

    @classmethod
    def build(cls, vocab: Vocab, docs: Iterable[tuple[int, Iterable[str]]], **options) -> "LexicalIndex":
        """An index over ``(doc id, terms)`` pairs."""
        return cls.from_columns(vocab, cls.columns(vocab, docs), **options)

    def __len__(self) -> int:
        return self.live

    @property
    def avgdl(self) -> float:
        return self.base.avgdl if self.base.n else 10.0

    def _options(self) -> dict:
        return {"max_postings": self.max_postings, "budget": self.budget}

    def with_changes(self, upserts: Mapping[str, np.ndarray] | None = None,
                     removes: Iterable[int] = ()) -> "LexicalIndex":
        """A new snapshot with the builder columns ``upserts`` added (replacing documents
        with the same ids) and the ids ``removes`` gone."""
        new_ids = np.asarray(upserts["ids"], np.int64) if upserts is not None else np.zeros(0, np.int64)
        gone = np.union1d(np.fromiter((int(i) for i in removes), np.int64), new_ids)
        dead = self.base_dead
        if len(gone) and self.base.n:
            hit = np.isin(self.base.ids, gone)
            if hit.any():
                dead = dead | hit
        keep = np.flatnonzero(~np.isin(self.delta.ids, gone)) if self.delta.n else np.zeros(0, np.int64)
        delta = merge([(self.delta, keep)], len(self.vocab), avgdl=self.avgdl, extra=upserts)
        return LexicalIndex(self.vocab, self.base, delta, dead, **self._options())

    def needs_compaction(self) -> bool:
        return self.delta.n > max(COMPACT_MIN, int(self.base.n * COMPACT_SHARE))

    def compacted(self) -> "LexicalIndex":
        """Live base rows and the delta merged into one new base."""
        base = merge([(self.base, np.flatnonzero(~self.base_dead)),
                      (self.delta, np.arange(self.delta.n))], len(self.vocab))
        return LexicalIndex(self.vocab, base, empty_segment(len(self.vocab)),
                            np.zeros(base.n, bool), **self._options())

    # -- documents ----------------------------------------------------------------------

    def locate(self, doc_id: int) -> tuple[Segment, int] | None:
        """The live document ``doc_id``: ``(segment, row)``, or None."""
        if self.delta.n:
            r = self.delta.row_of(doc_id)
            if r >= 0:
                return self.delta, r
        if self.base.n:
            r = self.base.row_of(doc_id)
            if r >= 0 and not (self.any_dead and self.base_dead[r]):
                return self.base, r
        return None

    def __contains__(self, doc_id: int) -> bool:
        return self.locate(int(doc_id)) is not None

    def id_array(self) -> np.ndarray:
        """Live document ids, sorted."""
        base = self.base.ids[~self.base_dead] if self.any_dead else self.base.ids
        return np.union1d(base, self.delta.ids) if self.delta.n else base.copy()

    # -- statistics ---------------------------------------------------------------------

    def df_of(self, tids: np.ndarray) -> np.ndarray:
        """Document frequency of term ids (removed base rows count until compaction)."""
        tids = np.asarray(tids, np.int64)
        out = np.zeros(len(tids), np.int64)
        for seg in (self.base, self.delta):
            if seg.n:
                ok = (tids >= 0) & (tids < len(seg.df))
                out[ok] += seg.df[tids[ok]]
        return out

    def idf_of(self, tids: np.ndarray) -> np.ndarray:
        """Background-blended idf of term ids (-1: a term the collection never saw; use idf())."""
        tids = np.asarray(tids, np.int64)
        _, p, _ = self.vocab.arrays()
        known = tids >= 0
        probs = np.where(known, p[np.where(known, tids, 0)], self.vocab.background.unseen_p)
        n = self.live
        return blended_idf(np.minimum(self.df_of(tids), n), n, probs)

    def idf(self, term: str) -> float:
        tid = self.vocab.get(term)
        if tid >= 0:
            return float(self.idf_of(np.array([tid]))[0])
        return float(blended_idf(0, self.live, self.vocab.background.p(term)))

    # -- search -------------------------------------------------------------------------

    def search(self, terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        """Top ``k`` ``(doc id, BM25 score)`` for the unique ``terms``, best first."""
        uniq = list(dict.fromkeys(terms))
        if not uniq or k <= 0 or len(self) == 0:
            return []
        tids = np.array([self.vocab.get(t) for t in uniq], np.int64)
        tids = tids[tids >= 0]
        if not len(tids):
            return []
        idfs = self.idf_of(tids)
        out: list[tuple[int, float]] = []
        for seg, dead in ((self.base, self.base_dead if self.any_dead else None), (self.delta, None)):
            if seg.n == 0:
                continue
            ok = (tids < seg.n_terms)
            cols, weights = tids[ok], idfs[ok]
            if len(cols):
                present = seg.df[cols] > 0
                cols, weights = cols[present], weights[present]
            if not len(cols):
                continue
            # Gather every selected posting in one vectorised step (no per-term slicing).
            starts = seg.post_ptr[cols]
            caps = np.maximum(200, (self.budget * weights / weights.sum()).astype(np.int64))
            lengths = np.minimum(np.minimum(seg.post_ptr[cols + 1] - starts, self.max_postings), caps)
            total = int(lengths.sum())
            if total == 0:
                continue
            shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
            idx = np.arange(total, dtype=np.int64) + shift
            rows = seg.post_rows[idx]
            w = seg.post_impact[idx] * np.repeat(weights.astype(np.float32), lengths)
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
