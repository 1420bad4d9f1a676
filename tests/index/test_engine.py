"""MatchEngine: updates, filters, tiers, explanations, persistence, concurrency."""
from __future__ import annotations

import threading

import pytest

from index.engine import Candidate, Doc, MatchEngine, Thresholds
from index.errors import BadInput
from index.glossary import load_glossary



@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


@pytest.fixture
def engine(fake_embedder, glossary, library):
    eng = MatchEngine(fake_embedder, glossary=glossary, thresholds=Thresholds(same=0.9, related=0.3))
    eng.rebuild(library, watermark=8)
    return eng


def top_id(engine, text, **kw):
    res = engine.match(text, include_none=True, **kw)
    return res[0].id if res else None


def test_rebuild_counts_ids_and_watermark(engine, library):
    assert len(engine) == 8 and engine.ids() == {d.id for d in library}
    assert engine.watermark == 8 and engine.model_id == "fake-trigram-64"


@pytest.mark.parametrize("claim,expected,rival", [
    # another district
    ("Alwar me polling date 25 se 28 November ho gayi, letter aaya hai", 2, 3),
    ("Bharatpur me voting 28 November ko hogi, pehle 25 thi", 3, 2),
    # another amount
    ("PM kisan ki agli kist 4000 rupaye ki aayegi", 4, 5),
    # another scheme
    ("ujjwala walon ko 4000 ki subsidy milegi", 5, 4),
    # another date
    ("Jaipur me bijli ka bill 1 June se double ho jayega", 7, 6),
    ("जयपुर में 1 मई से बिजली बिल दोगुना होगा", 6, 7),
])
def test_specifics_decide_between_near_misses(engine, claim, expected, rival):
    res = engine.match(claim, include_none=True)
    ids = [c.id for c in res]
    assert ids[0] == expected
    assert ids.index(rival) > 0


def test_candidates_carry_tier_signals_and_a_readable_explanation(engine):
    res = engine.match("UP me jinka ration card ka e kyc 31 march tak nhi hua unka card 1 april se cancel ho jayega")
    best = res[0]
    assert isinstance(best, Candidate) and best.id == 1 and best.kind == "fact"
    assert 0.0 <= best.score <= 1.0 and best.tier in ("same", "related")
    assert {"dense", "bm25", "concept", "num_agree", "place_disagree"} <= set(best.signals)
    exp = best.explanation
    assert "ration card" in exp.shared_terms and "ekyc" in exp.shared_terms
    assert "31" in exp.numbers_agree and "Uttar Pradesh" in exp.places_agree
    assert "bm25" in exp.fired and "num_agree" in exp.fired
    assert exp.summary.startswith(best.tier) and "same numbers" in exp.summary
    d = exp.to_dict()
    assert set(d) == {"fired", "shared_terms", "numbers_agree", "numbers_disagree", "places_agree",
                      "places_disagree", "summary"}


def test_explanation_names_disagreeing_places(engine):
    res = engine.match("भरतपुर में मतदान 25 नवंबर से 28 नवंबर हुआ", include_none=True)
    alwar = next(c for c in res if c.id == 2)
    assert set(alwar.explanation.places_disagree) >= {"Alwar", "Bharatpur"}
    assert "different places" in alwar.explanation.summary


def test_tiers_follow_the_thresholds(engine):
    claim = "PM kisan ki agli kist 4000 rupaye ki aayegi"
    engine.thresholds = Thresholds(same=1.0, related=0.0)
    assert all(c.tier == "related" for c in engine.match(claim))
    engine.thresholds = Thresholds(same=0.0, related=0.0)
    assert all(c.tier == "same" for c in engine.match(claim))
    engine.thresholds = Thresholds(same=1.0, related=1.0)
    assert engine.match(claim) == []
    assert {c.tier for c in engine.match(claim, include_none=True)} == {"none"}
    with pytest.raises(TypeError):
        engine.thresholds = (0.9, 0.5)


def test_kinds_filter_and_exclude(engine):
    claim = "Jaipur me bijli ka bill 1 June se double ho jayega"
    assert {c.kind for c in engine.match(claim, kinds=["rebuttal"], include_none=True)} == {"rebuttal"}
    assert all(c.kind == "fact" for c in engine.match(claim, kinds=["fact"], include_none=True))
    assert 7 not in [c.id for c in engine.match(claim, exclude=[7], include_none=True)]
    assert engine.match(claim, kinds=["nothing"], include_none=True) == []


def test_upsert_adds_and_replaces_and_remove_deletes(engine):
    claim = "Lucknow ke sabhi school 15 July tak band rahenge"
    assert top_id(engine, claim) != 20
    engine.upsert([Doc(20, "लखनऊ के सभी स्कूल 15 जुलाई तक बंद रहने का दावा गलत है।")], watermark=20)
    assert top_id(engine, claim) == 20 and engine.watermark == 20 and len(engine) == 9
    engine.upsert([Doc(20, "Petrol prices will not change this week in Delhi.")])
    assert top_id(engine, "petrol ka daam is hafte delhi me nahi badlega") == 20
    assert top_id(engine, claim) != 20
    engine.remove([20, 999], watermark=21)
    assert 20 not in engine.ids() and engine.watermark == 21
    assert all(c.id != 20 for c in engine.match("petrol ka daam delhi me", include_none=True))


def test_match_many_equals_match(engine):
    claims = ["Alwar me polling date 28 November", "ujjwala walon ko 4000 ki subsidy"]
    many = engine.match_many(claims, include_none=True)
    single = [engine.match(c, include_none=True) for c in claims]
    assert [[c.id for c in r] for r in many] == [[c.id for c in r] for r in single]
    assert engine.match_many([]) == []


