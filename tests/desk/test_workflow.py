"""Claim and rebuttal workflows: every transition, legal and illegal; four eyes;
versions, corrections and the pulls that must hear about them."""
from __future__ import annotations

import itertools

import pytest

from desk.domain import (
    CLAIM_TRANSITIONS, REBUTTAL_TRANSITIONS, ClaimStatus, NewClaim, RebuttalStatus, Verdict,
)
from desk.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from desk.services.claims import move_claim
from desk.services.rebuttals import RebuttalDraft
from desk.store import audit as audit_repo
from desk.store.common import load_for_update
from desk.store.index_source import inconsistencies

DRAFT = RebuttalDraft("false", "The government has not cancelled ration cards.",
                      "*FALSE*: ration cards are not cancelled")

# The fields each target state needs (reason, canonical claim, answering rebuttal).
_CLAIM_FIELDS = {
    ClaimStatus.DISMISSED: lambda ctx: {"dismiss_reason": "spam"},
    ClaimStatus.DUPLICATE: lambda ctx: {"duplicate_of": ctx["other_claim"]},
    ClaimStatus.ANSWERED: lambda ctx: {"answered_by": ctx["rebuttal"]},
}


def _force_claim_state(store, claim_id: int, status: ClaimStatus, ctx) -> None:
    fields = {"dismiss_reason": None, "duplicate_of": None, "answered_by": None}
    fields.update(_CLAIM_FIELDS.get(status, lambda c: {})(ctx))
    store.execute("UPDATE claims SET status = ?, dismiss_reason = ?, duplicate_of = ?,"
                  " answered_by = ? WHERE id = ?",
                  [status.value, fields["dismiss_reason"], fields["duplicate_of"],
                   fields["answered_by"], claim_id])


@pytest.mark.parametrize("src,dst", list(itertools.product(ClaimStatus, ClaimStatus)))
def test_claim_transition_table(svc, people, store, src, dst):
    fc = people["fact_checker"]
    claim = svc.claims.create(fc, NewClaim("Polling date moved to Sunday"))
    other = svc.claims.create(fc, NewClaim("Polling date changed"))
    rebuttal = svc.rebuttals.create(fc, DRAFT)
    ctx = {"other_claim": other.id, "rebuttal": rebuttal.id}
    _force_claim_state(store, claim.id, src, ctx)
    legal = dst in CLAIM_TRANSITIONS[src]
    actor = svc.users.get(fc, fc)
    with store.write():
        row = load_for_update(store, "claims", claim.id, None, noun="claim")
        if legal:
            move_claim(svc.claims, actor, row, dst, _CLAIM_FIELDS.get(dst, lambda c: {})(ctx),
                       action="test.move")
        else:
            with pytest.raises(InvalidTransition, match=f"is {src.value}"):
                move_claim(svc.claims, actor, row, dst, {}, action="test.move")
    after = svc.claims.get(fc, claim.id)
    assert after.status == (dst if legal else src)
    assert after.version == claim.version + (1 if legal else 0)
    if legal:  # the move re-synced the index row that the forced state bypassed
        assert inconsistencies(store) == []


@pytest.mark.parametrize("target,allowed_by_hand", [
    (ClaimStatus.TRIAGED, True), (ClaimStatus.IN_RESEARCH, True), (ClaimStatus.IN_REVIEW, True),
    (ClaimStatus.APPROVED, False), (ClaimStatus.PUBLISHED, False), (ClaimStatus.NEW, False),
    (ClaimStatus.DISMISSED, False), (ClaimStatus.DUPLICATE, False), (ClaimStatus.ANSWERED, False),
])
def test_only_triage_states_are_set_by_hand(svc, people, target, allowed_by_hand):
    fc = people["fact_checker"]
    claim = svc.claims.create(fc, NewClaim("EVMs will be replaced by ballot papers"))
    if target == ClaimStatus.IN_REVIEW:
        claim = svc.claims.transition(fc, claim.id, "in_research", expected_version=claim.version)
    if allowed_by_hand:
        assert svc.claims.transition(fc, claim.id, target,
                                     expected_version=claim.version).status == target
    else:
        with pytest.raises(InvalidTransition):
            svc.claims.transition(fc, claim.id, target, expected_version=claim.version)


