"""Saving and loading the vector index: atomic, checksummed, and explicit about failures."""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest

import index.persist as persist
from index.persist import IndexWriteError, Manifest, ManifestError, atomic_write, read_manifest
from index.vectors import LoadReason, VectorIndex

DIM = 16
MODEL = "all-MiniLM-L6-v2"


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def make_index(n: int = 200, seed: int = 0, exact_max: int = 1000,
               storage: str = "float32") -> tuple[VectorIndex, np.ndarray]:
    data = unit(np.random.default_rng(seed).standard_normal((n, DIM)))
    vi = VectorIndex(DIM, exact_max=exact_max, storage=storage)
    vi.build(np.arange(n) * 3 + 5, data)
    return vi, data


def index_file(directory: Path) -> Path:
    return directory / read_manifest(directory).index_file


def assert_same_results(a: VectorIndex, b: VectorIndex, queries: np.ndarray) -> None:
    assert a.search(queries, 10) == b.search(queries, 10)


@pytest.mark.parametrize("n,kind,storage", [(0, "flat", "float32"), (200, "flat", "float32"),
                                            (3000, "ivf", "float32"), (3000, "ivf", "float16")])
def test_round_trip_keeps_ids_vectors_and_settings(tmp_path, n, kind, storage):
    vi, data = make_index(max(n, 1), exact_max=1000, storage=storage)
    if n == 0:
        vi = VectorIndex(DIM)
    manifest = vi.save(tmp_path, model_id=MODEL, watermark=42, extra={"docs": n, "note": "हिंदी"})
    res = VectorIndex.load(tmp_path, model_id=MODEL, dim=DIM)
    assert res.ok and res.reason is None
    loaded = res.index
    assert loaded.kind == kind and manifest.index_kind.startswith(kind)
    assert loaded.storage == vi.storage or kind == "flat"
    assert loaded.ids() == vi.ids()
    assert loaded.nprobe == vi.nprobe and loaded.trained_for == vi.trained_for
    assert res.manifest == manifest
    assert manifest.count == n and manifest.watermark == 42 and manifest.dim == DIM
    assert manifest.extra == {"docs": n, "note": "हिंदी"}
    assert manifest.checksum.startswith("sha256:")
    if n:
        assert_same_results(vi, loaded, data[:20])
        # The loaded index is fully usable: updates work on it.
        loaded.remove([5])
        loaded.add([999_999], data[:1])
        assert 5 not in loaded.ids() and 999_999 in loaded.ids()


def test_manifest_is_readable_json_with_the_documented_fields(tmp_path):
    vi, _ = make_index()
    vi.save(tmp_path, model_id=MODEL, watermark=7)
    raw = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {"model_id", "dim", "count", "watermark", "checksum", "size", "index_file"} <= raw.keys()
    assert raw["model_id"] == MODEL and raw["count"] == 200


def test_saving_again_replaces_the_pair_and_removes_the_old_file(tmp_path):
    vi, data = make_index()
    vi.save(tmp_path, model_id=MODEL, watermark=1)
    first = index_file(tmp_path)
    vi.add([1], data[:1])
    vi.save(tmp_path, model_id=MODEL, watermark=2)
    second = index_file(tmp_path)
    assert first != second and not first.exists() and second.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == \
        sorted(["manifest.json", second.name])
    res = VectorIndex.load(tmp_path, model_id=MODEL, dim=DIM)
    assert res.manifest.watermark == 2 and 1 in res.index.ids()


# -- damaged or mismatched files: load says why and returns no index --------------------

def _truncate(d: Path) -> None:
    f = index_file(d)
    f.write_bytes(f.read_bytes()[:-100])


def _flip_bit(d: Path) -> None:
    f = index_file(d)
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))


def _flip_header_bit(d: Path) -> None:
    f = index_file(d)
    data = bytearray(f.read_bytes())
    data[20] ^= 0x40  # inside FAISS's header: dimension / count fields
    f.write_bytes(bytes(data))


def _delete_index(d: Path) -> None:
    index_file(d).unlink()


def _delete_manifest(d: Path) -> None:
    (d / "manifest.json").unlink()


