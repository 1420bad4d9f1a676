"""Synthetic indexes at benchmark sizes, built once and reused from the cache directory.

Indexes are saved with ``VectorIndex.save`` and read back with ``VectorIndex.load``
(the desk's own persistence path); the manifest's model id names the synthetic
space, so a change of seeds or size can never reuse the wrong file.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from benchmarks.common import Options
from benchmarks.synthetic import ClaimSpace, seed_vectors
from index.vectors import VectorIndex

DIM = 384


def seeds(options: Options, embedder=None) -> np.ndarray:
    """Real claim embeddings as topic seeds (encoded once, then cached)."""
    cached = sorted(Path(options.cache_dir).glob("seeds-*.npy"))
    if embedder is None and cached:
        return np.load(cached[0])
    if embedder is None and options.bench_dir.is_dir():
        from index.embedding import load_embedder

        embedder = load_embedder(options.model, "bf16")
    return seed_vectors(embedder, options.bench_dir, options.cache_dir, dim=DIM)


def space_for(n: int, options: Options, embedder=None) -> ClaimSpace:
    return ClaimSpace.create(n, seeds(options, embedder), seed=options.seed)


def index_dir(n: int, kind: str, options: Options) -> Path:
    return Path(options.cache_dir) / f"index-{kind}-{options.storage}-{n}-seed{options.seed}"


def synthetic_index(space: ClaimSpace, options: Options, *, kind: str = "auto",
                    force_build: bool = False) -> tuple[VectorIndex, float | None]:
    """The index over ``space``: loaded if a valid saved copy exists, else built (and saved).

    ``kind``: ``auto`` (the production rule), ``flat`` (exact at any size) or ``ivf``.
    Returns the index and the build time in seconds (``None`` when loaded).
    """
    directory = index_dir(space.n, kind, options)
    if options.reuse and not force_build:
        res = VectorIndex.load(directory, model_id=model_id_of(space, kind, options), dim=space.dim)
        if res.ok and len(res.index) == space.n:
            return res.index, None
    vi = empty_index(kind, options.storage)
    start = time.perf_counter()
    vi.build_chunks(space.chunks, total=space.n)
    seconds = time.perf_counter() - start
    if options.reuse:
        vi.save(directory, model_id=model_id_of(space, kind, options), watermark=space.n)
    return vi, seconds


def model_id_of(space: ClaimSpace, kind: str, options: Options) -> str:
    return synthetic_id(space.n, kind, options)


def synthetic_id(n: int, kind: str, options: Options) -> str:
    return f"synthetic-claims/{kind}/{options.storage}/{n}/{options.seed}"


def empty_index(kind: str, storage: str = "float16") -> VectorIndex:
    if kind == "flat":
        return VectorIndex(DIM, exact_max=2**62)
    if kind == "ivf":
        return VectorIndex(DIM, exact_max=0, storage=storage)
    return VectorIndex(DIM, storage=storage)


def exact_top(space: ClaimSpace, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-``k`` ids for ``queries``, by brute force over the generated chunks."""
    import faiss

    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    labels = np.full((len(queries), k), -1, dtype=np.int64)
    for ids, vecs in space.chunks():
        d, i = faiss.knn(queries, vecs, min(k, len(ids)), metric=faiss.METRIC_INNER_PRODUCT)
        all_scores = np.concatenate([scores, d], axis=1)
        all_labels = np.concatenate([labels, ids[i]], axis=1)
        top = np.argsort(-all_scores, axis=1, kind="stable")[:, :k]
        scores = np.take_along_axis(all_scores, top, axis=1)
        labels = np.take_along_axis(all_labels, top, axis=1)
    return labels


def recall_at(found: list[list[tuple[int, float]]], truth: np.ndarray, k: int) -> float:
    hits = sum(len({i for i, _ in row[:k]} & set(t[:k].tolist())) for row, t in zip(found, truth))
    return hits / (k * len(truth))


def load_saved(n: int, options: Options, kind: str = "auto") -> VectorIndex:
    """A synthetic index saved by an earlier run, without generating its space."""
    directory = index_dir(n, kind, options)
    res = VectorIndex.load(directory, model_id=synthetic_id(n, kind, options), dim=DIM)
    if not res.ok:
        raise RuntimeError(f"no usable saved index in {directory}: {res.reason} {res.detail}")
    return res.index
