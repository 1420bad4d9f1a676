"""A segment: the per-document analysis of many documents, in flat numpy arrays.

Everything the re-ranker and BM25 need about a document, without keeping one
Python object per document (at a million documents those cost gigabytes):

* ``ids`` (sorted, so ``row_of`` is a binary search), ``kind`` and ``lang`` codes,
  ``script`` code, number of embedded ``views``, a 64-bit ``content`` hash of the
  document (text, kind, lang), its BM25 length ``dl``;
* the folded matching key, as offsets into one UTF-8 blob;
* its unique terms with their counts (CSR: ``term_ptr``, ``term_ids``, ``term_tf``);
* the postings for BM25 (CSC by term: ``post_ptr``, ``post_rows``, ``post_impact``,
  impact-sorted within each term, so a capped term keeps its best documents), and
  ``df`` per term id.

Segments are immutable.  :class:`SegmentBuilder` appends documents into compact
``array`` buffers and :func:`make_segment` sorts them by id and builds the postings
with a few vectorised passes; :func:`merge` builds a segment from chosen rows of
others (the delta after an update, the base after a compaction) without
re-analysing anything.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

K1 = 1.2
B = 0.75
COLUMNS = ("ids", "kind", "lang", "script", "views", "content", "dl")
ARRAYS = COLUMNS + ("key_ptr", "key_blob", "term_ptr", "term_ids", "term_tf",
                    "post_ptr", "post_rows", "post_impact", "df")
MAX_TF = 65_535
POSTING_BLOCK = 1 << 22


@dataclass(frozen=True)
class Segment:
    ids: np.ndarray          # int64, sorted
    kind: np.ndarray         # int16 code (engine label table)
    lang: np.ndarray         # int16 code
    script: np.ndarray       # int8 code
    views: np.ndarray        # int8
    content: np.ndarray      # uint64
    dl: np.ndarray           # int32
    key_ptr: np.ndarray      # int64, n + 1
    key_blob: np.ndarray     # uint8
    term_ptr: np.ndarray     # int64, n + 1
    term_ids: np.ndarray     # int32
    term_tf: np.ndarray      # uint16
    post_ptr: np.ndarray     # int64, V + 1
    post_rows: np.ndarray    # int32
    post_impact: np.ndarray  # float32
    df: np.ndarray           # int32, V
    avgdl: float

    @property
    def n(self) -> int:
        return int(len(self.ids))

    @property
    def n_terms(self) -> int:
        return int(len(self.df))

    @property
    def total_len(self) -> int:
        return int(self.dl.sum()) if len(self.dl) else 0

    def row_of(self, doc_id: int) -> int:
        """Row of ``doc_id``, or -1."""
        r = int(np.searchsorted(self.ids, doc_id))
        return r if r < len(self.ids) and int(self.ids[r]) == doc_id else -1

    def rows_of(self, doc_ids: np.ndarray) -> np.ndarray:
        """Rows of ``doc_ids`` (-1 where absent)."""
        doc_ids = np.asarray(doc_ids, np.int64)
        if not len(self.ids):
            return np.full(len(doc_ids), -1, np.int64)
        r = np.searchsorted(self.ids, doc_ids)
        r = np.minimum(r, len(self.ids) - 1)
        return np.where(self.ids[r] == doc_ids, r, -1)

    def key(self, row: int) -> str:
        return bytes(self.key_blob[self.key_ptr[row]:self.key_ptr[row + 1]]).decode("utf-8")

    def terms_of(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.term_ptr[row], self.term_ptr[row + 1]
        return self.term_ids[a:b], self.term_tf[a:b]

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in ARRAYS}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], avgdl: float) -> "Segment":
        seg = cls(**{name: arrays[name] for name in ARRAYS}, avgdl=float(avgdl))
        seg.check()
        return seg

    def check(self) -> None:
        """Raise ``ValueError`` if the arrays do not fit together (a damaged file)."""
        n, v = len(self.ids), len(self.df)
        for name in COLUMNS:
            if len(getattr(self, name)) != n:
                raise ValueError(f"column {name} has {len(getattr(self, name))} rows, not {n}")
        for ptr, data, what in ((self.key_ptr, self.key_blob, "key"),
                                (self.term_ptr, self.term_ids, "term")):
            if len(ptr) != n + 1 or ptr[0] != 0 or ptr[-1] != len(data) or \
                    (n and np.any(np.diff(ptr) < 0)):
                raise ValueError(f"{what} offsets are inconsistent")
        m = len(self.term_ids)
        if len(self.term_tf) != m or len(self.post_rows) != m or len(self.post_impact) != m:
            raise ValueError("term and posting arrays differ in length")
        if len(self.post_ptr) != v + 1 or self.post_ptr[-1] != m:
            raise ValueError("posting offsets are inconsistent")
        if m and (self.term_ids.min() < 0 or self.term_ids.max() >= v
                  or self.post_rows.min() < 0 or self.post_rows.max() >= n):
            raise ValueError("term or row ids out of range")
        if n > 1 and np.any(np.diff(self.ids) <= 0):
            raise ValueError("document ids are not sorted and unique")


def empty_segment(n_terms: int = 0) -> Segment:
    z64, z32 = np.zeros(0, np.int64), np.zeros(0, np.int32)
    return Segment(z64, np.zeros(0, np.int16), np.zeros(0, np.int16), np.zeros(0, np.int8),
                   np.zeros(0, np.int8), np.zeros(0, np.uint64), z32, np.zeros(1, np.int64),
                   np.zeros(0, np.uint8), np.zeros(1, np.int64), z32, np.zeros(0, np.uint16),
                   np.zeros(n_terms + 1, np.int64), z32, np.zeros(0, np.float32),
                   np.zeros(n_terms, np.int32), 10.0)


class SegmentBuilder:
    """Append documents one at a time into compact buffers (no per-document objects)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.kind = array("h")
        self.lang = array("h")
        self.script = array("b")
        self.views = array("b")
        self.content = array("Q")
        self.dl = array("i")
        self.key_len = array("q")
        self.key_blob = bytearray()
        self.term_len = array("q")
        self.term_ids = array("i")
        self.term_tf = array("H")

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc_id: int, *, kind: int, lang: int, script: int, views: int, content: int,
            key: str, term_ids: Sequence[int], term_tf: Sequence[int], dl: int) -> None:
        self.ids.append(int(doc_id))
        self.kind.append(kind)
        self.lang.append(lang)
        self.script.append(script)
        self.views.append(views)
        self.content.append(content)
        self.dl.append(int(dl))
        raw = key.encode("utf-8")
        self.key_len.append(len(raw))
        self.key_blob += raw
        self.term_len.append(len(term_ids))
        self.term_ids.extend(term_ids)
        self.term_tf.extend(min(int(t), MAX_TF) for t in term_tf)

    def columns(self) -> dict[str, np.ndarray]:
        """The buffers as arrays (views where possible; the builder is done afterwards)."""
        key_ptr = np.zeros(len(self.key_len) + 1, np.int64)
        np.cumsum(np.frombuffer(self.key_len, np.int64), out=key_ptr[1:])
        term_ptr = np.zeros(len(self.term_len) + 1, np.int64)
        np.cumsum(np.frombuffer(self.term_len, np.int64), out=term_ptr[1:])
        return {
            "ids": np.frombuffer(self.ids, np.int64), "kind": np.frombuffer(self.kind, np.int16),
            "lang": np.frombuffer(self.lang, np.int16), "script": np.frombuffer(self.script, np.int8),
            "views": np.frombuffer(self.views, np.int8),
            "content": np.frombuffer(self.content, np.uint64), "dl": np.frombuffer(self.dl, np.int32),
            "key_ptr": key_ptr, "key_blob": np.frombuffer(self.key_blob, np.uint8),
            "term_ptr": term_ptr, "term_ids": np.frombuffer(self.term_ids, np.int32),
            "term_tf": np.frombuffer(self.term_tf, np.uint16),
        }


