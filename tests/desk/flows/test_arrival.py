"""Matching on arrival: a single claim typed into the desk."""
from __future__ import annotations

import pytest

from desk.domain import LinkDecision, NewClaim
from desk.errors import PermissionDenied, ValidationError
from desk.services.facts import NewFact
from desk.services.rebuttals import RebuttalDraft

from .conftest import set_thresholds

RUMOUR = "Voters who skip polling will lose Rs 350 from their bank account, says the Election Commission."
FACT = "No law allows money to be deducted from a voter's bank account for not voting; voting is voluntary."


def test_same_text_again_becomes_a_sighting_of_the_open_claim(svc, system_id, people):
    first = svc.intake.submit_claim(people.checker, NewClaim(text=RUMOUR, region_code="UP-LKO"))
    assert first.merged_into is None
    again = svc.intake.submit_claim(people.coordinator, NewClaim(
        text="  VOTERS who skip polling will lose Rs 350 from their bank account, says the "
             "Election Commission!! 🙏", region_code="UP-LKO-AC170", channel="phone"))
    assert again.merged_into == first.claim.id
    assert again.claim.id == first.claim.id
    assert again.claim.sighting_count == 2
    assert svc.claims.get(system_id, first.claim.id).region_count == 2


def test_engine_same_tier_merges_a_reworded_copy(svc, system_id, people):
    set_thresholds(svc, same=0.9, related=0.5)
    first = svc.intake.submit_claim(people.checker, NewClaim(text=RUMOUR))
    text = ("Voters who skip polling this time will lose Rs 350 from their bank account, "
            "the Election Commission says")
    assert svc.claims.normalize(text).key != first.claim.match_key
    reworded = svc.intake.submit_claim(people.checker, NewClaim(text=text))
    assert reworded.merged_into == first.claim.id
    assert svc.claims.get(system_id, first.claim.id).sighting_count == 2


def test_related_match_is_a_suggestion_for_a_person(svc, system_id, people):
    fact = svc.facts.create(system_id, NewFact(statement=RUMOUR, lang="en"))
    text = "Voters skipping the poll lose money from the bank"
    score = next(h.score for h in svc.matching.search(system_id, text, k=5, include_none=True)
                 if h.kind == "fact" and h.ref_id == fact.id)
    assert 0.1 < score < 0.999
    # Place this pair between the thresholds: above "related", below "same".
    set_thresholds(svc, same=min(1.0, score + 0.001), related=score - 0.1)
    result = svc.intake.submit_claim(people.checker, NewClaim(text=text))
    assert result.merged_into is None
    link = next(s for s in result.suggestions if s.target_kind == "fact"
                and s.target_id == fact.id)
    assert link.tier == "related"
    assert link.decision == LinkDecision.SUGGESTED


def test_same_tier_library_match_links_automatically(svc, system_id, people):
    set_thresholds(svc, same=0.9, related=0.5)
    fact = svc.facts.create(system_id, NewFact(statement=RUMOUR, lang="en"))
    result = svc.intake.submit_claim(people.checker, NewClaim(text=RUMOUR + " Share!"))
    link = next(s for s in result.suggestions if s.target_id == fact.id)
    assert (link.tier, link.decision) == ("same", LinkDecision.AUTO)


def test_retired_fact_and_retracted_rebuttal_are_never_suggested(svc, system_id, people):
    set_thresholds(svc, same=0.9, related=0.3)
    fact = svc.facts.create(system_id, NewFact(statement=RUMOUR, lang="en"))
    svc.facts.retire(system_id, fact.id, expected_version=fact.version)
    claim = svc.claims.create(system_id, NewClaim(text="Seed claim for the rebuttal about the "
                                                       "350 rupee fine, nothing else"))
    rebuttal = svc.rebuttals.create(people.checker, RebuttalDraft(
        verdict="false", full_text=RUMOUR + " This is false.", whatsapp_text="*False.*",
        lang="en"), claim_ids=[claim.id])
    for step, actor in (("submit", people.checker), ("approve", people.editor),
                        ("publish", people.editor)):
        current = svc.rebuttals.get(actor, rebuttal.id)
        getattr(svc.rebuttals, step)(actor, rebuttal.id, expected_version=current.version)
    current = svc.rebuttals.get(people.editor, rebuttal.id)
    svc.rebuttals.retract(people.editor, rebuttal.id, expected_version=current.version,
                          reason="wrong")
    result = svc.intake.submit_claim(people.checker, NewClaim(text=RUMOUR))
    targets = {(s.target_kind, s.target_id) for s in result.suggestions}
    assert ("fact", fact.id) not in targets
    assert ("rebuttal", rebuttal.id) not in targets


@pytest.mark.parametrize("role", ["researcher", "coordinator", "checker"])
def test_every_role_may_submit_and_gets_a_sighting(svc, system_id, people, role):
    actor = getattr(people, role)
    result = svc.intake.submit_claim(actor, NewClaim(text=f"{role}: naya rumour, pension ab "
                                                          "3000 rupay mahina ho gayi h"))
    assert result.claim.sighting_count == 1
    assert svc.claims.sightings(system_id, result.claim.id)[0].sender_hash is None


def test_hostile_text_is_stored_verbatim(svc, system_id, people):
    text = "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>"
    result = svc.intake.submit_claim(people.checker, NewClaim(text=text))
    assert svc.claims.get(system_id, result.claim.id).text == text


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 20_001])
def test_bad_text_is_refused_and_nothing_is_stored(svc, system_id, people, text):
    before = svc.admin.stats(system_id)["sightings"]
    with pytest.raises(ValidationError):
        svc.intake.submit_claim(people.checker, NewClaim(text=text))
    assert svc.admin.stats(system_id)["sightings"] == before


def test_unknown_region_refused_without_writing(svc, system_id, people):
    with pytest.raises(ValidationError, match="region"):
        svc.intake.submit_claim(people.checker, NewClaim(text=RUMOUR, region_code="XX-NOPE"))
    assert sum(svc.admin.stats(system_id)["claims"].values()) == 0


def test_a_deactivated_user_cannot_submit(svc, system_id, people):
    user = svc.users.get(system_id, people.checker)
    svc.users.set_active(system_id, people.checker, False, expected_version=user.version)
    with pytest.raises(PermissionDenied):
        svc.intake.submit_claim(people.checker, NewClaim(text=FACT))


def test_a_near_empty_desk_does_not_call_unrelated_claims_the_same(svc):
    from .conftest import seed
    actor = seed(svc, facts=False, same=0.9, related=0.5)
    fact = svc.facts.create(actor, NewFact(statement=RUMOUR, lang="en"))
    first = svc.intake.submit_claim(actor, NewClaim(text="Petrol will be 15 rupees cheaper "
                                                         "from tomorrow, do not fill up today"))
    second = svc.intake.submit_claim(actor, NewClaim(text="Jaipur me 3 din tak internet band "
                                                          "rahega, police ne aadesh diya hai"))
    assert first.merged_into is None and second.merged_into is None
    assert first.claim.id != second.claim.id
    for result in (first, second):
        assert all(s.tier != "same" for s in result.suggestions)
        assert ("fact", fact.id) not in {(s.target_kind, s.target_id) for s in result.suggestions
                                         if s.tier == "same"}