def _garble_manifest(d: Path) -> None:
    (d / "manifest.json").write_text('{"model_id": "all-MiniLM', encoding="utf-8")


def _manifest_wrong_types(d: Path) -> None:
    raw = json.loads((d / "manifest.json").read_text())
    raw["count"] = "200"
    (d / "manifest.json").write_text(json.dumps(raw))


def _manifest_not_utf8(d: Path) -> None:
    (d / "manifest.json").write_bytes(b"\xff\xfe{}")


def _manifest_escapes_directory(d: Path) -> None:
    raw = json.loads((d / "manifest.json").read_text())
    raw["index_file"] = "../elsewhere.faiss"
    (d / "manifest.json").write_text(json.dumps(raw))


def _manifest_lies_about_count(d: Path) -> None:
    raw = json.loads((d / "manifest.json").read_text())
    raw["count"] = 201
    (d / "manifest.json").write_text(json.dumps(raw))


def _replace_with_other_index(d: Path) -> None:
    # A valid FAISS file with a matching checksum but the wrong type of index.
    import faiss

    other = d / "other.faiss"
    faiss.write_index(faiss.IndexFlatL2(DIM), str(other))
    raw = json.loads((d / "manifest.json").read_text())
    raw.update(index_file="other.faiss", size=other.stat().st_size, count=0,
               checksum=persist.sha256_file(other))
    (d / "manifest.json").write_text(json.dumps(raw))


@pytest.mark.parametrize("damage,reason", [
    (_truncate, LoadReason.CORRUPT),
    (_flip_bit, LoadReason.CHECKSUM),
    (_flip_header_bit, LoadReason.CHECKSUM),
    (_delete_index, LoadReason.MISSING),
    (_delete_manifest, LoadReason.MISSING),
    (_garble_manifest, LoadReason.CORRUPT),
    (_manifest_wrong_types, LoadReason.CORRUPT),
    (_manifest_not_utf8, LoadReason.CORRUPT),
    (_manifest_escapes_directory, LoadReason.CORRUPT),
    (_manifest_lies_about_count, LoadReason.CORRUPT),
    (_replace_with_other_index, LoadReason.CORRUPT),
])
def test_damage_is_reported_and_no_index_is_returned(tmp_path, damage, reason):
    vi, _ = make_index()
    vi.save(tmp_path, model_id=MODEL, watermark=3)
    damage(tmp_path)
    res = VectorIndex.load(tmp_path, model_id=MODEL, dim=DIM)
    assert res.index is None and not res.ok
    assert res.reason == reason
    assert res.detail


def test_empty_directory_is_missing(tmp_path):
    res = VectorIndex.load(tmp_path / "never-saved", model_id=MODEL, dim=DIM)
    assert res.reason == LoadReason.MISSING and res.index is None


@pytest.mark.parametrize("model_id,dim,reason", [
    ("paraphrase-multilingual-MiniLM-L12-v2", DIM, LoadReason.MODEL_CHANGED),
    (MODEL, DIM * 2, LoadReason.DIM_CHANGED),
])
def test_changed_model_or_dimension_means_rebuild(tmp_path, model_id, dim, reason):
    vi, _ = make_index()
    vi.save(tmp_path, model_id=MODEL, watermark=3)
    res = VectorIndex.load(tmp_path, model_id=model_id, dim=dim)
    assert res.reason == reason and res.index is None
    assert res.manifest is not None and res.manifest.model_id == MODEL  # caller can log what it was
    assert reason.value in ("model changed", "dimension changed")


# -- failures while saving: the previous index stays loadable ----------------------------

def _save_v2(tmp_path: Path) -> tuple[VectorIndex, VectorIndex]:
    old, data = make_index(seed=1)
    old.save(tmp_path, model_id=MODEL, watermark=1)
    new, _ = make_index(n=300, seed=2)
    return old, new


def _assert_old_still_loads(tmp_path: Path, old: VectorIndex) -> None:
    res = VectorIndex.load(tmp_path, model_id=MODEL, dim=DIM)
    assert res.ok, res.detail
    assert res.manifest.watermark == 1
    assert res.index.ids() == old.ids()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers


