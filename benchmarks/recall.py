"""Recall@10 of the approximate index against exact search, and search latency.

For each size, in a fresh process: the production index (exact below
``EXACT_MAX``, IVF above, ``nprobe`` calibrated at build time) over clustered
synthetic vectors, queried with fresh synthetic claims (60 % new variants of
stored stories, 25 % new stories in known topics, 15 % unrelated claims).  The
exact top-10 comes from brute force over the same vectors.  The sweep shows
recall and single-query latency (k=10) at half, 1x, 2x and 4x the chosen
``nprobe``; the ``exact`` rows time an exact (flat) index of the same size,
which is what the exact/IVF threshold is chosen from.

    python -m benchmarks recall --sizes 100000,1000000
"""
from __future__ import annotations

import sys

from benchmarks.common import Options, child_main, mb, percentiles, proc_status, run_child, time_each
from benchmarks.scale import empty_index, exact_top, recall_at, space_for, synthetic_index

NAME = "recall"
DEFAULT_SIZES = [100_000, 1_000_000]
K = 10


def run(options: Options) -> list[dict]:
    rows = []
    for n in options.sizes:
        rows += run_child("recall", ["--child", str(n), *options.to_args()], timeout=7200)["rows"]
        rows += run_child("recall", ["--child", str(n), "--exact", "1", *options.to_args()],
                          timeout=7200)["rows"]
    return rows


def _child(n: int, options: Options, exact: int) -> dict:
    space = space_for(n, options)
    queries = space.queries(options.queries, seed=options.seed + 101)
    if exact:
        vi = empty_index("flat")
        vi.build_chunks(space.chunks, total=n)
        lat = percentiles(time_each(lambda q: vi.search(q[None, :], K), list(queries)))
        return {"rows": [{"size": n, "index": "exact", "nprobe": None, "recall@10": 1.0,
                          "search": lat, "vm_hwm_mb": mb(proc_status("VmHWM"))}]}
    vi, _ = synthetic_index(space, options)
    truth = exact_top(space, queries, K)
    rows = []
    chosen = vi.nprobe
    steps = [None] if chosen is None else sorted({max(1, chosen // 2), chosen, chosen * 2, chosen * 4})
    for nprobe in steps:
        if nprobe is not None:
            vi._nprobe = min(nprobe, vi.nlist)  # benchmark-only override of the calibrated value
        found = vi.search(queries, K)
        lat = percentiles(time_each(lambda q: vi.search(q[None, :], K), list(queries)))
        rows.append({
            "size": n, "index": vi.kind if nprobe is None else f"ivf{vi.nlist}-{vi.storage}",
            "nprobe": nprobe, "chosen": nprobe == chosen, "recall@10": round(recall_at(found, truth, K), 4),
            "search": lat,
        })
    vi._nprobe = chosen
    for row in rows:
        row["vm_hwm_mb"] = mb(proc_status("VmHWM"))
    return {"rows": rows}


if __name__ == "__main__":
    child_main(sys.argv[1:], _child, exact=(int, 0))
