"""The engine's saved state: vectors, lexical snapshot and manifest, saved together after
a rebuild and then debounced; loaded without re-analysing or re-embedding anything;
refused (never misread) when damaged or made by another model, glossary or version."""
from __future__ import annotations

import errno
import json

import pytest

import index.engine as engine_mod
from index.embedding import FakeEmbedder
from index.engine import Doc, MatchEngine
from index.glossary import load_glossary

EXTRA = [Doc(40, "Free laptops for all class 12 students is a fake claim."),
         Doc(41, "बिजली बिल माफी योजना का दावा गलत है, कोई ₹99 वाली योजना नहीं है।", kind="rebuttal")]
QUERIES = ["Alwar me polling date 25 se 28 November ho gayi", "free laptop class 12 students",
           "PM kisan ki agli kist 4000 rupaye ki aayegi", "bijli bill maafi 99 rupaye"]


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


def make(tmp_path, glossary, embedder=None, **kw):
    return MatchEngine(embedder or FakeEmbedder(), glossary=glossary, store_dir=tmp_path / "lib", **kw)


def results(engine):
    return [[(c.id, c.tier, c.score) for c in engine.match(q, include_none=True)] for q in QUERIES]


def test_saves_are_debounced_by_count(tmp_path, glossary, library):
    eng = make(tmp_path, glossary, save_every=3, save_interval=1e9)
    eng.rebuild(library, watermark=1)
    eng.upsert(EXTRA[:1], watermark=2)
    eng.upsert(EXTRA[1:], watermark=3)
    assert make(tmp_path, glossary).load() == 1          # two changes: not saved yet
    eng.remove([1], watermark=4)
    assert make(tmp_path, glossary).load() == 4          # the third one saved everything
    assert eng.unsaved_changes == 0


def test_saves_are_debounced_by_time(tmp_path, glossary, library, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(engine_mod.time, "monotonic", lambda: clock[0])
    eng = make(tmp_path, glossary, save_every=10_000, save_interval=30.0)
    eng.rebuild(library, watermark=1)
    eng.upsert(EXTRA[:1], watermark=2)
    assert make(tmp_path, glossary).load() == 1
    clock[0] += 31
    eng.upsert(EXTRA[1:], watermark=3)
    assert make(tmp_path, glossary).load() == 3


def test_load_restores_the_same_matches_without_analysis_or_encoding(tmp_path, glossary, library,
                                                                     monkeypatch):
    eng = make(tmp_path, glossary)
    eng.rebuild(library + EXTRA, watermark=7)
    eng.remove([3], watermark=8)       # a dead base row and a watermark in the snapshot
    eng.upsert([Doc(4, "पीएम किसान की किस्त ₹2,000 ही रहेगी, ₹4,000 का दावा गलत है।")], watermark=9)
    eng.flush()
    before = results(eng)
    probe = FakeEmbedder()
    again = make(tmp_path, glossary, probe)
    monkeypatch.setattr(engine_mod, "analyze", lambda *a, **k: pytest.fail("re-analysed a document"))
    assert again.load() == 9
    assert probe.encoded == 0 and again.ids() == eng.ids() and len(again) == len(eng)
    monkeypatch.undo()
    assert results(again) == before


def test_load_then_replaying_changes_equals_a_fresh_build(tmp_path, glossary, library):
    eng = make(tmp_path, glossary, save_every=10_000, save_interval=1e9)
    eng.rebuild(library, watermark=1)
    eng.upsert(EXTRA, watermark=2)     # never saved: a crash would lose it
    eng.remove([2], watermark=3)
    restarted = make(tmp_path, glossary)
    assert restarted.load() == 1
    restarted.upsert(EXTRA, watermark=2)
    restarted.remove([2], watermark=3)
    fresh = MatchEngine(FakeEmbedder(), glossary=glossary)
    fresh.rebuild([d for d in library if d.id != 2] + EXTRA, watermark=3)
    assert restarted.ids() == fresh.ids()
    assert [[(i, t) for i, t, _ in r] for r in results(restarted)] == \
        [[(i, t) for i, t, _ in r] for r in results(fresh)]


def _lexical_file(tmp_path):
    manifest = json.loads((tmp_path / "lib" / "manifest.json").read_text())
    return tmp_path / "lib" / manifest["extra"]["lexical_file"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "garbage"])
