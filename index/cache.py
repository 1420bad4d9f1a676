"""Embedding cache: vectors keyed by (model id, content hash).

Unchanged text is never embedded twice.  The desk stores the cache in SQLite
(``desk.store``); evaluation and tests use :class:`MemoryEmbeddingCache`.
Vectors are little-endian float32 (``np.frombuffer(blob, "<f4")``).
"""
from __future__ import annotations

import hashlib
from typing import Protocol, Sequence

import numpy as np


def content_hash(text: str) -> str:
    """Stable hash of the exact text that is embedded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache(Protocol):
    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None: ...


class MemoryEmbeddingCache:
    def __init__(self) -> None:
        self._data: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        return {h: self._data[(model_id, h)] for h in hashes if (model_id, h) in self._data}

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        for h, v in items.items():
            self._data[(model_id, h)] = np.asarray(v, dtype="<f4")

    def __len__(self) -> int:
        return len(self._data)