def test_dismiss_duplicate_answered_and_reopen(svc, people):
    fc, ed = people["fact_checker"], people["editor"]
    a = svc.claims.create(fc, NewClaim("Banks closed for 10 days"))
    b = svc.claims.create(fc, NewClaim("Banks will be closed for ten days"))
    c = svc.claims.create(fc, NewClaim("Bank holiday for 10 days next week"))
    b = svc.claims.mark_duplicate(fc, b.id, a.id, expected_version=b.version)
    assert (b.status, b.duplicate_of) == (ClaimStatus.DUPLICATE, a.id)
    # A duplicate of a duplicate points at the root.
    c = svc.claims.mark_duplicate(fc, c.id, b.id, expected_version=c.version)
    assert c.duplicate_of == a.id
    # Folding the canonical into another claim re-points its duplicates.
    d = svc.claims.create(fc, NewClaim("10 din bank band"))
    a = svc.claims.get(fc, a.id)
    svc.claims.mark_duplicate(fc, a.id, d.id, expected_version=a.version)
    assert svc.claims.get(fc, b.id).duplicate_of == d.id
    with pytest.raises(ValidationError, match="itself"):
        d = svc.claims.get(fc, d.id)
        svc.claims.mark_duplicate(fc, d.id, b.id, expected_version=d.version)

    with pytest.raises(ValidationError, match="dismiss reason"):
        svc.claims.dismiss(fc, d.id, "boring", expected_version=d.version)
    d = svc.claims.dismiss(fc, d.id, "opinion", expected_version=d.version)
    assert (d.status, d.dismiss_reason) == (ClaimStatus.DISMISSED, "opinion")
    d = svc.claims.reopen(fc, d.id, expected_version=d.version)
    assert (d.status, d.dismiss_reason) == (ClaimStatus.NEW, None)

    r = svc.rebuttals.create(fc, DRAFT)
    with pytest.raises(ValidationError, match="approved or published"):
        svc.claims.mark_answered(fc, d.id, r.id, expected_version=d.version)
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = svc.rebuttals.approve(ed, r.id, expected_version=r.version)
    d = svc.claims.mark_answered(fc, d.id, r.id, expected_version=d.version)
    assert (d.status, d.answered_by) == (ClaimStatus.ANSWERED, r.id)
    assert d.id in svc.rebuttals.get(fc, r.id).claim_ids


def _rebuttal_in(svc, store, people, status: RebuttalStatus):
    r = svc.rebuttals.create(people["fact_checker"], DRAFT)
    published = 1 if status in (RebuttalStatus.PUBLISHED, RebuttalStatus.RETRACTED) else None
    store.execute("UPDATE rebuttals SET status = ?, published_version_no = ? WHERE id = ?",
                  [status.value, published, r.id])
    return svc.rebuttals.get(people["fact_checker"], r.id)


_REBUTTAL_CALLS = {
    RebuttalStatus.IN_REVIEW: lambda svc, p, r: svc.rebuttals.submit(
        p["fact_checker"], r.id, expected_version=r.version),
    RebuttalStatus.APPROVED: lambda svc, p, r: svc.rebuttals.approve(
        p["editor"], r.id, expected_version=r.version),
    RebuttalStatus.DRAFT: lambda svc, p, r: svc.rebuttals.send_back(
        p["editor"], r.id, expected_version=r.version, reason="needs a source"),
    RebuttalStatus.PUBLISHED: lambda svc, p, r: svc.rebuttals.publish(
        p["editor"], r.id, expected_version=r.version),
    RebuttalStatus.RETRACTED: lambda svc, p, r: svc.rebuttals.retract(
        p["editor"], r.id, expected_version=r.version, reason="wrong figures"),
}


@pytest.mark.parametrize("src,dst", list(itertools.product(RebuttalStatus, RebuttalStatus)))
def test_rebuttal_transition_table(svc, people, store, src, dst):
    r = _rebuttal_in(svc, store, people, src)
    if dst in REBUTTAL_TRANSITIONS[src]:
        after = _REBUTTAL_CALLS[dst](svc, people, r)
        assert after.status == dst
        assert after.version == r.version + 1
    else:
        with pytest.raises(InvalidTransition, match=f"is {src.value}"):
            _REBUTTAL_CALLS[dst](svc, people, r)
        assert svc.rebuttals.get(people["editor"], r.id).status == src


