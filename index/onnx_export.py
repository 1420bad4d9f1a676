"""ONNX export of a sentence-transformers model, and the onnxruntime encoder that uses it.

The export is made once per model with ``torch.onnx.export`` (the TorchScript
exporter: the dynamo exporter needs ``onnxscript``, and ``optimum`` cannot be
installed next to transformers 5) and kept in ``cache_dir/<model>-<fingerprint>/``:

* ``model.onnx`` - transformer, pooling and L2 normalisation in one graph;
* ``tokenizer.json`` - the model's own fast tokenizer;
* ``meta.json`` - model id, dimension, token limit, input names, SHA-256 of ``model.onnx``.

An export is published (directory renamed into place) only after its vectors agree
with torch on the probe texts, batched and one by one, with cosine >= 0.9999.
On later runs the export is reused without importing torch.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from index.models import available_cores, model_id_for, resolve_model
from index.tokens import PROBE_TEXTS, TokenBatcher, clean_texts, normalize_rows

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1
OPSET = 17
MIN_COSINE = 0.9999
_AXES = {0: "batch", 1: "tokens"}


class ExportFailed(RuntimeError):
    """The model could not be exported or the export does not reproduce torch."""


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            sha.update(block)
    return sha.hexdigest()


def export_dir_for(model_id: str, source: str, cache_dir: Path) -> Path:
    """Per-model export directory; a changed model directory gets a new one."""
    src = Path(source)
    files = sorted(
        (str(p.relative_to(src)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in src.rglob("*") if p.is_file()
    ) if src.is_dir() else []
    fingerprint = hashlib.sha256(
        json.dumps([EXPORT_FORMAT, str(src), files]).encode("utf-8")
    ).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id).strip("._")[-60:] or "model"
    return Path(cache_dir) / f"{slug}-{fingerprint}"


def export_model(torch_embedder: Any, target: Path) -> Path:
    """Export ``torch_embedder``'s model into ``target`` (atomically); return ``target``."""
    module, batcher = torch_embedder.pooled_module, torch_embedder.batcher
    if module is None or batcher is None:
        raise ExportFailed(f"cannot export {torch_embedder.model_id}: {torch_embedder.fast_path_reason}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    except OSError as exc:
        raise ExportFailed(f"cannot create an export directory in {target.parent}: {exc}") from exc
    try:
        _write_export(torch_embedder, module, batcher, tmp)
        onnx = OnnxEmbedder(tmp, threads=None)
        worst = _verify(onnx, torch_embedder)
        meta = json.loads((tmp / "meta.json").read_text(encoding="utf-8"))
        meta["min_cosine_vs_torch"] = worst
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / "meta.json").is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process published it first
        log.info("%s: ONNX export in %s (min cosine vs torch %.6f)", torch_embedder.model_id,
                 target, worst)
        return target
    except ExportFailed:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as exc:  # the exporter fails in many ways; all mean "use torch"
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportFailed(f"ONNX export of {torch_embedder.model_id} failed: {exc}") from exc


