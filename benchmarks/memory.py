"""Peak memory of a fresh process per size: model + index + serving claims.

For each size two fresh processes run.  The first makes sure the synthetic
index exists on disk (building it chunk by chunk if needed; its high-water mark
is ``build_hwm_mb``).  The second is the desk's steady state: load the model,
load the saved index (checksum verified), then match real claims (normalise,
encode, search).  ``model_mb`` and ``index_mb`` are the growth of resident
memory across loading each; ``process_hwm_mb`` is ``VmHWM`` at the end.
Targets at 1M: index <= 1800 MB, process <= 3500 MB.

    python -m benchmarks memory --sizes 10000,100000,1000000
"""
from __future__ import annotations

import sys
from dataclasses import replace

from benchmarks.common import Options, child_main, embedder_for, mb, proc_status, run_child
from benchmarks.scale import load_saved, space_for, synthetic_index

NAME = "memory"
DEFAULT_SIZES = [10_000, 100_000, 1_000_000]


def run(options: Options) -> list[dict]:
    rows = []
    for n in options.sizes:
        prepared = run_child("memory", ["--child", str(n), "--stage", "prepare", *options.to_args()],
                             timeout=7200)
        served = run_child("memory", ["--child", str(n), "--stage", "serve", *options.to_args()],
                           timeout=7200)
        rows.append({**served, "build_hwm_mb": prepared["build_hwm_mb"]})
    return rows


def _child(n: int, options: Options, stage: str) -> dict:
    if stage == "prepare":
        space = space_for(n, options)
        # The serve stage loads from disk, so this stage always saves (--no-reuse: rebuilds).
        _, built = synthetic_index(space, replace(options, reuse=True), force_build=not options.reuse)
        # A reused index says nothing about build memory: report only a real build.
        return {"build_hwm_mb": mb(proc_status("VmHWM")) if built is not None else None}

    from benchmarks.latency import claims
    from index.engine import DENSE_K

    try:
        from index.normalize import normalize
    except ImportError:
        normalize = None
    start = proc_status("VmRSS")
    embedder = embedder_for(options)
    sample = claims(options)
    embedder.encode(sample[:8])
    with_model = proc_status("VmRSS")
    vi = load_saved(n, replace(options, reuse=True))  # as the desk does at start-up
    with_index = proc_status("VmRSS")
    for text in sample:
        if normalize is not None:
            normalize(text)
        vi.search(embedder.encode([text]), DENSE_K * 2)
    return {
        "size": n, "index": vi.kind if vi.nprobe is None else f"ivf{vi.nlist}-{vi.storage}",
        "model_mb": mb(with_model - start), "index_mb": mb(with_index - with_model),
        "process_rss_mb": mb(proc_status("VmRSS")), "process_hwm_mb": mb(proc_status("VmHWM")),
    }


if __name__ == "__main__":
    child_main(sys.argv[1:], _child, stage=(str, "serve"))