def test_a_damaged_lexical_snapshot_is_refused_and_open_rebuilds(tmp_path, glossary, library, damage):
    make(tmp_path, glossary).rebuild(library, watermark=5)
    path = _lexical_file(tmp_path)
    raw = bytearray(path.read_bytes())
    if damage == "flip":
        raw[len(raw) // 2] ^= 0x40
        path.write_bytes(bytes(raw))
    elif damage == "truncate":
        path.write_bytes(bytes(raw[:200]))
    elif damage == "delete":
        path.unlink()
    else:
        path.write_bytes(b"not a snapshot" * 10)
    eng = make(tmp_path, glossary)
    assert eng.load() is None and eng.load_reason
    assert len(eng) == 0                            # nothing half-loaded
    assert eng.open(library, watermark=5) == "rebuilt"
    assert make(tmp_path, glossary).load() == 5     # and the rebuild was saved


def test_another_glossary_or_model_or_version_is_refused(tmp_path, glossary, library, monkeypatch):
    make(tmp_path, glossary).rebuild(library, watermark=5)
    extended = load_glossary()
    extended.add(type(next(iter(extended.concepts.values())))("laptop_scheme", "scheme", "laptop scheme"),
                 ["laptop yojana", "लैपटॉप योजना"])
    assert make(tmp_path, extended).load() is None
    assert make(tmp_path, glossary, FakeEmbedder(model_id="other")).load() is None
    monkeypatch.setattr(engine_mod, "ANALYSIS_VERSION", engine_mod.ANALYSIS_VERSION + 1)
    eng = make(tmp_path, glossary)
    assert eng.load() is None and "analysis" in eng.load_reason
    monkeypatch.undo()
    assert make(tmp_path, glossary).load() == 5


@pytest.mark.parametrize("stage", ["lexical", "vectors"])
def test_a_failed_save_keeps_the_previous_files_loadable(tmp_path, glossary, library, monkeypatch,
                                                          stage):
    from index.persist import IndexWriteError

    eng = make(tmp_path, glossary)
    eng.rebuild(library, watermark=1)
    before = sorted(p.name for p in (tmp_path / "lib").iterdir())
    eng.upsert(EXTRA, watermark=2)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if stage == "lexical":
        monkeypatch.setattr(engine_mod, "write_snapshot", full)
    else:
        import index.vectors as vectors_mod
        monkeypatch.setattr(vectors_mod, "atomic_write", full)
    with pytest.raises(IndexWriteError, match="no space left"):
        eng.save()
    monkeypatch.undo()
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == before
    assert make(tmp_path, glossary).load() == 1
    assert {40, 41} <= eng.ids()                    # memory stays current


def test_open_rebuilds_when_a_document_changed(tmp_path, glossary, library):
    make(tmp_path, glossary).rebuild(library, watermark=5)
    changed = library[:-1] + [Doc(8, library[-1].text, kind="rebuttal")]   # same text, other kind
    assert make(tmp_path, glossary).open(changed, watermark=5) == "rebuilt"
    assert make(tmp_path, glossary).open(changed, watermark=5) == "loaded"


def test_an_ivf_rebuild_reads_its_vectors_back_from_a_temporary_file(tmp_path, glossary, monkeypatch):
    """Above the exact-search size the vector index gets a re-readable chunk source (so it
    can size its lists exactly) without the engine holding every vector in memory."""
    import functools

    import numpy as np

    from index.vectors import VectorIndex

    sources = []
    real_build = VectorIndex.build_chunks

    def spy(self, chunks, *, total):
        sources.append(chunks)
        return real_build(self, chunks, total=total)

    monkeypatch.setattr(engine_mod, "BUILD_CHUNK", 16)
    monkeypatch.setattr(engine_mod, "VectorIndex", functools.partial(VectorIndex, exact_max=40))
    monkeypatch.setattr(VectorIndex, "build_chunks", spy)
    docs = [Doc(i, f"Claim {i}: booth {i * 7} par {i % 28 + 1} tarikh ko voting band, ward {i * 3}")
            for i in range(1, 81)]
    emb = FakeEmbedder()
    eng = make(tmp_path, glossary, emb)
    eng.rebuild(docs, watermark=1)
    assert len(sources) == 1 and callable(sources[0])   # re-readable: an exact-size IVF build
    assert eng._vectors.kind != "flat" and len(eng._vectors) == sum(
        len(engine_mod.doc_views(engine_mod.analyze(d.text, glossary))) for d in docs)
    views = engine_mod.doc_views(engine_mod.analyze(docs[41].text, glossary))
    got = eng._vectors.reconstruct([42 * engine_mod.VIEW_SLOTS + v for v in range(len(views))])
    np.testing.assert_allclose(got, emb.encode(views, batch=True), atol=2e-3)
    assert not [p for p in (tmp_path / "lib").iterdir() if p.name.startswith("rebuild-")]
    assert eng.match(docs[41].text)[0].id == 42
