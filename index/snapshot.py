"""The engine's lexical snapshot on disk: named numpy arrays plus a JSON header, one file.

Layout: ``MAGIC``, the header length (8 bytes, little-endian), the header (JSON:
``meta`` and, per array, name, dtype, shape and offset), then the arrays' raw bytes,
each aligned to 64 bytes.  The file is written through ``index.persist.atomic_write``
(temp file, fsync, rename) and its SHA-256 is recorded in the vector index's manifest,
which is the single commit point for both files (see ``MatchEngine.save``).

Reading verifies the checksum before parsing anything, refuses a header that
points outside the file, and returns zero-copy views into one bytes object.
"""
from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from index.persist import atomic_write

MAGIC = b"FDLEX\x00\x01\n"
ALIGN = 64
MAX_HEADER = 1 << 24
_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint64", "float32", "float64",
           "bool"}


class SnapshotError(ValueError):
    """The file is missing, damaged or not what the manifest describes."""


def write_snapshot(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> tuple[str, int]:
    """Write atomically; returns ``("sha256:<hex>", size)``."""
    entries, offset = [], 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype.name not in _DTYPES:
            raise TypeError(f"{name}: unsupported dtype {arr.dtype}")
        offset = -(-offset // ALIGN) * ALIGN
        entries.append({"name": name, "dtype": arr.dtype.name, "shape": list(arr.shape),
                        "offset": offset, "nbytes": int(arr.nbytes)})
        offset += int(arr.nbytes)
    header = json.dumps({"meta": dict(meta), "arrays": entries}, ensure_ascii=False).encode("utf-8")
    start = len(MAGIC) + 8 + len(header)
    start = -(-start // ALIGN) * ALIGN

    def write(fh) -> None:
        fh.write(MAGIC)
        fh.write(struct.pack("<Q", len(header)))
        fh.write(header)
        fh.write(b"\0" * (start - len(MAGIC) - 8 - len(header)))
        pos = 0
        for entry, arr in zip(entries, arrays.values()):
            pad = entry["offset"] - pos
            if pad:
                fh.write(b"\0" * pad)
            data = np.ascontiguousarray(arr)
            # Write in slices: one huge bytes() copy would double the memory at 1M documents.
            flat = data.reshape(-1).view(np.uint8) if data.size else np.zeros(0, np.uint8)
            for i in range(0, len(flat), 1 << 24):
                fh.write(flat[i:i + (1 << 24)].tobytes())
            pos = entry["offset"] + entry["nbytes"]

    return atomic_write(path, write)


def read_snapshot(path: Path, *, checksum: str, size: int) -> tuple[dict[str, np.ndarray], dict]:
    """Arrays and meta of a snapshot file whose checksum and size the manifest gives."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(size + 1)
    except OSError as exc:
        raise SnapshotError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if len(data) != size:
        raise SnapshotError(f"{path.name} has {len(data)} bytes, the manifest says {size}")
    if f"sha256:{hashlib.sha256(data).hexdigest()}" != checksum:
        raise SnapshotError(f"{path.name} does not match its checksum")
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 8:
        raise SnapshotError(f"{path.name} is not a lexical snapshot")
    (hlen,) = struct.unpack("<Q", data[len(MAGIC):len(MAGIC) + 8])
    if hlen > MAX_HEADER or len(MAGIC) + 8 + hlen > len(data):
        raise SnapshotError(f"{path.name} has an implausible header")
    try:
        header = json.loads(data[len(MAGIC) + 8:len(MAGIC) + 8 + hlen].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path.name}: unreadable header ({exc})") from exc
    start = -(-(len(MAGIC) + 8 + hlen) // ALIGN) * ALIGN
    arrays: dict[str, np.ndarray] = {}
    try:
        for e in header["arrays"]:
            if e["dtype"] not in _DTYPES:
                raise SnapshotError(f"{path.name}: unsupported dtype {e['dtype']!r}")
            dtype = np.dtype(e["dtype"])
            count = int(np.prod(e["shape"])) if e["shape"] else 1
            a, nbytes = start + int(e["offset"]), int(e["nbytes"])
            if nbytes != count * dtype.itemsize or a < start or a + nbytes > len(data):
                raise SnapshotError(f"{path.name}: array {e['name']} lies outside the file")
            arrays[e["name"]] = np.frombuffer(data, dtype, count, a).reshape(e["shape"])
        meta = dict(header["meta"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"{path.name}: malformed header ({exc})") from exc
    return arrays, meta
