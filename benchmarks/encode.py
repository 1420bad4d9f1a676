"""Batch encode throughput of short claims, per backend (target >= 350 claims/s).

The texts are the real short claims of the shared benchmark data (hi-dev
queries and CLEF tweets: Hindi, Hinglish, English).  Each backend runs in a
fresh process: one warm-up pass (model load, ONNX export or load, bf16
self-check and oneDNN kernel creation), then ``--repeats`` timed passes of
``encode(texts, batch=True)`` in calls of ``MatchEngine``'s ``ENCODE_BATCH`` texts,
as the engine ingests.

    python -m benchmarks encode
"""
from __future__ import annotations

import sys
import time

from benchmarks.common import (
    Options,
    child_main,
    embedder_for,
    mb,
    median,
    proc_status,
    run_child,
)
from benchmarks.synthetic import short_claims
from index.engine import ENCODE_BATCH

NAME = "encode"
BACKENDS = ("torch", "bf16", "onnx", "auto")
INGEST_BATCH = ENCODE_BATCH  # what MatchEngine hands the embedder per call


def run(options: Options) -> list[dict]:
    return [run_child("encode", ["--child", "0", "--which", b, *options.to_args()], timeout=3600)
            for b in BACKENDS]


def _child(_: int, options: Options, which: str, repeats: int) -> dict:
    texts = [t for t in short_claims(options.bench_dir) if t.strip()]
    embedder = embedder_for(options, which)
    start = time.perf_counter()
    _encode_all(embedder, texts)
    warm_s = time.perf_counter() - start
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        _encode_all(embedder, texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return {
        "backend": which, "texts": len(texts), "claims_per_s": round(median(rates), 1),
        "best_claims_per_s": round(max(rates), 1), "first_pass_s": round(warm_s, 1),
        "vm_hwm_mb": mb(proc_status("VmHWM")),
    }


def _encode_all(embedder, texts: list[str]) -> None:
    for start in range(0, len(texts), INGEST_BATCH):
        embedder.encode(texts[start:start + INGEST_BATCH], batch=True)


if __name__ == "__main__":
    child_main(sys.argv[1:], _child, which=(str, "auto"), repeats=(int, 3))
