"""FAISS vector index with stable int64 ids.

Contract (the engine relies on it):

* ``VectorIndex(dim)`` - empty index of L2-normalised float32 vectors, scored by inner
  product (cosine).  Exact search (``IndexIDMap2(IndexFlatIP)``) up to ``exact_max``
  items; above that an ``IndexIVFFlat`` with native ids, trained on a sample, whose
  ``nprobe`` is calibrated at build time so that recall@10 against exact search is at
  least ``target_recall``.  IVF vectors are stored in half precision by default
  (``IndexIVFScalarQuantizer``, ``storage="float16"``): half the memory, which matters
  when several vectors are indexed per document; scores then differ from float32 by
  about 1e-3 and ``reconstruct`` returns the rounded vectors.  ``storage="float32"``
  keeps full precision (``IndexIVFFlat``).  Exact indexes are always float32.
* ``build(ids, vecs)`` / ``build_chunks(chunks, total=)`` replace the contents (the new
  index is built on the side while searches continue on the old one, then swapped);
  ``add(ids, vecs)`` upserts and ``remove(ids)`` deletes, in place, under the exclusive
  side of a readers-writer lock: many searches run concurrently, a writer waits for
  them and blocks new ones for the few milliseconds an update takes.  A removed id is
  never returned by a search that starts after ``remove`` returned.
* When an update pushes the size across ``exact_max``, or an IVF index grows past
  ``retrain_factor`` times the size it was trained for (or shrinks far below
  ``exact_max``), the index is rebuilt on the side from its own stored vectors and swapped.
* ``search(queries, k, exclude=())`` returns one list of ``(id, score)`` per query, best
  first, plain Python ``int``/``float``, with FAISS's ``-1`` "no result" labels dropped.
* ``ids()`` returns the set of ids currently indexed; ``len(index)`` their count;
  ``reconstruct(ids)`` gives stored vectors back (no separate numpy copy is kept).
* ``save(dir, model_id=, watermark=)`` / ``VectorIndex.load(dir, model_id=, dim=)``:
  atomic, checksummed persistence (see ``index.persist``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from index.models import available_cores
from index.persist import (
    IndexWriteError, Manifest, ManifestError, atomic_write, describe_os_error, dir_lock,
    next_generation, read_manifest, remove_stale, write_manifest,
)
from index.rwlock import RWLock

log = logging.getLogger(__name__)

# Below this size exact search meets the latency budget (measured: see benchmarks/README.md).
EXACT_MAX = 20_000
TARGET_RECALL = 0.985
RETRAIN_FACTOR = 4.0
TRAIN_PER_LIST = 39  # FAISS warns below 39 training points per list
MAX_TRAIN = 65_536  # at least; IVF trains on max(this, 39 * nlist) points
CALIBRATION_QUERIES = 512
CALIBRATION_K = 10
_CHUNK = 65_536
STORAGES = ("float32", "float16")
# IVF vectors in half precision: at 1M, 0.76 GB instead of 1.52 GB, searches 20 % faster,
# the same recall@10 against exact float32 search (0.983), scores within ~1e-3.
DEFAULT_STORAGE = "float16"
_NPROBE_STEPS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)

Chunk = tuple[np.ndarray, np.ndarray]
Source = Callable[[], Iterable[Chunk]]


def _faiss():
    import faiss

    return faiss


class LoadReason(str, Enum):
    """Why ``VectorIndex.load`` returned no index; the caller then rebuilds from source rows."""

    MISSING = "missing"
    CORRUPT = "corrupt"
    CHECKSUM = "checksum"
    MODEL_CHANGED = "model changed"
    DIM_CHANGED = "dimension changed"


@dataclass(frozen=True)
class LoadResult:
    index: "VectorIndex | None"
    reason: LoadReason | None = None
    detail: str = ""
    manifest: Manifest | None = None

    @property
    def ok(self) -> bool:
        return self.index is not None


def choose_nlist(n: int) -> int:
    """Inverted lists for ``n`` vectors: a power of two near ``4 * sqrt(n)``, >= 39 points per list."""
    target = 4.0 * math.sqrt(max(n, 1))
    nlist = 2 ** round(math.log2(target))
    while nlist > 16 and n / nlist < TRAIN_PER_LIST:
        nlist //= 2
    return int(max(16, min(nlist, 65_536)))


def _check_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    arr = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids))
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError("ids must be a flat sequence of integers")
    if arr.dtype == np.uint64 and arr.max() > np.iinfo(np.int64).max:
        raise ValueError("ids must fit in int64")
    arr = arr.astype(np.int64, copy=False)
    if (arr == -1).any():
        raise ValueError("id -1 is reserved by FAISS for 'no result'")
    return arr


def _check_vecs(vecs: np.ndarray, dim: int, n: int | None = None) -> np.ndarray:
    arr = np.asarray(vecs)
    if arr.ndim == 1 and n in (None, 1) and arr.size == dim:
        arr = arr.reshape(1, dim)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"vectors must have shape (n, {dim}), got {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{n} ids but {arr.shape[0]} vectors")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise ValueError("vectors contain NaN or infinity")
    return arr


def _unique_or_raise(ids: np.ndarray) -> None:
    if len(np.unique(ids)) != len(ids):
        raise ValueError("duplicate ids in one call")


def _probe_queries(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Calibration queries shaped like incoming claims, from stored vectors.

    Half are paraphrases of a stored item (cosine 0.6-0.95), half blend two stored
    items (a claim about neither); the latter have scattered neighbours, which is
    where an IVF index loses recall.
    """
    n, dim = base.shape
    half = n // 2
    blend = _unit_rows(base[:half] + base[rng.permutation(n)[:half]])
    anchors = np.concatenate([base[half:], blend])
    cos = np.concatenate([rng.uniform(0.6, 0.95, size=n - half), np.full(half, 0.8)])
    sigma = np.sqrt((1.0 / cos**2 - 1.0) / dim).astype(np.float32)[:, None]
    q = anchors + rng.standard_normal(anchors.shape, dtype=np.float32) * sigma
    return _unit_rows(q)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


