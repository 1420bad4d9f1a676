"""Scores rest on pairwise evidence: they mean the same in a collection of one document as
in one of thousands, near-copies do not pull each other down, and words the collection
has never seen count against a match."""
from __future__ import annotations

import pytest

from index.background import PSEUDO_DOCS, idf, load_background
from index.engine import Doc, MatchEngine
from index.glossary import load_glossary

# One claim per script, all about different things.
UNRELATED_DOCS = [
    Doc(1, "Polling in Lucknow moved to Monday, forward to all", "claim"),
    Doc(2, "राशन कार्ड 30 नवंबर से बंद हो जाएंगे", "claim"),
    Doc(3, "Free gas cylinders for everyone who votes", "claim"),
    Doc(4, "Bank 4 din lagatar band rahenge 25 se 28 tarikh tak, sab kaam pehle nipta lo", "claim"),
]
UNRELATED_CLAIMS = [
    "मुफ़्त लैपटॉप योजना",                                        # Devanagari
    "free laptop scheme",                                          # English
    "muft laptop yojana ka form bharo",                            # Hinglish
    "Scientists warn of a 7.5 magnitude earthquake in Delhi tonight",
    "दिल्ली में आज रात भूकंप आने की चेतावनी, वैज्ञानिकों ने कहा",
    "MR ka tika ladkiyon ko mat lagwana, doctor ne bataya",
    "zzz",
]
EARTHQUAKE = "Breaking: Scientists warn of a 7.5 magnitude earthquake in Delhi-NCR at 2 am tonight."
NEAR_COPIES = [
    EARTHQUAKE,
    "Forwarded as received\n" + EARTHQUAKE,
    "Scientists warn of a 7.5 magnitude earthquake in Dehli-NCR at 2 am tonight!!!",
    EARTHQUAKE.upper(),
    "⚠️ Scientists warn of a 7.5 magnitud earthquake in Delhi-NCR at 2 am tonigth 🙏\nShare with family",
]
TYPOED = [
    "Scientsits warn of a 7.5 magnitude earthqake in Delhi NCR at 2 am tonight",
    "SCIENTISTS WARN OF 7.5 MAGNITUDE EARTHQUAKE IN DELHI-NCR AT 2 AM TONIGHT",
    "Scientists warm of a 7.5 magnitude earthquak in Delhi-NCR at 2am tonight, share",
]


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


def _subsets():
    # Every collection of 1 to 3 of the unrelated documents that starts with each script.
    return [UNRELATED_DOCS[i:i + n] for n in (1, 2, 3) for i in range(len(UNRELATED_DOCS) - n + 1)]


def _tiers(engine: MatchEngine, text: str) -> list[tuple[int, str, float]]:
    return [(c.id, c.tier, c.score) for c in engine.match(text, include_none=True)]


@pytest.mark.parametrize("docs", _subsets(), ids=lambda d: "+".join(str(x.id) for x in d))
def test_tiny_collections_never_rate_unrelated_claims(fake_embedder, glossary, docs):
    engine = MatchEngine(fake_embedder, glossary=glossary)
    engine.rebuild(docs)
    for claim in UNRELATED_CLAIMS:
        found = _tiers(engine, claim)
        assert found and all(tier == "none" for _, tier, _ in found), (claim, found)


@pytest.mark.parametrize("query", TYPOED)
def test_near_copies_all_stay_same_for_a_typoed_variant(fake_embedder, glossary, query):
    engine = MatchEngine(fake_embedder, glossary=glossary)
    engine.rebuild([Doc(i, t, "claim") for i, t in enumerate(NEAR_COPIES)]
                   + [Doc(10 + d.id, d.text, "claim") for d in UNRELATED_DOCS])
    found = {i: tier for i, tier, _ in _tiers(engine, query)}
    assert all(found.get(i) == "same" for i in range(len(NEAR_COPIES))), found
    assert all(found.get(10 + d.id, "none") == "none" for d in UNRELATED_DOCS), found