def _gather(ptr: np.ndarray, data: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows ``rows`` of (ptr, data), as a new (ptr, data)."""
    lens = (ptr[1:] - ptr[:-1])[rows]
    new_ptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lens, out=new_ptr[1:])
    total = int(new_ptr[-1])
    if total == 0:
        return new_ptr, data[:0].copy()
    starts = ptr[:-1][rows]
    idx = np.repeat(starts - new_ptr[:-1], lens) + np.arange(total, dtype=np.int64)
    return new_ptr, data[idx]


def make_segment(cols: Mapping[str, np.ndarray], n_terms: int, avgdl: float | None = None) -> Segment:
    """A segment from builder columns: rows sorted by id, postings built.

    ``avgdl`` fixes BM25's length normalisation (a delta uses its base's average so
    scores stay comparable); by default the segment's own average.
    """
    ids = np.asarray(cols["ids"], np.int64)
    n = len(ids)
    if n == 0:
        return empty_segment(n_terms)
    if len(np.unique(ids)) != n:
        raise ValueError("document ids repeat within a segment")
    order = np.argsort(ids, kind="stable")
    if np.array_equal(order, np.arange(n)):
        order = None
    cols = dict(cols)
    if order is not None:
        for name in COLUMNS:
            cols[name] = np.asarray(cols[name])[order]
        cols["key_ptr"], cols["key_blob"] = _gather(cols["key_ptr"], cols["key_blob"], order)
        term_ptr, term_ids = _gather(cols["term_ptr"], cols["term_ids"], order)
        _, cols["term_tf"] = _gather(cols["term_ptr"], cols["term_tf"], order)
        cols["term_ptr"], cols["term_ids"] = term_ptr, term_ids
    dl = np.asarray(cols["dl"], np.int32)
    avg = float(avgdl) if avgdl else max(float(dl.sum()) / n, 1.0)
    term_ptr = np.asarray(cols["term_ptr"], np.int64)
    term_ids = np.asarray(cols["term_ids"], np.int32)
    term_tf = np.asarray(cols["term_tf"], np.uint16)
    post_ptr, post_rows, post_impact, df = _postings(term_ptr, term_ids, term_tf, dl, avg, n_terms)
    return Segment(
        ids=np.ascontiguousarray(cols["ids"], np.int64), kind=np.asarray(cols["kind"], np.int16),
        lang=np.asarray(cols["lang"], np.int16), script=np.asarray(cols["script"], np.int8),
        views=np.asarray(cols["views"], np.int8), content=np.asarray(cols["content"], np.uint64),
        dl=dl, key_ptr=np.asarray(cols["key_ptr"], np.int64),
        key_blob=np.asarray(cols["key_blob"], np.uint8), term_ptr=term_ptr, term_ids=term_ids,
        term_tf=term_tf, post_ptr=post_ptr, post_rows=post_rows, post_impact=post_impact, df=df,
        avgdl=avg)


def _postings(term_ptr: np.ndarray, term_ids: np.ndarray, term_tf: np.ndarray, dl: np.ndarray,
              avgdl: float, n_terms: int, block: int = POSTING_BLOCK
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CSC postings: by term, then by impact descending (a capped term keeps its best).

    Built a block of terms at a time (about ``block`` postings each), each posting's row
    and impact computed only within its block: one sort of every posting needed ~7
    temporary arrays of their size (about 1.5 GB more at a million documents).
    """
    m = len(term_ids)
    norm = (K1 * (1 - B + B * dl.astype(np.float32) / avgdl)).astype(np.float32)
    df = np.bincount(term_ids, minlength=n_terms).astype(np.int32)
    post_ptr = np.zeros(n_terms + 1, np.int64)
    np.cumsum(df, out=post_ptr[1:])
    post_rows = np.empty(m, np.int32)
    post_impact = np.empty(m, np.float32)
    t0 = 0
    while t0 < n_terms and m:
        # Terms t0..t1-1 hold about ``block`` postings (at least one term per block).
        t1 = max(int(np.searchsorted(post_ptr, post_ptr[t0] + block, side="right")) - 1, t0 + 1)
        t1 = min(t1, n_terms)
        lo, hi = int(post_ptr[t0]), int(post_ptr[t1])
        if hi > lo:
            sel = np.flatnonzero((term_ids >= t0) & (term_ids < t1)) if (t0, t1) != (0, n_terms) \
                else np.arange(m)
            rows = (np.searchsorted(term_ptr, sel, side="right") - 1).astype(np.int32)
            tf = term_tf[sel].astype(np.float32)
            impact = tf * np.float32(K1 + 1) / (tf + norm[rows])
            order = np.lexsort((-impact, term_ids[sel]))
            post_rows[lo:hi] = rows[order]
            post_impact[lo:hi] = impact[order]
        t0 = t1
    return post_ptr, post_rows, post_impact, df


