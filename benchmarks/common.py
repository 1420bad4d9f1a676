"""Shared plumbing for the engine benchmarks: options, timing, memory, subprocesses."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = Path(os.environ.get("FACTDESK_BENCH", REPO.parent / "shared" / "bench"))
DEFAULT_CACHE = Path(os.environ.get("FACTDESK_BENCH_CACHE", "/tmp/factdesk-bench"))


@dataclass
class Options:
    """What every benchmark reads from the command line."""

    sizes: list[int] = field(default_factory=lambda: [10_000, 100_000, 1_000_000])
    queries: int = 300
    model: str = "bundled"
    backend: str = "auto"
    bench_dir: Path = DEFAULT_BENCH
    cache_dir: Path = DEFAULT_CACHE
    seed: int = 0
    reuse: bool = True  # reuse synthetic indexes saved in cache_dir by earlier runs
    storage: str = "float16"  # VectorIndex storage for IVF indexes (the production default)

    def to_args(self) -> list[str]:
        return [
            "--sizes", ",".join(str(s) for s in self.sizes), "--queries", str(self.queries),
            "--model", self.model, "--backend", self.backend, "--bench-dir", str(self.bench_dir),
            "--cache-dir", str(self.cache_dir), "--seed", str(self.seed), "--storage", self.storage,
            *([] if self.reuse else ["--no-reuse"]),
        ]


@dataclass
class Samples:
    """Per-call wall-clock and process CPU seconds.

    On a busy machine wall time includes waiting for a core; CPU time (all threads
    of this process) is the work itself, so it shows what an idle machine would see.
    """

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def percentiles(samples: Samples | list[float]) -> dict[str, float]:
    """p50/p99/mean wall milliseconds (plus mean CPU milliseconds when known)."""
    wall = samples.wall if isinstance(samples, Samples) else samples
    ms = np.asarray(wall, dtype=np.float64) * 1000.0
    out = {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "mean_ms": round(float(ms.mean()), 3),
    }
    if isinstance(samples, Samples) and samples.cpu:
        out["cpu_mean_ms"] = round(float(np.mean(samples.cpu)) * 1000.0, 3)
    out["n"] = int(len(ms))
    return out


def time_each(fn: Callable[[Any], Any], items: list[Any], *, warmup: int = 5) -> Samples:
    for item in items[:warmup]:
        fn(item)
    out = Samples()
    for item in items:
        cpu, wall = time.process_time(), time.perf_counter()
        fn(item)
        out.wall.append(time.perf_counter() - wall)
        out.cpu.append(time.process_time() - cpu)
    return out


def proc_status(key: str) -> int:
    """A ``/proc/self/status`` figure in bytes (``VmHWM``, ``VmRSS``)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine; I/O wait counts as idle."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def others_cpu_share(before: tuple[int, int], after: tuple[int, int], own_cpu_s: float) -> float:
    """Share of the machine's CPU used by other processes while a benchmark ran.

    The load average is no guide here: it counts processes waiting for disk.
    """
    busy, total = after[0] - before[0], after[1] - before[1]
    if total <= 0:
        return 0.0
    own = own_cpu_s * os.sysconf("SC_CLK_TCK")
    return round(max(0.0, (busy - own) / total), 3)


def mb(n_bytes: int) -> float:
    return round(n_bytes / 2**20, 1)


def machine() -> dict[str, Any]:
    """Context for the figures: cores and how busy the machine was."""
    load = os.getloadavg()
    return {
        "cores": len(os.sched_getaffinity(0)),
        "loadavg_1m": round(load[0], 2),
        "loadavg_5m": round(load[1], 2),
        "python": sys.version.split()[0],
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def run_child(module: str, args: list[str], *, timeout: float = 3600) -> dict[str, Any]:
    """Run ``python -m benchmarks.<module> ARGS`` in a fresh process; it prints JSON last."""
    proc = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args], cwd=REPO, capture_output=True,
        text=True, timeout=timeout, env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmarks.{module} {' '.join(args)} failed:\n{proc.stderr[-4000:]}")
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    return json.loads(last)


def print_rows(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n== {title}")
    if not rows:
        print("(no rows)")
        return
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    widths = {k: max(len(k), *(len(_fmt(r.get(k))) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for row in rows:
        print("  ".join(_fmt(row.get(k)).ljust(widths[k]) for k in keys))


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def as_dict(options: Options) -> dict[str, Any]:
    d = asdict(options)
    d["bench_dir"], d["cache_dir"] = str(options.bench_dir), str(options.cache_dir)
    return d


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        scale = 1
        if part.endswith("k"):
            part, scale = part[:-1], 1_000
        elif part.endswith("m"):
            part, scale = part[:-1], 1_000_000
        sizes.append(int(float(part) * scale))
    if not sizes or min(sizes) <= 0:
        raise ValueError(f"bad --sizes {text!r}")
    return sizes


def add_common(parser) -> None:
    """Options every benchmark (and every child process) understands."""
    parser.add_argument("--sizes", type=parse_sizes, default=None,
                        help="index sizes, e.g. 10000,100000 or 10k,1m (default: per benchmark)")
    parser.add_argument("--queries", type=int, default=300, help="claims timed per size")
    parser.add_argument("--model", default="bundled", help="embedding model name or path")
    parser.add_argument("--backend", default="auto", help="encoder backend for claims")
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE,
                        help="synthetic indexes, seeds and ONNX exports (outside the repo)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-reuse", dest="reuse", action="store_false",
                        help="always rebuild synthetic indexes instead of loading saved ones")
    parser.add_argument("--storage", default="float16", choices=("float32", "float16"),
                        help="how IVF indexes store vectors")


def options_from(args, default_sizes: list[int] | None = None) -> Options:
    return Options(
        sizes=args.sizes or default_sizes or [10_000, 100_000, 1_000_000], queries=args.queries,
        model=args.model, backend=args.backend, bench_dir=args.bench_dir, cache_dir=args.cache_dir,
        seed=args.seed, reuse=args.reuse, storage=args.storage,
    )


def child_main(argv: list[str], fn: Callable[..., dict], **extra: tuple[type, Any]) -> None:
    """Entry point of a benchmark's child process: ``--child SIZE`` plus the common options."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, required=True)
    for name, (kind, default) in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default)
    add_common(parser)
    args = parser.parse_args(argv)
    kwargs = {name: getattr(args, name) for name in extra}
    before, own_before = cpu_ticks(), time.process_time()
    result = fn(args.child, options_from(args), **kwargs)
    # How busy the machine was (2 cores shared with other work): figures need this context.
    load = {"others_cpu": others_cpu_share(before, cpu_ticks(), time.process_time() - own_before)}
    if "rows" in result:
        result["rows"] = [{**row, **load} for row in result["rows"]]
    else:
        result.update(load)
    print(json.dumps(result), flush=True)


def embedder_for(options: Options, backend: str | None = None):
    """The real model under ``backend``; ONNX exports go to the benchmark cache."""
    from index.embedding import load_embedder

    return load_embedder(options.model, backend or options.backend,
                         cache_dir=Path(options.cache_dir) / "onnx")