def test_replace_failing_leaves_the_old_index(tmp_path, monkeypatch):
    old, new = _save_v2(tmp_path)

    def broken_replace(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(persist.os, "replace", broken_replace)
    with pytest.raises(IndexWriteError, match="previous index is unchanged"):
        new.save(tmp_path, model_id=MODEL, watermark=2)
    monkeypatch.undo()
    _assert_old_still_loads(tmp_path, old)


def test_crash_after_index_file_but_before_manifest_leaves_the_old_pair(tmp_path, monkeypatch):
    old, new = _save_v2(tmp_path)

    class Crash(Exception):
        pass

    def crash(directory, manifest):
        raise Crash("power cut")

    monkeypatch.setattr("index.vectors.write_manifest", crash)
    with pytest.raises(Crash):
        new.save(tmp_path, model_id=MODEL, watermark=2)
    monkeypatch.undo()
    _assert_old_still_loads(tmp_path, old)
    # The next successful save cleans up the orphaned file.
    new.save(tmp_path, model_id=MODEL, watermark=3)
    assert len([p for p in tmp_path.glob("vectors.*.faiss")]) == 1


def test_exception_while_writing_the_temp_file_removes_it(tmp_path, monkeypatch):
    old, new = _save_v2(tmp_path)
    real_fsync = os.fsync

    def failing_fsync(fd):
        real_fsync(fd)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(persist.os, "fsync", failing_fsync)
    with pytest.raises(IndexWriteError) as info:
        new.save(tmp_path, model_id=MODEL, watermark=2)
    assert info.value.errno == errno.EIO
    monkeypatch.undo()
    _assert_old_still_loads(tmp_path, old)


def test_disk_full_gives_a_clear_error_and_keeps_the_old_index(tmp_path, monkeypatch):
    old, new = _save_v2(tmp_path)
    real_write = persist._HashingWriter.write
    budget = {"bytes": 2000}

    def write_until_full(self, data):
        budget["bytes"] -= len(data)
        if budget["bytes"] < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(persist._HashingWriter, "write", write_until_full)
    with pytest.raises(IndexWriteError, match="no space left on device") as info:
        new.save(tmp_path, model_id=MODEL, watermark=2)
    assert info.value.errno == errno.ENOSPC
    assert isinstance(info.value.__cause__, OSError)
    monkeypatch.undo()
    _assert_old_still_loads(tmp_path, old)


def test_unwritable_directory_is_a_clear_error(tmp_path):
    target = tmp_path / "file-not-dir"
    target.write_text("x")
    vi, _ = make_index()
    with pytest.raises(IndexWriteError, match="could not save the vector index"):
        vi.save(target, model_id=MODEL, watermark=1)


def test_extra_must_be_json(tmp_path):
    vi, _ = make_index()
    with pytest.raises(ValueError, match="JSON"):
        vi.save(tmp_path, model_id=MODEL, watermark=1, extra={"when": object()})
    assert not (tmp_path / "manifest.json").exists()


# -- the building blocks ------------------------------------------------------------------

def test_atomic_write_returns_checksum_and_size(tmp_path):
    target = tmp_path / "f.bin"
    checksum, size = atomic_write(target, lambda fh: fh.write(b"hello"))
    assert size == 5 and target.read_bytes() == b"hello"
    assert checksum == persist.sha256_file(target)


def test_atomic_write_failure_keeps_the_previous_content(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def half_then_fail(fh):
        fh.write(b"new-but-")
        raise RuntimeError("writer died")

    with pytest.raises(RuntimeError, match="writer died"):
        atomic_write(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


@pytest.mark.parametrize("text,message", [
    ("[]", "not a JSON object"),
    ("{}", "unsupported manifest format"),
    ('{"format": 1}', "lacks"),
    ("not json", "not valid JSON"),
])
def test_bad_manifests_raise_manifest_error(text, message):
    with pytest.raises(ManifestError, match=message):
        Manifest.from_json(text)


def test_manifest_json_round_trip():
    m = Manifest(model_id="m", dim=3, count=2, watermark=9, checksum="sha256:00", size=10,
                 index_file="vectors.1.faiss", generation=1, extra={"a": [1, 2]})
    assert Manifest.from_json(m.to_json()) == m
