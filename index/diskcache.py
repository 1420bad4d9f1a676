"""An embedding cache kept in a directory, for evaluation runs (``desk eval --cache-dir``).

One ``<model>.npz`` file per model holds the content hashes and a float32
matrix.  It is read once, kept in memory, and written back atomically
(temp file + rename) by :meth:`flush`.  The desk itself caches in SQLite.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np


class DirEmbeddingCache:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._data: dict[str, dict[str, np.ndarray]] = {}
        self._dirty: set[str] = set()
        self._lock = threading.Lock()

    def _file(self, model_id: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:120]
        return self.directory / f"{safe}.npz"

    def _load(self, model_id: str) -> dict[str, np.ndarray]:
        if model_id in self._data:
            return self._data[model_id]
        table: dict[str, np.ndarray] = {}
        path = self._file(model_id)
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as z:
                    for h, v in zip(z["hashes"].tolist(), z["vectors"]):
                        table[h] = np.asarray(v, dtype="<f4")
            except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                table = {}  # a damaged cache is only a cache: start again
        self._data[model_id] = table
        return table

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            table = self._load(model_id)
            return {h: table[h] for h in hashes if h in table}

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        with self._lock:
            table = self._load(model_id)
            for h, v in items.items():
                table[h] = np.asarray(v, dtype="<f4")
            if items:
                self._dirty.add(model_id)

    def flush(self) -> None:
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            for model_id in sorted(self._dirty):
                table = self._data[model_id]
                hashes = np.array(list(table.keys()), dtype="U64")
                vecs = np.stack(list(table.values())) if table else np.zeros((0, 0), "<f4")
                fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        np.savez(fh, hashes=hashes, vectors=vecs)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(tmp, self._file(model_id))
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
            self._dirty.clear()
