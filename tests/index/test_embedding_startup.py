"""What the auto embedder costs before it is needed: ``dim`` and bulk encodes never make
the ONNX export (about 20 s), a search does not wait while another thread makes it, and
the bf16 self-check runs only once a large ingest would pay for it."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import index.embedding as embedding
from index.embedding import BF16_CHECK_AFTER, BF16_MIN_BATCH, AutoEmbedder, SentenceTransformerEmbedder


class _Encoder:
    def __init__(self, name: str, dim: int = 8) -> None:
        self.name, self.dim, self.calls = name, dim, []

    def encode(self, texts, *, batch: bool = False) -> np.ndarray:
        self.calls.append((len(texts), batch))
        return np.ones((len(texts), self.dim), dtype=np.float32) / np.sqrt(self.dim)


@pytest.fixture
def auto(tmp_path, monkeypatch):
    made: list[str] = []
    onnx = _Encoder("onnx")
    state = {"exists": False}

    def for_model(model, cache_dir, *, torch_embedder, threads=None):
        made.append(model)
        state["exists"] = True
        return onnx

    def existing(model, cache_dir, *, threads=None):
        return onnx if state["exists"] else None

    monkeypatch.setattr(embedding.OnnxEmbedder, "for_model", staticmethod(for_model))
    monkeypatch.setattr(embedding.OnnxEmbedder, "existing", staticmethod(existing))
    emb = AutoEmbedder("bundled", cache_dir=tmp_path)
    emb._torch = _Encoder("torch")
    return emb, made, onnx, state


def test_dim_and_bulk_encodes_do_not_make_the_export(auto):
    emb, made, onnx, _ = auto
    assert emb.dim == 8
    emb.encode([f"text {i}" for i in range(10)], batch=True)       # an index's last chunk
    emb.encode([f"text {i}" for i in range(BF16_MIN_BATCH)], batch=True)
    assert made == [] and onnx.calls == []
    assert emb._torch.calls == [(10, True), (BF16_MIN_BATCH, True)]


def test_a_single_claim_or_prepare_makes_it_once(auto):
    emb, made, onnx, _ = auto
    emb.encode(["one claim"])
    emb.prepare()
    emb.encode(["another"], batch=True)
    assert made == ["bundled"] and onnx.calls == [(1, False), (1, True)]


def test_an_existing_export_serves_dim_without_torch(auto):
    emb, made, onnx, state = auto
    state["exists"] = True
    emb._torch = None                       # touching torch would fail
    assert emb.dim == 8 and made == []


def test_a_search_uses_torch_while_another_thread_makes_the_export(auto):
    emb, made, onnx, _ = auto
    exporting, release = threading.Event(), threading.Event()
    slow_export = emb._onnx_or_none

    def prepare() -> None:
        with emb._lock:
            exporting.set()
            release.wait(10)
        slow_export()

    worker = threading.Thread(target=prepare)
    worker.start()
    assert exporting.wait(10)
    emb.encode(["claim during the export"])
    assert emb._torch.calls == [(1, False)] and onnx.calls == []
    release.set()
    worker.join(10)
    emb.encode(["claim after it"])
    assert onnx.calls == [(1, False)] and made == ["bundled"]


def test_bf16_self_check_waits_for_a_large_ingest():
    emb = SentenceTransformerEmbedder(bf16=None)
    runs: list[bool] = []
    checks: list[int] = []
    emb._load = lambda: object()
    emb._module, emb._dim = object(), 4

    def run(texts, *, bf16):
        runs.append(bf16)
        return np.ones((len(texts), 4), dtype=np.float32) / 2

    def self_check() -> bool:
        checks.append(1)
        return True

    emb._run, emb._bf16_self_check = run, self_check
    chunk = [f"t{i}" for i in range(256)]
    for _ in range(BF16_CHECK_AFTER // len(chunk)):        # a small rebuild: fp32 throughout
        emb.encode(chunk, batch=True)
    assert checks == [] and not any(runs)
    emb.encode(chunk, batch=True)                            # past the threshold: check once
    emb.encode(chunk, batch=True)
    emb.encode(["one claim"])                                # single claims stay fp32
    assert checks == [1] and runs[-3:] == [True, True, False]