def merge(parts: Sequence[tuple[Segment, np.ndarray]], n_terms: int,
          avgdl: float | None = None, extra: Mapping[str, np.ndarray] | None = None) -> Segment:
    """A segment from chosen ``rows`` of several segments (plus builder columns ``extra``)."""
    pieces: list[dict[str, np.ndarray]] = []
    for seg, rows in parts:
        rows = np.asarray(rows, np.int64)
        if not len(rows):
            continue
        piece = {name: getattr(seg, name)[rows] for name in COLUMNS}
        piece["key_ptr"], piece["key_blob"] = _gather(seg.key_ptr, seg.key_blob, rows)
        piece["term_ptr"], piece["term_ids"] = _gather(seg.term_ptr, seg.term_ids, rows)
        _, piece["term_tf"] = _gather(seg.term_ptr, seg.term_tf, rows)
        pieces.append(piece)
    if extra is not None and len(extra["ids"]):
        pieces.append(dict(extra))
    if not pieces:
        return empty_segment(n_terms)
    if len(pieces) == 1:
        return make_segment(pieces[0], n_terms, avgdl)
    cols: dict[str, np.ndarray] = {}
    for name in COLUMNS + ("key_blob", "term_ids", "term_tf"):
        cols[name] = np.concatenate([p[name] for p in pieces])
    for ptr in ("key_ptr", "term_ptr"):
        lens = np.concatenate([np.diff(p[ptr]) for p in pieces])
        cols[ptr] = np.zeros(len(lens) + 1, np.int64)
        np.cumsum(lens, out=cols[ptr][1:])
    return make_segment(cols, n_terms, avgdl)