def test_a_score_does_not_depend_on_the_other_candidates_or_the_collection(fake_embedder, glossary,
                                                                           library):
    claim = "Alwar me polling date 25 se 28 November ho gayi, letter aaya hai"
    alone = MatchEngine(fake_embedder, glossary=glossary)
    alone.rebuild([d for d in library if d.id == 2])
    crowd = MatchEngine(fake_embedder, glossary=glossary)
    crowd.rebuild(library + [Doc(100 * (i + 1) + d.id, f"{d.text} (copy {i})") for i in range(5) for d in library])
    a = alone.match(claim, include_none=True)[0]
    b = next(c for c in crowd.match(claim, k=50, include_none=True) if c.id == 2)
    assert a.tier == b.tier == "same"
    # Only the collection's own word counts differ, and the background damps them.
    assert abs(a.score - b.score) < 0.02


@pytest.mark.parametrize("doc,claim,extra", [
    ("Free gas cylinders for everyone who votes", "free gas cylinders for every voter",
     "and a laptop"),
    ("राशन कार्ड 30 नवंबर से बंद हो जाएंगे", "राशन कार्ड 30 नवंबर से बंद", "और लैपटॉप योजना"),
    ("Bank 4 din lagatar band rahenge 25 se 28 tarikh tak", "bank 4 din band rahenge 25 se 28 tak",
     "zorblax qwimby"),
])
def test_words_the_collection_never_saw_lower_the_score(fake_embedder, glossary, doc, claim, extra):
    engine = MatchEngine(fake_embedder, glossary=glossary)
    engine.rebuild([Doc(1, doc, "claim")])
    plain = engine.match(claim, include_none=True)[0]
    more = engine.match(f"{claim} {extra}", include_none=True)[0]
    assert more.signals["coverage"] < plain.signals["coverage"]
    assert more.score < plain.score


def test_unseen_terms_weigh_more_than_common_ones():
    bg = load_background()
    common, rare, unseen = (bg.p(t) for t in ("he", "rasan", "zorblax"))
    assert common > rare > unseen > 0
    # In a collection of three documents none of which holds the term, the background
    # decides; "hai" stays cheap, a word nobody writes is expensive.
    assert idf(0, 3, unseen) > idf(0, 3, rare) > 2 * idf(0, 3, common)
    # A big collection's own counts dominate the background.
    big = 100 * PSEUDO_DOCS
    assert idf(500, big, unseen) - idf(500, big, common) < 0.2 * idf(500, big, unseen)


@pytest.mark.slow
@pytest.mark.parametrize("docs", _subsets(), ids=lambda d: "+".join(str(x.id) for x in d))
def test_tiny_collections_with_the_real_model(real_embedder, docs):
    engine = MatchEngine(real_embedder)
    engine.rebuild(docs)
    for claim in UNRELATED_CLAIMS:
        found = _tiers(engine, claim)
        assert all(tier == "none" for _, tier, _ in found), (claim, found)


@pytest.mark.slow
@pytest.mark.parametrize("query", TYPOED)
def test_near_copies_with_the_real_model(real_embedder, query):
    engine = MatchEngine(real_embedder)
    engine.rebuild([Doc(i, t, "claim") for i, t in enumerate(NEAR_COPIES)]
                   + [Doc(10 + d.id, d.text, "claim") for d in UNRELATED_DOCS])
    found = {i: tier for i, tier, _ in _tiers(engine, query)}
    assert all(found.get(i) == "same" for i in range(len(NEAR_COPIES))), found
    assert all(found.get(10 + d.id, "none") == "none" for d in UNRELATED_DOCS), found


@pytest.mark.slow
def test_the_same_claim_in_another_script_is_same_in_a_tiny_collection(real_embedder):
    engine = MatchEngine(real_embedder)
    engine.rebuild(UNRELATED_DOCS[:3])
    best = engine.match("मुफ्त गैस सिलेंडर सबको जो वोट देगा", include_none=True)[0]
    assert (best.id, best.tier) == (3, "same")
