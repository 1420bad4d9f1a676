"""Single-claim match latency at 10k / 100k / 1M indexed items, p50 and p99.

Two measurements per size, each in a fresh process:

* **breakdown** - for real claims (hi-dev queries and CLEF tweets): normalise
  (``index.normalize``), encode with the real model and the configured backend,
  and search the vector index (the production exact/IVF rule over clustered
  synthetic vectors, ``k`` = the engine's dense depth).  ``pipeline`` is the
  three run back to back per claim.
* **engine** - ``MatchEngine.match(text)`` end to end (normalise, encode, vector
  search, BM25, fusion re-rank) over synthetic Hindi/Hinglish/English claim texts.
  Documents are indexed through the engine's own ``rebuild`` with a hybrid
  embedder: bulk document encodes (``batch=True``) get clustered synthetic
  vectors chosen by a hash of the text (embedding a million texts with the real
  model takes hours on 2 cores), single-claim encodes use the real model.
  Skipped above ``--engine-max`` documents.

    python -m benchmarks latency --sizes 10000,100000
"""
from __future__ import annotations

import hashlib
import random
import sys
import time
from typing import Sequence

import numpy as np

from benchmarks.common import (
    Options, child_main, embedder_for, mb, percentiles, proc_status, run_child, time_each,
)
from benchmarks.scale import space_for, synthetic_index
from benchmarks.synthetic import ClaimSpace, short_claims, texts_for

NAME = "latency"
DEFAULT_SIZES = [10_000, 100_000, 1_000_000]
ENGINE_MAX = 1_000_000


def run(options: Options, *, engine_max: int = ENGINE_MAX) -> list[dict]:
    rows = []
    for n in options.sizes:
        row = run_child("latency", ["--child", str(n), "--engine-max", str(engine_max), *options.to_args()],
                        timeout=7200)
        rows.append(row)
    return rows


class HybridEmbedder:
    """Synthetic clustered vectors for bulk document encodes, the real model for claims."""

    def __init__(self, real, space: ClaimSpace):
        self.real = real
        self.space = space
        self.model_id = real.model_id
        self.dim = space.dim
        self.bulk_encoded = 0

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        if not batch:
            return self.real.encode(texts)
        self.bulk_encoded += len(texts)
        # Same text, same vector: ids derived from a stable hash of the text.
        ids = np.fromiter(
            (int.from_bytes(hashlib.blake2b(t.encode("utf-8", "replace"), digest_size=8).digest(),
                            "little") >> 2 for t in texts), dtype=np.int64, count=len(texts))
        return np.ascontiguousarray(self.space.vectors(ids % max(self.space.n, 1)))


def claims(options: Options) -> list[str]:
    texts = [t for t in short_claims(options.bench_dir) if t.strip()]
    random.Random(options.seed).shuffle(texts)
    return texts[: options.queries]


def _child(n: int, options: Options, engine_max: int) -> dict:

    real = embedder_for(options)
    sample = claims(options)
    real.encode(sample[:8])  # load, export or read the ONNX file, warm up
    space = space_for(n, options)
    row: dict = {"size": n, "backend": options.backend}
    row.update(_breakdown(space, real, sample, options))  # the index is freed on return
    if n <= engine_max:
        try:
            row["engine"] = _engine(n, space, real, sample)
        except Exception as exc:  # the engine is developed alongside; keep the breakdown
            row["engine"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    row["vm_hwm_mb"] = mb(proc_status("VmHWM"))
    return row


def _breakdown(space: ClaimSpace, real, sample: list[str], options: Options) -> dict:
    from index.engine import DENSE_K

    try:
        from index.normalize import normalize
    except ImportError:  # the engine's normaliser is not there yet
        normalize = None
    vi, _ = synthetic_index(space, options)
    depth = DENSE_K * 2  # what MatchEngine asks the vector index for
    out: dict = {"index": vi.kind if vi.nprobe is None else f"ivf{vi.nlist}/nprobe{vi.nprobe}"}
    vectors = {t: real.encode([t]) for t in sample}
    if normalize is not None:
        out["normalize"] = percentiles(time_each(normalize, sample))
    out["encode"] = percentiles(time_each(lambda t: real.encode([t]), sample))
    out["search"] = percentiles(time_each(lambda t: vi.search(vectors[t], depth), sample))

    def pipeline(text: str) -> None:
        if normalize is not None:
            normalize(text)
        vi.search(real.encode([text]), depth)

    out["pipeline"] = percentiles(time_each(pipeline, sample))
    return out


def _engine(n: int, space: ClaimSpace, real, sample: list[str]) -> dict:
    from index.engine import Doc, MatchEngine

    hybrid = HybridEmbedder(real, space)
    engine = MatchEngine(hybrid)
    start = time.perf_counter()
    ids = np.arange(n, dtype=np.int64)
    docs = [Doc(int(i), text, kind="fact" if i % 5 else "rebuttal")
            for i, text in zip(ids, texts_for(space, ids))]
    engine.rebuild(docs)
    build_s = time.perf_counter() - start
    del docs
    timings = time_each(lambda t: engine.match(t, k=10), sample)
    vectors = engine._vectors  # for the report only: which index the engine ended up with
    out = percentiles(timings)
    out.update(build_s=round(build_s, 1), views=int(len(vectors)) if vectors is not None else 0,
               index=(vectors.kind if vectors is not None else "-"))
    return out


if __name__ == "__main__":
    child_main(sys.argv[1:], _child, engine_max=(int, ENGINE_MAX))