@pytest.mark.parametrize("approver,creator,writer", [
    ("editor", "editor", None),          # approving your own rebuttal
    ("editor", "fact_checker", "editor"),  # approving a version you wrote
    ("admin", "admin", None),
])
def test_four_eyes(svc, people, store, approver, creator, writer):
    r = svc.rebuttals.create(people[creator], DRAFT)
    if writer:
        r = svc.rebuttals.save_version(people[writer], r.id, DRAFT, expected_version=r.version)
    r = svc.rebuttals.submit(people[creator], r.id, expected_version=r.version)
    with pytest.raises(PermissionDenied, match="four eyes"):
        svc.rebuttals.approve(people[approver], r.id, expected_version=r.version)
    assert svc.rebuttals.get(people["editor"], r.id).status == RebuttalStatus.IN_REVIEW
    [denial] = audit_repo.entries(store, action="rebuttal.approve", outcome="denied")
    assert denial.actor_id == people[approver] and denial.entity_id == r.id
    # Someone else can approve it.
    ok = svc.rebuttals.approve(people["editor2"], r.id, expected_version=r.version)
    assert ok.status == RebuttalStatus.APPROVED and ok.reviewer_id == people["editor2"]


def test_claims_follow_their_rebuttal(svc, people):
    fc, ed = people["fact_checker"], people["editor"]
    claim = svc.claims.create(fc, NewClaim("School exams cancelled in Lucknow"))
    r = svc.rebuttals.create(fc, DRAFT, claim_ids=[claim.id])
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    assert svc.claims.get(fc, claim.id).status == ClaimStatus.IN_REVIEW
    r = svc.rebuttals.send_back(ed, r.id, expected_version=r.version, reason="add a source")
    assert svc.claims.get(fc, claim.id).status == ClaimStatus.IN_RESEARCH
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = svc.rebuttals.approve(ed, r.id, expected_version=r.version)
    assert svc.claims.get(fc, claim.id).status == ClaimStatus.APPROVED
    r = svc.rebuttals.publish(ed, r.id, expected_version=r.version)
    assert svc.claims.get(fc, claim.id).status == ClaimStatus.PUBLISHED


def test_every_save_is_a_version_and_corrections_reach_those_who_pulled(svc, people, store):
    fc, ed, co = people["fact_checker"], people["editor"], people["coordinator"]
    r = svc.rebuttals.create(fc, DRAFT)
    r = svc.rebuttals.save_version(fc, r.id, RebuttalDraft("false", "v2 text", "v2 short"),
                                   expected_version=r.version, change_note="typo")
    assert [v.version_no for v in svc.rebuttals.versions(fc, r.id)] == [1, 2]
    assert svc.pulls.available(co) == [], "drafts are never handed out"
    with pytest.raises(NotFound):
        svc.rebuttals.get(co, r.id)
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = svc.rebuttals.approve(ed, r.id, expected_version=r.version)
    r = svc.rebuttals.publish(ed, r.id, expected_version=r.version)
    [avail] = svc.pulls.available(co)
    assert (avail.id, avail.live_version_no, avail.current.full_text) == (r.id, 2, "v2 text")
    svc.pulls.record(co, [(r.id, 2)], fmt="whatsapp")
    assert svc.pulls.corrections(co) == []

    # A correction: the published version stays live until the correction is approved.
    r = svc.rebuttals.save_version(ed, r.id, RebuttalDraft("misleading", "v3 corrected", "v3"),
                                   expected_version=r.version, change_note="figures were wrong")
    assert (r.status, r.published_version_no) == (RebuttalStatus.DRAFT, 2)
    assert svc.rebuttals.get(co, r.id).current.full_text == "v2 text"
    assert store.match_items("library")[0].text == "v2 text"
    assert svc.pulls.corrections(co) == []
    with pytest.raises(ValidationError, match="not the live version"):
        svc.pulls.record(co, [(r.id, 3)], fmt="csv")
    r = svc.rebuttals.submit(ed, r.id, expected_version=r.version)
    r = svc.rebuttals.approve(people["editor2"], r.id, expected_version=r.version)
    r = svc.rebuttals.publish(people["editor2"], r.id, expected_version=r.version)
    [notice] = svc.pulls.corrections(co)
    assert (notice.rebuttal_id, notice.pulled_version_no, notice.current_version_no) == (r.id, 2, 3)
    assert store.match_items("library")[0].text == "v3 corrected"
    # Pulling the corrected version clears the notice; a retraction raises a new one.
    svc.pulls.record(co, [(r.id, 3)], fmt="whatsapp")
    assert svc.pulls.corrections(co) == []
    r = svc.rebuttals.retract(ed, r.id, expected_version=r.version, reason="source withdrawn")
    [notice] = svc.pulls.corrections(co)
    assert notice.status == RebuttalStatus.RETRACTED and notice.current_version_no is None
    assert store.match_items("library") == []
    assert svc.pulls.available(co) == []
    assert inconsistencies(store) == []


