"""Run the engine benchmarks: ``python -m benchmarks [NAME ...] [options]``.

    python -m benchmarks --list
    python -m benchmarks encode encoders
    python -m benchmarks latency build recall memory --sizes 10000,100000 --json out.json
    python -m benchmarks --markdown out.json          # README tables from a saved run

Every benchmark prints a table; ``--json PATH`` also writes all figures with the
machine's core count and load average, so the README can be refreshed.  Sizes
default per benchmark (see ``--list``); ``--sizes`` overrides them for all.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import add_common, as_dict, machine, options_from, print_rows

BENCHMARKS = {
    "encode": "batch encode throughput of short claims, per backend",
    "encoders": "single-claim encode latency ONNX vs torch; bf16 and int8 agreement with fp32",
    "latency": "single-claim match latency p50/p99 (breakdown and MatchEngine end to end)",
    "build": "index build time, exact and IVF",
    "recall": "recall@10 of the IVF index against exact search, and latency per nprobe",
    "memory": "peak RSS of a fresh process serving claims, and the index's own size",
}


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def markdown(results: dict[str, list[dict[str, Any]]]) -> str:
    parts = []
    for name, rows in results.items():
        flat = [_flatten(r) for r in rows]
        keys: list[str] = []
        for r in flat:
            keys += [k for k in r if k not in keys and not k.endswith(".n")]
        parts.append(f"### {name}\n")
        parts.append("| " + " | ".join(keys) + " |")
        parts.append("|" + "---|" * len(keys))
        for r in flat:
            parts.append("| " + " | ".join("" if r.get(k) is None else str(r.get(k)) for k in keys) + " |")
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--json", type=Path, help="write all figures to this JSON file")
    parser.add_argument("--markdown", type=Path, metavar="JSON",
                        help="print README tables from a JSON file written by --json, and exit")
    parser.add_argument("--engine-max", type=int, default=None,
                        help="largest size run through MatchEngine in 'latency'")
    add_common(parser)
    args = parser.parse_args(argv)

    if args.list:
        for name, text in BENCHMARKS.items():
            sizes = getattr(importlib.import_module(f"benchmarks.{name}"), "DEFAULT_SIZES", None)
            print(f"{name:9} {text}" + (f" (sizes {','.join(map(str, sizes))})" if sizes else ""))
        return 0
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text(encoding="utf-8"))["results"]))
        return 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; see --list")

    results: dict[str, list[dict[str, Any]]] = {}
    timings: dict[str, float] = {}
    failed: list[str] = []
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(f"benchmarks.{name}")
        options = options_from(args, getattr(module, "DEFAULT_SIZES", None))
        start = time.perf_counter()
        kwargs = {"engine_max": args.engine_max} if name == "latency" and args.engine_max else {}
        try:
            rows = module.run(options, **kwargs)
        except Exception as exc:  # report and go on: one broken benchmark must not lose the rest
            print(f"benchmark {name} failed: {exc}", file=sys.stderr)
            rows = [{"error": f"{type(exc).__name__}: {str(exc)[-300:]}"}]
            failed.append(name)
        timings[name] = round(time.perf_counter() - start, 1)
        results[name] = rows
        print_rows(f"{name} ({timings[name]} s)", [_flatten(r) for r in rows])
        if args.json:  # after every benchmark, so a long run keeps what it measured
            payload = {"machine": machine(), "options": as_dict(options), "seconds": timings,
                       "results": results}
            args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