@pytest.mark.parametrize("bad", ["", "   \n", "x" * 20_001, None, 42])
def test_bad_claims_get_a_clear_error(engine, bad):
    with pytest.raises(BadInput):
        engine.match(bad)


@pytest.mark.parametrize("doc", [Doc(-1, "x"), Doc(1 << 62, "x"), Doc(1, ""), Doc("7", "text")])
def test_bad_documents_are_refused_and_nothing_changes(engine, doc):
    before = engine.ids()
    with pytest.raises(BadInput):
        engine.upsert([Doc(30, "ok text"), doc])
    assert engine.ids() == before


def test_duplicate_ids_in_one_batch_are_refused(engine):
    with pytest.raises(BadInput):
        engine.rebuild([Doc(1, "a"), Doc(1, "b")])
    assert len(engine) == 8


def test_html_in_claims_is_just_text(engine):
    res = engine.match("<script>alert(1)</script> Alwar me polling date 28 November", include_none=True)
    assert res and res[0].id == 2


def test_persisted_vectors_are_loaded_when_nothing_changed(tmp_path, glossary, library):
    from index.embedding import FakeEmbedder

    store = tmp_path / "library"
    first = FakeEmbedder()
    eng = MatchEngine(first, glossary=glossary, store_dir=store)
    assert eng.open(library, watermark=5) == "rebuilt"
    assert first.encoded > 0
    again = FakeEmbedder()
    eng2 = MatchEngine(again, glossary=glossary, store_dir=store)
    assert eng2.open(library, watermark=5) == "loaded"
    assert again.encoded == 0
    assert top_id(eng2, "Alwar me polling date 28 November") == 2
    # A changed document, watermark or model means a rebuild.
    changed = library[:-1] + [Doc(8, "CBSE maths exam moved to 18 March")]
    assert MatchEngine(FakeEmbedder(), glossary=glossary, store_dir=store).open(changed, watermark=5) == "rebuilt"
    assert MatchEngine(FakeEmbedder(), glossary=glossary, store_dir=store).open(changed, watermark=6) == "rebuilt"
    other = FakeEmbedder(model_id="other-model")
    assert MatchEngine(other, glossary=glossary, store_dir=store).open(changed, watermark=6) == "rebuilt"


def test_upserts_are_saved_on_flush(tmp_path, glossary, library):
    from index.embedding import FakeEmbedder

    store = tmp_path / "library"
    eng = MatchEngine(FakeEmbedder(), glossary=glossary, store_dir=store)
    eng.open(library, watermark=1)
    eng.upsert([Doc(40, "Free laptops for all class 12 students is a fake claim.")], watermark=2)
    eng.remove([1], watermark=3)
    assert eng.unsaved_changes == 2
    eng.flush()
    assert eng.unsaved_changes == 0
    docs = [d for d in library if d.id != 1] + [Doc(40, "Free laptops for all class 12 students is a fake claim.")]
    fresh = FakeEmbedder()
    assert MatchEngine(fresh, glossary=glossary, store_dir=store).open(docs, watermark=3) == "loaded"
    assert fresh.encoded == 0


def test_progress_is_reported_while_indexing(fake_embedder, glossary, library):
    seen = []
    MatchEngine(fake_embedder, glossary=glossary).rebuild(library, progress=lambda d, n: seen.append((d, n)))
    assert seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cache_avoids_embedding_unchanged_text_twice(glossary, library):
    from index.cache import MemoryEmbeddingCache
    from index.embedding import FakeEmbedder

    cache, emb = MemoryEmbeddingCache(), FakeEmbedder()
    MatchEngine(emb, glossary=glossary, cache=cache).rebuild(library)
    n = emb.encoded
    MatchEngine(emb, glossary=glossary, cache=cache).rebuild(library)
    assert emb.encoded == n and len(cache) > 0


def test_concurrent_matches_during_upserts_never_fail_or_return_removed_ids(fake_embedder, glossary, library):
    eng = MatchEngine(fake_embedder, glossary=glossary, thresholds=Thresholds(0.9, 0.0))
    eng.rebuild(library)
    removed: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                gone_before = set(removed)
                for c in eng.match("Alwar me polling date 28 November 4000 rupaye", include_none=True):
                    assert c.id not in gone_before, c.id
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(100, 160):
            eng.upsert([Doc(i, f"Alwar polling date rumour number {i} about 28 November and ₹4000")])
            if i % 2 == 0:
                eng.remove([i])
                removed.add(i)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[0]
    assert not (eng.ids() & removed)
    assert len(eng) == len(library) + 30


@pytest.mark.parametrize("claim,doc", [
    ("100 number par call karo, police 10 minute me aayegi",
     "Bijli bill par 100 rupaye ki chhoot ka dawa galat hai."),
    ("AC 45 में 112 बूथों पर दोबारा मतदान होगा",
     "Free fridge and AC for every family that gets 112 points: the scheme is fake."),
])
def test_numbers_and_abbreviations_are_not_shared_concepts(fake_embedder, glossary, claim, doc):
    eng = MatchEngine(fake_embedder, glossary=glossary)
    eng.rebuild([Doc(1, doc)])
    cands = eng.match(claim, include_none=True)
    assert cands, "the one document is still scored"
    shared = cands[0].explanation.shared_terms
    assert not {"jeep", "fridge", "ambulance"} & set(shared), shared
    assert cands[0].tier == "none"