def _write_export(torch_embedder: Any, module: Any, batcher: TokenBatcher, out: Path) -> None:
    import torch

    sample = next(batcher.batches(["a short claim", "a slightly longer claim about 2 things"], 2))
    names = list(batcher.input_names)
    args = tuple(torch.from_numpy(sample.inputs[n]) for n in names)
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module, args, str(out / "model.onnx"), dynamo=False, input_names=names,
            output_names=["sentence_embedding"], opset_version=OPSET, do_constant_folding=True,
            dynamic_axes={**{n: _AXES for n in names}, "sentence_embedding": {0: "batch"}},
        )
    (out / "tokenizer.json").write_text(batcher.to_json(), encoding="utf-8")
    meta = {
        "format": EXPORT_FORMAT, "model_id": torch_embedder.model_id, "dim": torch_embedder.dim,
        "max_length": batcher.max_length, "input_names": names, "lowercase": batcher.lowercase,
        "pad_id": batcher.pad_id, "sha256": _sha256(out / "model.onnx"), "opset": OPSET,
        "torch": torch.__version__,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _verify(onnx: "OnnxEmbedder", torch_embedder: Any) -> float:
    texts = list(PROBE_TEXTS)
    reference = torch_embedder.encode(texts)
    batched = onnx.encode(texts)
    single = np.concatenate([onnx.encode([t]) for t in texts])
    worst = float(min((reference * batched).sum(axis=1).min(), (reference * single).sum(axis=1).min()))
    if worst < MIN_COSINE:
        raise ExportFailed(f"ONNX export disagrees with torch: min cosine {worst:.6f} < {MIN_COSINE}")
    return worst


class OnnxEmbedder:
    """Encode with an exported model through onnxruntime (thread-safe, no torch needed)."""

    def __init__(self, export_dir: Path, *, threads: int | None = None, batch_size: int = 32,
                 check_sha: bool = False):
        export_dir = Path(export_dir)
        try:
            meta = json.loads((export_dir / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != EXPORT_FORMAT:
                raise ExportFailed(f"export format {meta.get('format')!r} is not {EXPORT_FORMAT}")
            if check_sha and _sha256(export_dir / "model.onnx") != meta["sha256"]:
                raise ExportFailed(f"{export_dir / 'model.onnx'} does not match its checksum")
            tokenizer_json = (export_dir / "tokenizer.json").read_text(encoding="utf-8")
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads or available_cores()
            options.inter_op_num_threads = 1
            # Spinning idle threads bought ~1 ms at p50 on an idle 2-core machine but
            # doubled p99 and burnt the CPU that FAISS and other sessions need.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._session = ort.InferenceSession(str(export_dir / "model.onnx"), options,
                                                 providers=["CPUExecutionProvider"])
            self._batcher = TokenBatcher(tokenizer_json, max_length=int(meta["max_length"]),
                                         input_names=meta["input_names"],
                                         lowercase=bool(meta["lowercase"]), pad_id=int(meta["pad_id"]))
        except ExportFailed:
            raise
        except Exception as exc:  # unreadable or foreign files: treat as no export
            raise ExportFailed(f"cannot use ONNX export in {export_dir}: {exc}") from exc
        self.export_dir = export_dir
        self.model_id: str = meta["model_id"]
        self.dim: int = int(meta["dim"])
        self.batch_size = batch_size

    @classmethod
    def for_model(cls, model: str, cache_dir: Path, *, torch_embedder: Callable[[], Any],
                  threads: int | None = None) -> "OnnxEmbedder":
        """Reuse the export for ``model`` in ``cache_dir``, making it first if needed.

        ``torch_embedder`` returns the torch encoder used to export and verify; it is
        only called (and torch only imported) when no valid export exists yet.
        """
        found = cls.existing(model, cache_dir, threads=threads)
        if found is not None:
            return found
        target = export_dir_for(model_id_for(model), resolve_model(model), Path(cache_dir))
        return cls(export_model(torch_embedder(), target), threads=threads)

    @classmethod
    def existing(cls, model: str, cache_dir: Path, *,
                 threads: int | None = None) -> "OnnxEmbedder | None":
        """The valid export for ``model`` in ``cache_dir``, or ``None`` (a broken one is
        removed); never makes one."""
        model_id = model_id_for(model)
        target = export_dir_for(model_id, resolve_model(model), Path(cache_dir))
        if (target / "meta.json").is_file():
            try:
                return cls(target, threads=threads, check_sha=True)
            except ExportFailed as exc:
                log.warning("%s: discarding broken ONNX export: %s", model_id, exc)
                shutil.rmtree(target, ignore_errors=True)
        return None

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        texts = clean_texts(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for b in self._batcher.batches(texts, self.batch_size):
            out[b.rows] = self._session.run(None, b.inputs)[0]
        return normalize_rows(out)