def test_retracted_rebuttal_cannot_be_edited(svc, people, store):
    r = _rebuttal_in(svc, store, people, RebuttalStatus.RETRACTED)
    with pytest.raises(InvalidTransition, match="cannot be edited"):
        svc.rebuttals.save_version(people["editor"], r.id, DRAFT, expected_version=r.version)


def test_stale_rebuttal_save_is_a_conflict(svc, people):
    fc, ed = people["fact_checker"], people["editor"]
    loaded = svc.rebuttals.create(fc, DRAFT)
    svc.rebuttals.save_version(ed, loaded.id, RebuttalDraft("false", "editor's text", "e"),
                               expected_version=loaded.version)
    with pytest.raises(Conflict, match="changed by editor"):
        svc.rebuttals.save_version(fc, loaded.id, RebuttalDraft("false", "mine", "m"),
                                   expected_version=loaded.version)
    assert svc.rebuttals.get(fc, loaded.id).current.full_text == "editor's text"


def test_claims_carry_the_verdict_of_the_rebuttal_that_answers_them(svc, people, store):
    fc, ed, ed2 = people["fact_checker"], people["editor"], people["editor2"]
    claim = svc.claims.create(fc, NewClaim("Ration cards cancelled from Monday"))
    later = svc.claims.create(fc, NewClaim("Ration card band ho jayega"))
    r = svc.rebuttals.create(fc, DRAFT, claim_ids=[claim.id])
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    assert svc.claims.get(fc, claim.id).verdict is None          # not decided in review
    r = svc.rebuttals.approve(ed, r.id, expected_version=r.version)
    assert svc.claims.get(fc, claim.id).verdict == Verdict.FALSE
    r = svc.rebuttals.publish(ed, r.id, expected_version=r.version)
    later = svc.claims.mark_answered(fc, later.id, r.id, expected_version=later.version)
    assert later.verdict == Verdict.FALSE

    # A corrected version with another verdict: once published, every claim it answers says so.
    r = svc.rebuttals.save_version(ed, r.id, RebuttalDraft("misleading", "Only some cards.", "x"),
                                   expected_version=r.version, change_note="partly true")
    r = svc.rebuttals.submit(ed, r.id, expected_version=r.version)
    r = svc.rebuttals.approve(ed2, r.id, expected_version=r.version)
    r = svc.rebuttals.publish(ed2, r.id, expected_version=r.version)
    now = {c.id: (c.status, c.verdict) for c in svc.claims.get_many(fc, [claim.id, later.id])}
    assert now == {claim.id: (ClaimStatus.PUBLISHED, Verdict.MISLEADING),
                   later.id: (ClaimStatus.ANSWERED, Verdict.MISLEADING)}
    changes = [(e.entity_id, e.before["verdict"], e.after["verdict"])
               for e in reversed(audit_repo.entries(store, action="claim.follow_rebuttal"))
               if e.before["verdict"] != e.after["verdict"]]
    assert len(changes) == 3 and set(changes) == {
        (claim.id, None, "false"), (claim.id, "false", "misleading"),
        (later.id, "false", "misleading")}
    assert inconsistencies(store) == []
