"""Crash-safe index files: atomic replace with fsync, and the manifest that describes them.

A saved index is a directory holding

* ``vectors.<generation>.faiss`` - the FAISS index, written once and never modified;
* ``manifest.json`` - model id, dimension, count, watermark, SHA-256 and size of the
  index file, and the file's name.

Writing follows temp file -> fsync -> ``os.replace`` -> fsync of the directory, first
for the index file, then for the manifest.  Replacing the manifest is the single
commit point: a crash before it leaves the previous manifest pointing at the previous
index file (which is only deleted after the commit), a crash after it leaves the new
pair.  Readers therefore always see a complete, matching pair or an explicit reason
why not (see ``VectorIndex.load``).
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
FORMAT_VERSION = 1
_CHUNK = 1 << 20
_MAX_MANIFEST_BYTES = 1 << 20


class IndexWriteError(RuntimeError):
    """Saving failed (disk full, I/O error, read-only directory).

    The previous index and manifest are untouched; ``errno`` carries the OS error
    number when there was one.
    """

    def __init__(self, message: str, *, errno_: int | None = None):
        super().__init__(message)
        self.errno = errno_


class ManifestError(ValueError):
    """The manifest is missing fields, is not JSON, or has the wrong types."""


@dataclass(frozen=True)
class Manifest:
    """What was saved, and what it was built from."""

    model_id: str
    dim: int
    count: int
    watermark: int
    checksum: str
    size: int
    index_file: str
    generation: int
    index_kind: str = "flat"
    nprobe: int | None = None
    trained_for: int | None = None
    created_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ManifestError(f"manifest is not valid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise ManifestError("manifest is not a JSON object")
        if raw.get("format") != FORMAT_VERSION:
            raise ManifestError(f"unsupported manifest format {raw.get('format')!r}")
        types: dict[str, type | tuple[type, ...]] = {
            "model_id": str, "dim": int, "count": int, "watermark": int, "checksum": str,
            "size": int, "index_file": str, "generation": int, "index_kind": str,
            "nprobe": (int, type(None)), "trained_for": (int, type(None)),
            "created_at": str, "extra": dict, "format": int,
        }
        missing = [k for k in types if k not in raw]
        if missing:
            raise ManifestError(f"manifest lacks {', '.join(missing)}")
        bad = [k for k, t in types.items() if not isinstance(raw[k], t) or isinstance(raw[k], bool)]
        if bad:
            raise ManifestError(f"manifest has wrong types for {', '.join(bad)}")
        name = raw["index_file"]
        # The file name comes from disk: refuse anything that could point outside the directory.
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise ManifestError(f"manifest names an invalid index file {name!r}")
        return cls(**{k: raw[k] for k in types})


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _HashingWriter:
    """File wrapper that hashes and counts what passes through it."""

    def __init__(self, fh: BinaryIO):
        self._fh = fh
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._fh.write(data)
        self.sha.update(data)
        self.size += len(data)
        return len(data)


def atomic_write(path: Path, write: Callable[[_HashingWriter], None]) -> tuple[str, int]:
    """Write ``path`` atomically through ``write(fh)``; return ``("sha256:<hex>", size)``.

    The data goes to a temp file in the same directory, is fsynced, renamed over
    ``path`` and the directory is fsynced.  On any failure the temp file is removed,
    ``path`` is left as it was, and the exception propagates.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb", buffering=_CHUNK) as fh:
            writer = _HashingWriter(fh)
            write(writer)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return f"sha256:{writer.sha.hexdigest()}", writer.size


def sha256_file(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK * 4):
            sha.update(chunk)
    return f"sha256:{sha.hexdigest()}"


@contextlib.contextmanager
def dir_lock(directory: Path) -> Iterator[None]:
    """Serialise savers of one index directory across threads and processes."""
    fd = os.open(Path(directory) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def read_manifest(directory: Path) -> Manifest:
    """Read and validate ``manifest.json``; ``FileNotFoundError`` if absent."""
    path = Path(directory) / MANIFEST_NAME
    with open(path, "rb") as fh:
        data = fh.read(_MAX_MANIFEST_BYTES + 1)
    if len(data) > _MAX_MANIFEST_BYTES:
        raise ManifestError("manifest is implausibly large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"manifest is not UTF-8: {exc}") from exc
    return Manifest.from_json(text)


def next_generation(directory: Path) -> int:
    try:
        return read_manifest(directory).generation + 1
    except (OSError, ManifestError):
        # No readable manifest: nothing references any index file, so reusing a name is safe.
        return 1


def write_manifest(directory: Path, manifest: Manifest) -> None:
    data = manifest.to_json().encode("utf-8")
    atomic_write(Path(directory) / MANIFEST_NAME, lambda fh: fh.write(data))


def remove_stale(directory: Path, keep: str) -> None:
    """Delete index files and temp files other than ``keep`` (called only after a commit)."""
    for entry in Path(directory).iterdir():
        name = entry.name
        stale_index = name.startswith("vectors.") and name.endswith(".faiss") and name != keep
        stale_tmp = name.startswith(".") and name.endswith(".tmp")
        if stale_index or stale_tmp:
            with contextlib.suppress(OSError):
                entry.unlink()


def describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno == errno.EDQUOT:
        return "disk quota exceeded"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the directory is not writable"
    return exc.strerror or str(exc)
