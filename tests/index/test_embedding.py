"""Embedders: model resolution, input hygiene, and (slow) the real model under each backend."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.embedding import (
    BACKENDS, AutoEmbedder, FakeEmbedder, ModelUnavailable, SentenceTransformerEmbedder,
    load_embedder, model_id_for, resolve_model,
)
from index.errors import EngineError
from index.onnx_export import OnnxEmbedder, export_dir_for
from index.tokens import MAX_CHARS, PROBE_TEXTS, TokenBatcher, clean_text, clean_texts, normalize_rows

REPO = Path(__file__).resolve().parents[2]

HINDI = ["मोदी ने कहा कि 1 अप्रैल से पेट्रोल मुफ्त मिलेगा", "राशन कार्ड रद्द होने का दावा गलत है"]
HINGLISH = ["Modi ne kaha ki petrol free milega", "ration card cancel nahi hoga, ye fake h"]
ENGLISH = ["Petrol will be free from April 1, says the PM", "Ration cards are not being cancelled"]
SAMPLES = HINDI + HINGLISH + ENGLISH


# -- model names and backends (no model load) ------------------------------------------

@pytest.mark.parametrize("name,expected", [
    ("bundled", "all-MiniLM-L6-v2"),
    ("", "all-MiniLM-L6-v2"),
    ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2"),
    ("sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"),
    ("paraphrase-multilingual-MiniLM-L12-v2", "paraphrase-multilingual-MiniLM-L12-v2"),
    ("/models/my-model/", "/models/my-model"),
])
def test_model_id_names_the_model_not_the_backend(name, expected):
    assert model_id_for(name) == expected


def test_bundled_resolves_to_a_local_model_directory():
    path = Path(resolve_model("bundled"))
    assert (path / "config.json").is_file()
    assert (path / "modules.json").is_file()


@pytest.mark.parametrize("name", [
    "no-such-model-anywhere",
    "nobody/no-such-model",
    "./missing/model",
    "/definitely/not/here",
    "a/b/c",
    "not a valid repo id!",
])
def test_unknown_model_fails_fast_without_network(name, monkeypatch):
    # Any attempt to open a socket would be a download attempt.
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(ModelUnavailable) as info:
        load_embedder(name, "torch")
    assert name.strip() in str(info.value)
    assert isinstance(info.value, EngineError)


def test_directory_without_a_model_is_refused(tmp_path):
    with pytest.raises(ModelUnavailable, match="holds no model"):
        resolve_model(str(tmp_path))


def test_a_file_is_not_a_model(tmp_path):
    f = tmp_path / "model.bin"
    f.write_bytes(b"x")
    with pytest.raises(ModelUnavailable, match="is a file"):
        resolve_model(str(f))


@pytest.mark.parametrize("backend", ["gpu", "tensorrt", "int8", "fp16"])
def test_unknown_backend_is_refused(backend):
    with pytest.raises(ValueError, match="unknown encoder backend"):
        load_embedder("bundled", backend)


@pytest.mark.parametrize("backend,kind", [
    ("torch", SentenceTransformerEmbedder), ("bf16", SentenceTransformerEmbedder),
    ("auto", AutoEmbedder), ("AUTO", AutoEmbedder), (" Torch ", SentenceTransformerEmbedder),
])
def test_load_embedder_is_lazy_and_picks_the_backend(backend, kind, tmp_path):
    emb = load_embedder("bundled", backend, cache_dir=tmp_path)
    assert isinstance(emb, kind)
    assert emb.model_id == "all-MiniLM-L6-v2"
    # Protocol members are on the class (isinstance() on Python 3.11 would read ``dim``
    # and so load the model, which is exactly what must not happen yet).
    assert all(hasattr(type(emb), name) for name in ("encode", "dim"))
    assert not list(tmp_path.iterdir())  # nothing exported or loaded yet


def test_all_documented_backends_are_accepted(tmp_path):
    for backend in BACKENDS:
        assert load_embedder("bundled", backend, cache_dir=tmp_path).model_id == "all-MiniLM-L6-v2"


# -- text hygiene (no model) -----------------------------------------------------------

def test_clean_text_cuts_huge_text():
    assert len(clean_text("x" * (MAX_CHARS + 10))) == MAX_CHARS


def test_clean_text_repairs_lone_surrogates():
    out = clean_text("broken \ud800 text")
    out.encode("utf-8")  # must not raise
    assert out.startswith("broken ") and out.endswith(" text")


@pytest.mark.parametrize("bad", ["one string", b"bytes"])
def test_a_single_string_is_not_a_batch(bad):
    with pytest.raises(TypeError, match="sequence of texts"):
        clean_texts(bad)


@pytest.mark.parametrize("bad", [None, 5, b"x", ["ok", None]])
def test_non_text_items_are_refused(bad):
    items = bad if isinstance(bad, list) else [bad]
    with pytest.raises(TypeError, match="must be str"):
        clean_texts(items)


@given(st.lists(st.text(max_size=200), max_size=20))
@settings(max_examples=50, deadline=None)
def test_clean_texts_always_yields_encodable_strings(texts):
    for text in clean_texts(texts):
        text.encode("utf-8")


def _batcher() -> TokenBatcher:
    tok = (Path(resolve_model("bundled")) / "tokenizer.json").read_text(encoding="utf-8")
    return TokenBatcher(tok, max_length=16, input_names=["input_ids", "attention_mask", "token_type_ids"])


def test_batches_are_length_sorted_and_cover_every_row_once():
    texts = ["a b c d e f g", "a", "a b c", "", "a b c d e f g h i j k l m n o p q r s t u v"]
    batches = list(_batcher().batches(texts, batch_size=2))
    rows = np.concatenate([b.rows for b in batches])
    assert sorted(rows.tolist()) == list(range(len(texts)))
    widths = [b.inputs["input_ids"].shape[1] for b in batches]
    assert widths == sorted(widths)
    assert max(widths) == 16  # truncated to max_length
    for b in batches:
        mask = b.inputs["attention_mask"]
        assert (mask[:, 0] == 1).all()  # [CLS] is always there, even for ""


def test_pad_multiple_rounds_width_up():
    (b,) = list(_batcher().batches(["a b c"], batch_size=4, pad_multiple=8))
    assert b.inputs["input_ids"].shape[1] == 8
    assert b.inputs["attention_mask"].sum() == 5  # [CLS] a b c [SEP]


def test_normalize_rows_keeps_zero_rows_and_unit_length():
    out = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


def test_fake_embedder_is_deterministic_and_normalised():
    fake = FakeEmbedder(dim=32)
    a, b = fake.encode(["Modi ne kaha", "मोदी ने कहा"]), fake.encode(["Modi ne kaha", "मोदी ने कहा"])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-6)


# -- the real model (slow) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def onnx_embedder(real_embedder, onnx_dir) -> OnnxEmbedder:
    return OnnxEmbedder.for_model("bundled", onnx_dir, torch_embedder=lambda: real_embedder)


@pytest.mark.slow
@pytest.mark.parametrize("texts", [SAMPLES, SAMPLES[:1], ["", "   ", "<script>alert(1)</script>"]])
def test_torch_output_is_normalised_float32(real_embedder, texts):
    vecs = real_embedder.encode(texts)
    assert vecs.dtype == np.float32
    assert vecs.shape == (len(texts), real_embedder.dim) == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)


@pytest.mark.slow
def test_empty_input_gives_an_empty_matrix(real_embedder):
    assert real_embedder.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_fast_path_matches_sentence_transformers(real_embedder):
    assert real_embedder.fast_path_reason == ""
    st_model = real_embedder._load()
    theirs = st_model.encode(SAMPLES + list(PROBE_TEXTS), normalize_embeddings=True)
    ours = real_embedder.encode(SAMPLES + list(PROBE_TEXTS))
    assert (ours * theirs).sum(axis=1).min() >= 0.9999


@pytest.mark.slow
def test_encoding_does_not_depend_on_batch_neighbours(real_embedder):
    together = real_embedder.encode(SAMPLES)
    alone = np.concatenate([real_embedder.encode([t]) for t in SAMPLES])
    assert (together * alone).sum(axis=1).min() >= 0.9999


@pytest.mark.slow
@pytest.mark.parametrize("texts", [HINDI, HINGLISH, ENGLISH, list(PROBE_TEXTS)])
def test_onnx_matches_torch(onnx_embedder, real_embedder, texts):
    ref = real_embedder.encode(texts)
    batched = onnx_embedder.encode(texts)
    single = np.concatenate([onnx_embedder.encode([t]) for t in texts])
    assert batched.dtype == np.float32 and batched.shape == ref.shape
    assert (ref * batched).sum(axis=1).min() >= 0.9999
    assert (ref * single).sum(axis=1).min() >= 0.9999


@pytest.mark.slow
def test_onnx_export_is_reused_without_torch(onnx_embedder, onnx_dir):
    # A fresh interpreter must load the existing export without importing torch at all.
    code = (
        "import sys, numpy as np\n"
        "from index.embedding import load_embedder\n"
        f"e = load_embedder('bundled', 'onnx', cache_dir={str(onnx_dir)!r})\n"
        "v = e.encode(['Modi ne kaha ki petrol free milega'])\n"
        "print(v.shape[1], 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["384", "False", "False"]
    assert len([p for p in onnx_dir.iterdir() if not p.name.startswith(".")]) == 1


@pytest.mark.slow
def test_corrupted_export_is_replaced(real_embedder, tmp_path):
    first = OnnxEmbedder.for_model("bundled", tmp_path, torch_embedder=lambda: real_embedder)
    model_file = first.export_dir / "model.onnx"
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_file.write_bytes(bytes(data))
    again = OnnxEmbedder.for_model("bundled", tmp_path, torch_embedder=lambda: real_embedder)
    meta = json.loads((again.export_dir / "meta.json").read_text())
    assert meta["min_cosine_vs_torch"] >= 0.9999
    ref = real_embedder.encode(SAMPLES)
    assert (again.encode(SAMPLES) * ref).sum(axis=1).min() >= 0.9999


@pytest.mark.slow
def test_export_directory_depends_on_model_files(tmp_path):
    src = Path(resolve_model("bundled"))
    a = export_dir_for("m", str(src), tmp_path)
    assert a == export_dir_for("m", str(src), tmp_path)
    assert a != export_dir_for("other", str(src), tmp_path)


@pytest.mark.slow
def test_bf16_batches_agree_with_fp32(real_embedder):
    bf16 = SentenceTransformerEmbedder(bf16=True)
    texts = (SAMPLES + list(PROBE_TEXTS)) * 6
    low = bf16.encode(texts, batch=True)
    ref = real_embedder.encode(texts)
    cos = (low * ref).sum(axis=1)
    assert cos.min() >= 0.999
    # Top-1 neighbour among the samples is unchanged by bf16.
    n = len(SAMPLES)
    sims_ref, sims_low = ref[:n] @ ref[:n].T, low[:n] @ low[:n].T
    np.fill_diagonal(sims_ref, -1), np.fill_diagonal(sims_low, -1)
    assert (sims_ref.argmax(axis=1) == sims_low.argmax(axis=1)).all()


@pytest.mark.slow
def test_auto_uses_onnx_for_claims_and_reports_it(real_embedder, onnx_dir, onnx_embedder):
    auto = AutoEmbedder("bundled", cache_dir=onnx_dir)
    auto._torch = real_embedder  # share the loaded model; the export already exists
    vec = auto.encode(["EVM hack karke chunav jeeta"])
    assert auto.backend == "onnx"
    assert auto.dim == 384
    ref = real_embedder.encode(["EVM hack karke chunav jeeta"])
    assert float(vec[0] @ ref[0]) >= 0.9999


@pytest.mark.slow
def test_auto_falls_back_to_torch_when_export_fails(tmp_path, real_embedder, caplog):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be")
    auto = AutoEmbedder("bundled", cache_dir=blocked)
    auto._torch = real_embedder
    vec = auto.encode(["Modi ne kaha"])
    assert auto.backend == "torch"
    assert auto.onnx_failure
    assert "ONNX unavailable" in caplog.text
    assert vec.shape == (1, 384)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["torch", "onnx"])
def test_concurrent_encodes_give_the_same_vectors(which, real_embedder, onnx_embedder):
    emb = real_embedder if which == "torch" else onnx_embedder
    texts = SAMPLES * 3
    expected = emb.encode(texts)
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for _ in range(3):
                out = emb.encode([texts[n]])
                assert float(out[0] @ expected[n]) >= 0.9999
            results[n] = emb.encode(texts[n:n + 4], batch=True)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    for n, out in results.items():
        assert (out * expected[n:n + 4]).sum(axis=1).min() >= 0.9999


@pytest.mark.slow
def test_model_can_be_switched_by_path(real_embedder):
    # A model given by its directory is a different model id but works the same way.
    path = resolve_model("bundled")
    other = SentenceTransformerEmbedder(path)
    assert other.model_id == path
    vec = other.encode(["ration card cancel nahi hoga"])
    assert float(vec[0] @ real_embedder.encode(["ration card cancel nahi hoga"])[0]) >= 0.9999


@pytest.mark.slow
def test_small_encodes_run_single_threaded_bulk_uses_the_cores(real_embedder):
    import torch

    seen: dict[str, int] = {}

    def worker():
        real_embedder.encode(["one claim"])
        seen["single"] = torch.get_num_threads()
        real_embedder.encode(SAMPLES * 4, batch=True)
        seen["bulk"] = torch.get_num_threads()

    t = threading.Thread(target=worker)
    t.start()
    t.join(120)
    assert seen["single"] == 1
    assert seen["bulk"] == real_embedder._bulk_threads
    assert 1 <= real_embedder._bulk_threads <= len(os.sched_getaffinity(0))
