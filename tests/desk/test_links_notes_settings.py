"""Match links and calibration pairs, notes, shared settings."""
from __future__ import annotations

import pytest

from desk.domain import LinkDecision, NewClaim, SuggestedLink, Tier
from desk.errors import Conflict, NotFound, ValidationError
from desk.services.facts import NewFact


@pytest.fixture
def claim_and_fact(svc, people):
    claim = svc.claims.create(people["fact_checker"], NewClaim("Farmers get 12000 rupees now"))
    fact = svc.facts.create(people["researcher"], NewFact("The instalment is 2000 rupees"))
    return claim, fact


def test_suggestions_keep_human_decisions_and_feed_calibration(svc, people, claim_and_fact):
    fc, ed = people["fact_checker"], people["editor"]
    claim, fact = claim_and_fact
    other = svc.claims.create(fc, NewClaim("Kisan ko 12000 milenge"))
    links = svc.links.record_suggestions(fc, claim.id, [
        SuggestedLink("fact", fact.id, 0.81, Tier.RELATED, {"dense": 0.7}),
        SuggestedLink("claim", other.id, 0.97, Tier.SAME, auto=True),
        SuggestedLink("claim", claim.id, 0.99, Tier.SAME),        # itself: ignored
    ])
    by_kind = {link.target_kind: link for link in links}
    assert len(links) == 2 and [link.score for link in links] == [0.97, 0.81]
    fact_link, claim_link = by_kind["fact"], by_kind["claim"]
    assert {(l.target_kind, l.decision) for l in (fact_link, claim_link)} == {
        ("fact", LinkDecision.SUGGESTED), ("claim", LinkDecision.AUTO)}
    confirmed = svc.links.decide(ed, fact_link.id, "rejected", expected_version=fact_link.version)
    assert confirmed.decided_by == ed
    with pytest.raises(Conflict, match="changed by editor"):
        svc.links.decide(fc, fact_link.id, "confirmed", expected_version=fact_link.version)
    # The matcher runs again: the score moves, the person's decision stays.
    [again] = [l for l in svc.links.record_suggestions(fc, claim.id, [
        SuggestedLink("fact", fact.id, 0.64, Tier.RELATED)]) if l.target_kind == "fact"]
    assert (again.decision, again.score) == (LinkDecision.REJECTED, 0.64)
    claim_link = next(l for l in svc.links.for_claim(fc, claim.id) if l.target_kind == "claim")
    svc.links.decide(ed, claim_link.id, "confirmed", expected_version=claim_link.version)
    assert sorted(svc.links.labelled_pairs(ed)) == [(0.64, 0), (0.97, 1)]
    with pytest.raises(ValidationError, match="score"):
        svc.links.record_suggestions(fc, claim.id, [SuggestedLink("fact", fact.id, 1.5, "same")])
    with pytest.raises(ValidationError, match="auto is set by the matcher"):
        svc.links.decide(ed, claim_link.id, "auto", expected_version=claim_link.version + 1)


def test_notes(svc, people, claim_and_fact):
    claim, _ = claim_and_fact
    note = svc.notes.add(people["coordinator"], "claim", claim.id,
                         "<b>Seen in 3 groups</b> in Jaipur")
    assert note.body == "<b>Seen in 3 groups</b> in Jaipur"
    svc.notes.add(people["fact_checker"], "claim", claim.id, "Checking with the DM office")
    assert [n.author_id for n in svc.notes.list(people["editor"], "claim", claim.id)] == [
        people["coordinator"], people["fact_checker"]]
    with pytest.raises(NotFound):
        svc.notes.add(people["editor"], "rebuttal", 999, "x")
    with pytest.raises(ValidationError, match="empty"):
        svc.notes.add(people["editor"], "claim", claim.id, "   ")


def test_settings_are_versioned(svc, people):
    admin, ed = people["admin"], people["editor"]
    assert svc.settings.thresholds(ed) == (None, 0)
    v1 = svc.settings.set_thresholds(admin, same=0.9, related=0.6, expected_version=0)
    assert svc.settings.thresholds(ed) == ({"same": 0.9, "related": 0.6}, v1)
    with pytest.raises(Conflict, match="changed by admin"):
        svc.settings.set_thresholds(admin, same=0.8, related=0.5, expected_version=v1 + 5)
    with pytest.raises(ValidationError, match="related <= same"):
        svc.settings.set_thresholds(admin, same=0.5, related=0.6, expected_version=v1)
    with pytest.raises(ValidationError, match="managed by the desk"):
        svc.settings.set(admin, "index_epoch", 99, expected_version=1)
    with pytest.raises(ValidationError, match="JSON"):
        svc.settings.set(admin, "x", object(), expected_version=0)
    assert svc.settings.get(ed, "index_epoch") == (0, 1)
