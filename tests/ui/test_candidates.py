"""The claim workspace's candidates: the live search that explains them never lists the
claim itself (or a claim folded into it), so every slot goes to a real candidate."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from desk.config import load_settings
from desk.domain import NewClaim
from desk.services import EngineSet, open_services
from desk.services.matching import MatchHit
from desk.ui.candidates import EXPLAINED, _explanations
from index.embedding import FakeEmbedder


@pytest.fixture
def matched(desk, seeded):
    settings = load_settings()
    svc = open_services(settings, engines=EngineSet.create(settings, embedder=FakeEmbedder()))
    yield svc
    svc.close()


def _ctx(svc, actor: int):
    return SimpleNamespace(svc=svc, engines=object(), actor=actor, may=lambda action: True)


def test_the_claim_is_not_its_own_candidate(desk, seeded, matched):
    claim = matched.claims.get(desk.system, seeded.claim)
    near = matched.claims.create(desk.ids["fact_checker"], NewClaim(
        "Polling in Lucknow moved to Monday! forward to everyone"))
    explained = _explanations(_ctx(matched, desk.ids["fact_checker"]), claim)
    assert ("claim", claim.id) not in explained
    assert ("claim", near.id) in explained                       # other claims still are


def _hit(kind: str, ref: int, score: float) -> MatchHit:
    return MatchHit(kind=kind, ref_id=ref, match_item_id=ref, score=score, tier="related",
                    text="", status="new", explanation={"summary": f"{kind} {ref}"})


def test_itself_and_its_duplicates_leave_every_slot_to_real_candidates(desk, seeded, matched,
                                                                        monkeypatch):
    fc = desk.ids["fact_checker"]
    claim = matched.claims.get(desk.system, seeded.claim)
    folded = matched.claims.create(fc, NewClaim("Lucknow polling moved, pass it on"))
    folded = matched.claims.mark_duplicate(desk.ids["editor"], folded.id, claim.id,
                                           expected_version=folded.version)
    asked: list[int] = []

    def search(actor_id, text, *, k, collections, include_none):
        asked.append(k)
        hits = [_hit("claim", claim.id, 1.0), _hit("claim", folded.id, 0.99)]
        hits += [_hit("fact", 1000 + i, 0.9 - i / 100) for i in range(k)]
        return hits[:k]

    monkeypatch.setattr(matched.matching, "search", search)
    explained = _explanations(_ctx(matched, fc), claim)
    assert asked == [EXPLAINED + 1]
    assert ("claim", claim.id) not in explained and ("claim", folded.id) not in explained
    assert len(explained) == EXPLAINED - 1     # one slot asked extra; the duplicate took one
    assert ("fact", 1000) in explained and ("fact", 1000 + EXPLAINED - 2) in explained