class _GroundTruth:
    """Exact top-k of fixed queries, accumulated chunk by chunk while vectors stream past."""

    def __init__(self, queries: np.ndarray, k: int):
        self.queries = queries
        self.k = k
        self.scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        self.ids = np.full((len(queries), k), -1, dtype=np.int64)

    def update(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        if not len(ids):
            return
        faiss = _faiss()
        k = min(self.k, len(ids))
        d, i = faiss.knn(self.queries, vecs, k, metric=faiss.METRIC_INNER_PRODUCT)
        scores = np.concatenate([self.scores, d], axis=1)
        labels = np.concatenate([self.ids, ids[i]], axis=1)
        top = np.argsort(-scores, axis=1, kind="stable")[:, : self.k]
        self.scores = np.take_along_axis(scores, top, axis=1)
        self.ids = np.take_along_axis(labels, top, axis=1)


@dataclass
class _Built:
    index: Any
    nprobe: int | None
    trained_for: int
    recall: float | None


class VectorIndex:
    """A FAISS index of normalised vectors under stable int64 ids, safe for concurrent use."""

    def __init__(self, dim: int, *, exact_max: int = EXACT_MAX, target_recall: float = TARGET_RECALL,
                 retrain_factor: float = RETRAIN_FACTOR, storage: str = DEFAULT_STORAGE,
                 seed: int = 20_240_601):
        if int(dim) <= 0:
            raise ValueError("dim must be positive")
        if storage not in STORAGES:
            raise ValueError(f"storage must be one of {', '.join(STORAGES)}, not {storage!r}")
        self.storage = storage
        self.dim = int(dim)
        self.exact_max = int(exact_max)
        self.target_recall = float(target_recall)
        self.retrain_factor = float(retrain_factor)
        self.seed = seed
        self._rw = RWLock()
        self._writer = threading.Lock()  # one mutator (or saver) at a time; searches unaffected
        self._index = self._flat()
        self._nprobe: int | None = None
        self._trained_for = 0
        self.calibrated_recall: float | None = None

    # -- introspection -------------------------------------------------------------

    @property
    def kind(self) -> str:
        return "flat" if self._nprobe is None else "ivf"

    @property
    def nprobe(self) -> int | None:
        return self._nprobe

    @property
    def nlist(self) -> int | None:
        return None if self._nprobe is None else int(self._index.nlist)

    @property
    def trained_for(self) -> int:
        return self._trained_for

    def __len__(self) -> int:
        with self._rw.read():
            return int(self._index.ntotal)

    def id_array(self) -> np.ndarray:
        """Indexed ids as an int64 array (unordered)."""
        with self._rw.read():
            return self._ids_of(self._index)

    def ids(self) -> set[int]:
        return set(self.id_array().tolist())

    def reconstruct(self, ids: Iterable[int]) -> np.ndarray:
        """Stored vectors for ``ids``, shape ``(n, dim)``; ``KeyError`` for an unknown id."""
        arr = _check_ids(ids)
        out = np.empty((len(arr), self.dim), dtype=np.float32)
        with self._rw.read():
            for row, i in enumerate(arr):
                try:
                    out[row] = self._index.reconstruct(int(i))
                except RuntimeError:
                    raise KeyError(int(i)) from None
        return out

    # -- search --------------------------------------------------------------------

    def search(self, queries: np.ndarray, k: int,
               exclude: Iterable[int] = ()) -> list[list[tuple[int, float]]]:
        """Top ``k`` ``(id, score)`` per query, best first; ids in ``exclude`` never appear."""
        q = _check_vecs(queries, self.dim)
        if k <= 0 or len(q) == 0:
            return [[] for _ in range(len(q))]
        faiss = _faiss()
        excluded = _check_ids(exclude)
        self._threads_for(len(q))
        with self._rw.read():
            index = self._index
            if index.ntotal == 0:
                return [[] for _ in range(len(q))]
            kk = int(min(k, index.ntotal))
            # Keep both selectors referenced until the search returns: FAISS holds raw pointers.
            banned = faiss.IDSelectorBatch(excluded) if len(excluded) else None
            sel = faiss.IDSelectorNot(banned) if banned is not None else None
            if self._nprobe is not None:
                params = faiss.SearchParametersIVF(nprobe=self._nprobe, sel=sel)
            else:
                params = faiss.SearchParameters(sel=sel) if sel is not None else None
            scores, labels = index.search(q, kk, params=params)
        return [
            [(int(i), float(s)) for i, s in zip(lab, sc) if i != -1]
            for lab, sc in zip(labels, scores)
        ]

    def _kind_name(self, nprobe: int | None) -> str:
        if nprobe is None:
            return "flat"
        return "ivf" if self.storage == "float32" else "ivf-float16"

    def _threads_for(self, n_queries: int) -> None:
        """One OpenMP thread for small searches, all cores for batches (this thread only).

        On two cores shared with other work, a two-thread OpenMP region waits at its
        barrier whenever one thread is descheduled: a 10k exact search took 16-23 ms
        p50 that way against 0.55 ms single-threaded.  FAISS uses BLAS (and benefits
        from threads) from 20 queries up.  ``omp_set_num_threads`` only changes the
        calling thread's setting, so other threads (a build, say) are unaffected.
        """
        _faiss().omp_set_num_threads(1 if n_queries < 20 else available_cores())

    # -- updates -------------------------------------------------------------------

    def build(self, ids: Iterable[int] | np.ndarray, vecs: np.ndarray) -> None:
        """Replace the contents with ``ids``/``vecs`` (the arrays are not copied twice)."""
        ids_arr = _check_ids(ids)
        vecs = _check_vecs(vecs, self.dim, len(ids_arr))
        _unique_or_raise(ids_arr)

        def source() -> Iterator[Chunk]:
            for start in range(0, len(ids_arr), _CHUNK):
                yield ids_arr[start:start + _CHUNK], vecs[start:start + _CHUNK]

        self._replace(self._build_new(source, len(ids_arr)))

    def build_chunks(self, chunks: Source | Iterable[Chunk], *, total: int) -> None:
        """Replace the contents from ``(ids, vecs)`` chunks without holding them all in memory.

        ``total`` is the expected count (it picks exact vs IVF and the number of lists).
        Pass a callable that returns a fresh iterable of the same chunks on every call:
        an IVF build then reads them three times (sample, assign, add) and sizes every
        inverted list exactly, which saves about a third of the index's memory.  A
        one-shot iterable also works, with the training sample taken from its first
        chunks (so they should come in no particular order).
        """
        self._replace(self._build_new(chunks, int(total)))

    def add(self, ids: Iterable[int] | np.ndarray, vecs: np.ndarray) -> None:
        """Insert or replace vectors under ``ids``."""
        ids_arr = _check_ids(ids)
        vecs = _check_vecs(vecs, self.dim, len(ids_arr))
        if not len(ids_arr):
            return
        _unique_or_raise(ids_arr)
        with self._writer:
            index = self._index
            new_total = int(index.ntotal) + len(ids_arr)
            if self._needs_rebuild(new_total):
                # Only now pay for listing the ids: replaced items do not grow the index.
                new_total -= int(np.isin(ids_arr, self._ids_of(index)).sum())
            if self._needs_rebuild(new_total):
                built = self._build_new(
                    lambda: _chain(self._stored_chunks(index, drop=ids_arr), [(ids_arr, vecs)]),
                    new_total)
                self._swap(built)
                return
            with self._rw.write():
                index.remove_ids(self._selector(ids_arr))
                index.add_with_ids(vecs, ids_arr)

    def remove(self, ids: Iterable[int] | np.ndarray) -> int:
        """Delete ``ids`` (unknown ids are ignored); returns how many were removed."""
        ids_arr = _check_ids(ids)
        if not len(ids_arr):
            return 0
        with self._writer:
            index = self._index
            with self._rw.write():
                removed = int(index.remove_ids(self._selector(np.unique(ids_arr))))
            if self._nprobe is not None and index.ntotal < self.exact_max // 2:
                built = self._build_new(lambda: self._stored_chunks(index), int(index.ntotal))
                self._swap(built)
            return removed

    def clear(self) -> None:
        """Drop every vector (frees memory before a large rebuild)."""
        with self._writer:
            self._swap(_Built(self._flat(), None, 0, None))

    # -- persistence ---------------------------------------------------------------

    def save(self, directory: Path | str, *, model_id: str, watermark: int,
             extra: dict[str, Any] | None = None) -> Manifest:
        """Write the index and its manifest atomically; raise ``IndexWriteError`` on failure.

        Searches continue while saving; updates wait until the file is written.
        """
        directory = Path(directory)
        extra = dict(extra or {})
        try:
            json.dumps(extra)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"extra must be JSON-serialisable: {exc}") from exc
        faiss = _faiss()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with dir_lock(directory):
                generation = next_generation(directory)
                name = f"vectors.{generation}.faiss"
                with self._writer:
                    index, nprobe, trained_for = self._index, self._nprobe, self._trained_for
                    count = int(index.ntotal)

                    def write(fh) -> None:
                        writer = faiss.PyCallbackIOWriter(fh.write)
                        faiss.write_index(index, writer)
                        del writer  # flushes faiss's buffer into fh

                    checksum, size = atomic_write(directory / name, write)
                manifest = Manifest(
                    model_id=model_id, dim=self.dim, count=count, watermark=int(watermark),
                    checksum=checksum, size=size, index_file=name, generation=generation,
                    index_kind=self._kind_name(nprobe), nprobe=nprobe,
                    trained_for=trained_for,
                    created_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    extra=extra,
                )
                write_manifest(directory, manifest)
                remove_stale(directory, keep=name)
                return manifest
        except OSError as exc:
            raise IndexWriteError(
                f"could not save the vector index in {directory}: {describe_os_error(exc)}; "
                "the previous index is unchanged", errno_=exc.errno,
            ) from exc

    @classmethod
    def load(cls, directory: Path | str, *, model_id: str, dim: int, **options: Any) -> LoadResult:
        """Load a saved index, or say why not (the caller then rebuilds from its rows).

        ``options`` are passed to the constructor (``exact_max``, ``target_recall``...).
        """
        directory = Path(directory)
        for attempt in range(2):
            try:
                manifest = read_manifest(directory)
            except FileNotFoundError:
                return LoadResult(None, LoadReason.MISSING, f"no manifest in {directory}")
            except ManifestError as exc:
                return LoadResult(None, LoadReason.CORRUPT, str(exc))
            except OSError as exc:
                return LoadResult(None, LoadReason.CORRUPT, f"cannot read manifest: {exc}")
            if manifest.model_id != model_id:
                return LoadResult(None, LoadReason.MODEL_CHANGED,
                                  f"index was built with {manifest.model_id!r}, not {model_id!r}",
                                  manifest)
            if manifest.dim != int(dim):
                return LoadResult(None, LoadReason.DIM_CHANGED,
                                  f"index has dimension {manifest.dim}, expected {dim}", manifest)
            try:
                fh = open(directory / manifest.index_file, "rb")
            except FileNotFoundError:
                if attempt == 0:
                    continue  # a concurrent save may just have replaced the pair: re-read
                return LoadResult(None, LoadReason.MISSING,
                                  f"index file {manifest.index_file} is missing", manifest)
            except OSError as exc:
                return LoadResult(None, LoadReason.CORRUPT, f"cannot open index file: {exc}", manifest)
            with fh:
                return cls._load_open(fh, manifest, int(dim), options)
        raise AssertionError("unreachable")

    @classmethod
    def _load_open(cls, fh, manifest: Manifest, dim: int, options: dict[str, Any]) -> LoadResult:
        size = os.fstat(fh.fileno()).st_size
        if size != manifest.size:
            return LoadResult(None, LoadReason.CORRUPT,
                              f"index file has {size} bytes, manifest says {manifest.size}", manifest)
        # Verify before parsing: a flipped length field could make FAISS allocate wildly.
        sha = hashlib.sha256()
        try:
            while block := fh.read(1 << 22):
                sha.update(block)
        except OSError as exc:
            return LoadResult(None, LoadReason.CORRUPT, f"cannot read index file: {exc}", manifest)
        if f"sha256:{sha.hexdigest()}" != manifest.checksum:
            return LoadResult(None, LoadReason.CHECKSUM, "index file does not match its checksum",
                              manifest)
        fh.seek(0)
        faiss = _faiss()
        try:
            reader = faiss.PyCallbackIOReader(fh.read)
            raw = faiss.read_index(reader)
            del reader
        except (RuntimeError, OSError, MemoryError) as exc:
            return LoadResult(None, LoadReason.CORRUPT, f"FAISS cannot read the index: {exc}",
                              manifest)
        problem = cls._shape_problem(raw, manifest, dim)
        if problem:
            return LoadResult(None, LoadReason.CORRUPT, problem, manifest)
        if isinstance(raw, faiss.IndexIVF):  # the file decides; a flat file keeps the caller's choice
            options = {**options, "storage": "float16" if isinstance(raw, faiss.IndexIVFScalarQuantizer)
                       else "float32"}
        vi = cls(dim, **options)
        vi._index = raw
        vi._trained_for = int(manifest.trained_for if manifest.trained_for is not None else raw.ntotal)
        if isinstance(raw, faiss.IndexIVF):
            vi._nprobe = int(manifest.nprobe or raw.nprobe)
            if raw.direct_map.type != faiss.DirectMap.Hashtable:
                raw.set_direct_map_type(faiss.DirectMap.Hashtable)
        return LoadResult(vi, None, "", manifest)

    @staticmethod
    def _shape_problem(raw: Any, manifest: Manifest, dim: int) -> str | None:
        faiss = _faiss()
        if raw.d != dim:
            return f"index file has dimension {raw.d}, expected {dim}"
        if raw.ntotal != manifest.count:
            return f"index file holds {raw.ntotal} vectors, manifest says {manifest.count}"
        if raw.metric_type != faiss.METRIC_INNER_PRODUCT:
            return "index file does not use inner-product scoring"
        if not isinstance(raw, (faiss.IndexIDMap2, faiss.IndexIVFFlat, faiss.IndexIVFScalarQuantizer)):
            return f"unexpected index type {type(raw).__name__}"
        if isinstance(raw, faiss.IndexIVFScalarQuantizer) and (
                raw.by_residual or raw.sq.qtype != faiss.ScalarQuantizer.QT_fp16):
            return "unexpected scalar-quantizer settings"
        return None

    # -- internals -----------------------------------------------------------------

    def _flat(self):
        faiss = _faiss()
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _selector(self, ids: np.ndarray) -> Any:
        faiss = _faiss()
        # IVF's hashtable direct map accepts only an array selector; IDMap2 scans every
        # stored id, so a hashed set keeps that linear rather than quadratic.
        return faiss.IDSelectorArray(ids) if self._nprobe is not None else faiss.IDSelectorBatch(ids)

    def _needs_rebuild(self, new_total: int) -> bool:
        if self._nprobe is None:
            return new_total > self.exact_max
        return new_total > self.retrain_factor * max(self._trained_for, 1) or \
            new_total < self.exact_max // 2

    def _replace(self, built: _Built) -> None:
        with self._writer:
            self._swap(built)

    def _swap(self, built: _Built) -> None:
        with self._rw.write():
            self._index, self._nprobe = built.index, built.nprobe
            self._trained_for, self.calibrated_recall = built.trained_for, built.recall

    def _build_new(self, source: Source | Iterable[Chunk], total: int) -> _Built:
        """Build a fresh index from ``source``; the live index is not touched."""
        _faiss().omp_set_num_threads(available_cores())  # this thread may have searched before
        reiterable = callable(source)

        def read(chunks: Iterable[Chunk]) -> Iterator[Chunk]:
            for ids, vecs in chunks:
                ids = _check_ids(ids)
                yield ids, _check_vecs(vecs, self.dim, len(ids))

        if total <= self.exact_max:
            index = self._flat()
            seen = []
            for ids, vecs in read(source() if reiterable else source):
                index.add_with_ids(vecs, ids)
                seen.append(ids)
            self._check_unique(seen)
            return _Built(index, None, int(index.ntotal), None)

        rng = np.random.default_rng(self.seed)
        nlist = choose_nlist(total)
        want = min(total, max(MAX_TRAIN, TRAIN_PER_LIST * nlist))
        if reiterable:
            sample, pending = self._uniform_sample(read(source()), total, want, rng), None
        else:
            pending = iter(read(source))
            sample, buffered = self._leading_sample(pending, want, rng)
            pending = _chain(buffered, pending)
        if len(sample) == 0:
            raise ValueError(f"expected about {total} vectors, got none")
        nlist = max(1, min(nlist, len(sample) // TRAIN_PER_LIST or 1))
        index = self._trained_ivf(sample, nlist)
        picks = rng.choice(len(sample), size=min(len(sample), CALIBRATION_QUERIES), replace=False)
        truth = _GroundTruth(_probe_queries(sample[picks], rng), CALIBRATION_K)
        del sample
        if reiterable:
            self._add_presized(index, lambda: read(source()), truth)
        else:
            seen = []
            for ids, vecs in pending:
                index.add_with_ids(vecs, ids)
                truth.update(ids, vecs)
                seen.append(ids)
            self._check_unique(seen)
        nprobe, recall = self._calibrate(index, truth)
        log.info("IVF index: %d vectors, nlist=%d, nprobe=%d, recall@%d=%.3f",
                 index.ntotal, index.nlist, nprobe, CALIBRATION_K, recall)
        return _Built(index, nprobe, int(index.ntotal), recall)

    def _trained_ivf(self, sample: np.ndarray, nlist: int) -> Any:
        faiss = _faiss()
        quantizer = faiss.IndexFlatIP(self.dim)
        if self.storage == "float16":
            # Raw vectors (not residuals) in fp16, so stored codes decode without centroids.
            index = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist,
                                                  faiss.ScalarQuantizer.QT_fp16,
                                                  faiss.METRIC_INNER_PRODUCT, False)
        else:
            index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.spherical = True  # centroids on the unit sphere suit inner product
        index.cp.seed = int(self.seed % (2**31))
        index.train(sample)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        return index

    @staticmethod
    def _uniform_sample(chunks: Iterable[Chunk], total: int, want: int,
                        rng: np.random.Generator) -> np.ndarray:
        rate = min(1.0, want / max(total, 1))
        parts = [vecs[rng.random(len(vecs)) < rate] for _, vecs in chunks]
        sample = np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
        if len(sample) > want:
            sample = sample[rng.choice(len(sample), size=want, replace=False)]
        return np.ascontiguousarray(sample, dtype=np.float32)

    @staticmethod
    def _leading_sample(chunks: Iterator[Chunk], want: int,
                        rng: np.random.Generator) -> tuple[np.ndarray, list[Chunk]]:
        buffered: list[Chunk] = []
        have = 0
        for chunk in chunks:
            buffered.append(chunk)
            have += len(chunk[0])
            if have >= want:
                break
        pool = np.concatenate([v for _, v in buffered])
        sample = pool[rng.choice(len(pool), size=min(len(pool), want), replace=False)]
        return np.ascontiguousarray(sample), buffered

    def _add_presized(self, index: Any, source: Callable[[], Iterable[Chunk]],
                      truth: _GroundTruth) -> None:
        """Assign every vector, size each inverted list exactly, then add.

        Appending grows each list's buffer by doubling, leaving up to half of it
        unused; at 1M vectors that was 2.1 GB instead of 1.6 GB.
        """
        faiss = _faiss()
        assigned: list[np.ndarray] = []
        seen: list[np.ndarray] = []
        counts = np.zeros(index.nlist, dtype=np.int64)
        for ids, vecs in source():
            _, lists = index.quantizer.search(vecs, 1)
            lists = np.ascontiguousarray(lists.ravel(), dtype=np.int64)
            assigned.append(lists)
            counts += np.bincount(lists, minlength=index.nlist)
            truth.update(ids, vecs)
            seen.append(ids)
        self._check_unique(seen)
        invlists = index.invlists
        for lst in np.flatnonzero(counts):
            # Grow to the final size once, then empty: the capacity stays reserved.
            invlists.resize(int(lst), int(counts[lst]))
            invlists.resize(int(lst), 0)
        step = 0
        for ids, vecs in source():
            if step >= len(seen) or not np.array_equal(ids, seen[step]):
                raise ValueError("the chunk source returned different chunks on a second pass")
            ids = np.ascontiguousarray(ids)
            index.add_core(len(ids), faiss.swig_ptr(vecs), faiss.swig_ptr(ids),
                           faiss.swig_ptr(assigned[step]))
            step += 1
        if step != len(seen):
            raise ValueError("the chunk source returned fewer chunks on a second pass")

    def _calibrate(self, index: Any, truth: _GroundTruth) -> tuple[int, float]:
        """Smallest ``nprobe`` whose recall@10 against exact search reaches the target."""
        faiss = _faiss()
        k = min(CALIBRATION_K, int(index.ntotal))
        steps = [p for p in _NPROBE_STEPS if p < index.nlist] + [int(index.nlist)]
        recall = 0.0
        for nprobe in steps:
            _, labels = index.search(truth.queries, k, params=faiss.SearchParametersIVF(nprobe=nprobe))
            hits = sum(len(set(a.tolist()) & set(b[:k].tolist())) for a, b in zip(labels, truth.ids))
            recall = hits / (k * len(labels))
            if recall >= self.target_recall:
                break
        index.nprobe = nprobe  # persisted with the index file
        return nprobe, recall

    @staticmethod
    def _check_unique(seen: list[np.ndarray]) -> None:
        if seen:
            _unique_or_raise(np.concatenate(seen))

    @staticmethod
    def _ids_of(index: Any) -> np.ndarray:
        faiss = _faiss()
        if isinstance(index, faiss.IndexIDMap2):
            return faiss.vector_to_array(index.id_map).astype(np.int64, copy=False)
        invlists = index.invlists
        parts = []
        for lst in range(index.nlist):
            size = invlists.list_size(lst)
            if size:
                parts.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
        return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)

    def _stored_chunks(self, index: Any, drop: np.ndarray | None = None) -> Iterator[Chunk]:
        """Stored ``(ids, vecs)`` in chunks, read from FAISS (caller holds ``_writer``)."""
        faiss = _faiss()
        if isinstance(index, faiss.IndexIDMap2):
            n = int(index.ntotal)
            if n == 0:
                return
            flat = faiss.downcast_index(index.index)
            xb = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).reshape(n, self.dim)
            all_ids = faiss.vector_to_array(index.id_map)
            for start in range(0, n, _CHUNK):
                ids, vecs = all_ids[start:start + _CHUNK], xb[start:start + _CHUNK]
                yield _without(ids, vecs.copy(), drop)
            return
        invlists = index.invlists
        for lst in range(index.nlist):
            size = invlists.list_size(lst)
            if not size:
                continue
            ids = faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy()
            codes = faiss.rev_swig_ptr(invlists.get_codes(lst), size * index.code_size)
            stored = np.float16 if index.code_size == 2 * self.dim else np.float32
            vecs = codes.view(stored).reshape(size, self.dim).astype(np.float32)
            yield _without(ids, vecs, drop)


def _without(ids: np.ndarray, vecs: np.ndarray, drop: np.ndarray | None) -> Chunk:
    if drop is None or not len(drop):
        return ids, vecs
    keep = ~np.isin(ids, drop)
    return ids[keep], vecs[keep]


def _chain(*parts: Iterable[Chunk]) -> Iterator[Chunk]:
    for part in parts:
        yield from part


__all__ = ["VectorIndex", "LoadResult", "LoadReason", "IndexWriteError", "choose_nlist", "EXACT_MAX"]
