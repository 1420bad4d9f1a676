"""Index build time, exact and IVF, with save/load times and the index's memory.

Each (size, kind) runs in a fresh process: generate the clustered synthetic
vectors (chunk by chunk), build, then save with ``VectorIndex.save`` (temp file,
fsync, rename, manifest) and load it back with checksum verification.
``index_mb`` is the growth of the process's resident memory from just before the
build to just after it; ``vm_hwm_mb`` is the process's high-water mark.

    python -m benchmarks build --sizes 100000,1000000
"""
from __future__ import annotations

import sys
import tempfile
import time

from benchmarks.common import Options, child_main, mb, proc_status, run_child
from benchmarks.scale import empty_index, model_id_of, space_for
from index.vectors import VectorIndex

NAME = "build"
DEFAULT_SIZES = [100_000, 1_000_000]
KINDS = ("flat", "ivf")


def run(options: Options) -> list[dict]:
    rows = []
    for n in options.sizes:
        for kind in KINDS:
            rows.append(run_child("build", ["--child", str(n), "--kind", kind, *options.to_args()],
                                  timeout=7200))
    return rows


def _child(n: int, options: Options, kind: str) -> dict:
    
    space = space_for(n, options)
    before = proc_status("VmRSS")
    vi = empty_index(kind, options.storage)
    start = time.perf_counter()
    vi.build_chunks(space.chunks, total=n)
    build_s = time.perf_counter() - start
    after = proc_status("VmRSS")
    row = {
        "size": n, "kind": vi.kind, "storage": vi.storage if vi.kind == "ivf" else "float32",
        "build_s": round(build_s, 2),
        "nlist": vi.nlist, "nprobe": vi.nprobe,
        "calibrated_recall": None if vi.calibrated_recall is None else round(vi.calibrated_recall, 4),
        "index_mb": mb(after - before),
    }
    with tempfile.TemporaryDirectory(dir=options.cache_dir) as tmp:
        start = time.perf_counter()
        manifest = vi.save(tmp, model_id=model_id_of(space, kind, options), watermark=n)
        row["save_s"] = round(time.perf_counter() - start, 2)
        row["file_mb"] = mb(manifest.size)
        del vi
        start = time.perf_counter()
        res = VectorIndex.load(tmp, model_id=model_id_of(space, kind, options), dim=space.dim)
        row["load_s"] = round(time.perf_counter() - start, 2)
        assert res.ok and len(res.index) == n, res.detail
    row["vm_hwm_mb"] = mb(proc_status("VmHWM"))
    return row


if __name__ == "__main__":
    child_main(sys.argv[1:], _child, kind=(str, "ivf"))
