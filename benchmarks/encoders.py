"""Encoder variants against fp32 torch: speed of one claim, and whether results hold.

* ``latency``: one claim at a time (real hi-dev queries and CLEF tweets), p50/p99,
  for torch fp32, the ONNX fp32 export, dynamic int8 ONNX, and torch under bf16
  autocast (one claim per new length: oneDNN builds new kernels for every shape,
  which is why bf16 is used only for batches).  ``min_cos`` compares each
  variant's vectors with torch fp32.
* ``agreement``: retrieval over the CLEF verified claims plus the hi-dev library
  (10,575 documents) for 1,437 real claims: the share of each claim's top-10 that
  a variant keeps, and how often its top-1 changes, compared with fp32 (both sides
  encoded by the same variant, as the desk would).

    python -m benchmarks encoders
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import Options, child_main, percentiles, run_child, time_each
from benchmarks.latency import claims
from benchmarks.synthetic import short_claims

NAME = "encoders"
BF16_SINGLE_SAMPLES = 12


def run(options: Options) -> list[dict]:
    return run_child("encoders", ["--child", "0", *options.to_args()], timeout=7200)["rows"]


def library(bench_dir: Path) -> list[str]:
    docs: list[str] = []
    for name in ("facts.jsonl", "distractors.jsonl"):
        docs += [json.loads(line)["text"] for line in (bench_dir / "hi-dev" / name).open(encoding="utf-8")
                 if line.strip()]
    with (bench_dir / "clef2020-checkthat-task2-en" / "verified_claims.docs.tsv").open(
            encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t")
        next(rows, None)
        docs += [f"{row[1]} {row[2]}".strip() for row in rows if len(row) > 2]
    return docs


def _int8(onnx_dir: Path, out_dir: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    for name in ("meta.json", "tokenizer.json"):
        shutil.copy(onnx_dir / name, out_dir / name)
    quantize_dynamic(str(onnx_dir / "model.onnx"), str(out_dir / "model.onnx"),
                     weight_type=QuantType.QInt8)
    return out_dir


def _top(queries: np.ndarray, docs: np.ndarray, k: int = 10) -> np.ndarray:
    sims = queries @ docs.T
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def _child(_: int, options: Options) -> dict:
    from index.embedding import SentenceTransformerEmbedder
    from index.onnx_export import OnnxEmbedder

    torch_fp32 = SentenceTransformerEmbedder(options.model, bf16=False)
    onnx = OnnxEmbedder.for_model(options.model, Path(options.cache_dir) / "onnx",
                                  torch_embedder=lambda: torch_fp32)
    tmp = Path(tempfile.mkdtemp(dir=options.cache_dir))
    try:
        int8 = OnnxEmbedder(_int8(onnx.export_dir, tmp))
        sample = claims(options)
        ref = torch_fp32.encode(sample)
        rows = []
        for name, emb in (("torch fp32", torch_fp32), ("onnx fp32", onnx), ("onnx int8", int8)):
            vecs = np.concatenate([emb.encode([t]) for t in sample])
            rows.append({"test": "latency", "variant": name,
                         **percentiles(time_each(lambda t: emb.encode([t]), sample)),
                         "min_cos": round(float((vecs * ref).sum(axis=1).min()), 6)})
        rows.append({"test": "latency", "variant": "torch bf16 (new lengths)", **_bf16_single(torch_fp32, sample)})

        docs, queries = library(options.bench_dir), [t for t in short_claims(options.bench_dir) if t.strip()]
        d32, q32 = _encode(torch_fp32, docs, batch=True), _encode(torch_fp32, queries, batch=True)
        top32 = _top(q32, d32)
        for name, emb in (("torch bf16", torch_fp32), ("onnx fp32", onnx), ("onnx int8", int8)):
            torch_fp32.bf16 = name == "torch bf16"  # the same loaded model, bf16 for batches
            start = time.perf_counter()
            dv, qv = _encode(emb, docs, batch=True), _encode(emb, queries, batch=True)
            seconds = time.perf_counter() - start
            torch_fp32.bf16 = False
            top = _top(qv, dv)
            overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top, top32)])
            rows.append({
                "test": "agreement", "variant": name, "top10_overlap": round(float(overlap), 4),
                "top1_changed": round(float(np.mean(top[:, 0] != top32[:, 0])), 4),
                "min_cos": round(float(min((dv * d32).sum(axis=1).min(), (qv * q32).sum(axis=1).min())), 5),
                "texts_per_s": round((len(docs) + len(queries)) / seconds, 1),
            })
        return {"rows": rows}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _encode(emb, texts: list[str], *, batch: bool) -> np.ndarray:
    return np.concatenate([emb.encode(texts[i:i + 256], batch=batch) for i in range(0, len(texts), 256)])


def _bf16_single(torch_fp32, sample: list[str]) -> dict:
    """One claim under bf16 autocast, each of a length not seen before."""
    seen: set[int] = set()
    picks = []
    for text in sample:
        n = next(torch_fp32.batcher.batches([text], 1)).inputs["input_ids"].shape[1]
        if n not in seen:
            seen.add(n)
            picks.append(text)
        if len(picks) == BF16_SINGLE_SAMPLES:
            break
    timings = []
    for text in picks:
        start = time.perf_counter()
        torch_fp32._run([text], bf16=True)  # the private path: encode() never does this
        timings.append(time.perf_counter() - start)
    return percentiles(timings)


if __name__ == "__main__":
    child_main(sys.argv[1:], _child)
