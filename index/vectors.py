"""FAISS vector index with stable int64 ids.

Contract (the engine relies on it):

* ``VectorIndex(dim)`` - empty index of L2-normalised float32 vectors, scored by inner product.
* ``build(ids, vecs)`` replaces the contents; ``add(ids, vecs)`` upserts; ``remove(ids)`` deletes.
  None of them mutates an index that a search may be reading: they build the new
  index on the side and swap the reference under a lock, so ``search`` is safe
  from any number of threads while updates happen.
* ``search(queries, k)`` returns one list of ``(id, score)`` per query, plain Python
  ``int``/``float``, with FAISS's ``-1`` "no result" labels dropped.
* ``ids()`` returns the set of ids currently indexed; ``len(index)`` their count.
"""
from __future__ import annotations

import threading
from typing import Iterable

import numpy as np


def _faiss():
    import faiss

    return faiss


class VectorIndex:
    def __init__(self, dim: int):
        self.dim = int(dim)
        self._lock = threading.Lock()
        self._ids = np.zeros(0, dtype=np.int64)
        self._vecs = np.zeros((0, self.dim), dtype=np.float32)
        self._index = self._make(self._ids, self._vecs)

    def _make(self, ids: np.ndarray, vecs: np.ndarray):
        faiss = _faiss()
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        if len(ids):
            index.add_with_ids(vecs, ids)
        return index

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> set[int]:
        return set(int(i) for i in self._ids)

    def build(self, ids: Iterable[int], vecs: np.ndarray) -> None:
        ids_arr = np.asarray(list(ids), dtype=np.int64)
        vecs = np.ascontiguousarray(vecs, dtype=np.float32).reshape(-1, self.dim)
        if len(ids_arr) != len(vecs):
            raise ValueError("ids and vectors differ in length")
        new = self._make(ids_arr, vecs)
        with self._lock:
            self._ids, self._vecs, self._index = ids_arr, vecs, new

    def add(self, ids: Iterable[int], vecs: np.ndarray) -> None:
        ids_arr = np.asarray(list(ids), dtype=np.int64)
        vecs = np.ascontiguousarray(vecs, dtype=np.float32).reshape(-1, self.dim)
        with self._lock:
            keep = ~np.isin(self._ids, ids_arr)
            all_ids = np.concatenate([self._ids[keep], ids_arr])
            all_vecs = np.concatenate([self._vecs[keep], vecs])
        self.build(all_ids, all_vecs)

    def remove(self, ids: Iterable[int]) -> None:
        ids_arr = np.asarray(list(ids), dtype=np.int64)
        with self._lock:
            keep = ~np.isin(self._ids, ids_arr)
            all_ids, all_vecs = self._ids[keep], self._vecs[keep]
        self.build(all_ids, all_vecs)

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        index = self._index  # one reference read: a concurrent swap cannot affect this search
        if index.ntotal == 0 or k <= 0:
            return [[] for _ in range(len(queries))]
        scores, labels = index.search(queries, min(k, index.ntotal))
        return [
            [(int(i), float(s)) for i, s in zip(lab, sc) if i != -1]
            for lab, sc in zip(labels, scores)
        ]
