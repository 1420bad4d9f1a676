"""The dashboard's aggregates: real figures from a small desk, permission checks."""
from __future__ import annotations

import pytest

from desk.domain import ClaimStatus, NewClaim, NewSighting, Role, SuggestedLink
from desk.errors import PermissionDenied, ValidationError
from desk.services.rebuttals import RebuttalDraft
from desk.store import audit as audit_repo

REGIONS = (b"code,name,name_hi,level,parent_code\n"
           b"UP,Uttar Pradesh,,state,\nUP-LKO,Lucknow,,district,UP\nUP-VNS,Varanasi,,district,UP\n"
           b"RJ,Rajasthan,,state,\nRJ-JP,Jaipur,,district,RJ\n")


@pytest.fixture
def team(core):
    system = core.system_user_id()
    ids = {r.value: core.users.create(system, r.value.replace("_", "-"), role=r).id for r in Role}
    ids["editor2"] = core.users.create(system, "editor-two", role="editor",
                                       display_name="Editor Two").id
    core.regions.import_csv(system, REGIONS)
    return ids


def test_intake_counts_claims_per_day_language_and_channel(core, team, clock):
    fc = team["fact_checker"]
    core.claims.create(fc, NewClaim("EVM hacked in Lucknow", seen_at="2026-11-20T09:00:00Z"))
    core.claims.create(fc, NewClaim("EVM hack again", seen_at="2026-11-20T23:59:59Z",
                                    channel="facebook"))
    core.claims.create(fc, NewClaim("राशन कार्ड रद्द", seen_at="2026-11-22T08:00:00Z"))
    core.claims.create(fc, NewClaim("Too old to count", seen_at="2026-10-01T08:00:00Z"))
    rows = core.dashboard.intake(fc, days=7)
    assert [(r.day, r.lang, r.channel, r.claims) for r in rows] == [
        ("2026-11-20", "en", "facebook", 1),
        ("2026-11-20", "en", "whatsapp", 1),
        ("2026-11-22", "hi", "whatsapp", 1),
    ]
    assert sum(r.claims for r in core.dashboard.intake(fc, days=60)) == 4


def test_forwards_count_every_sighting(core, team):
    fc = team["fact_checker"]
    claim = core.claims.create(fc, NewClaim("Polling moved to Monday"))
    core.sightings.record(fc, [
        NewSighting(claim.id, f"m{i}", seen_at=f"2026-11-2{i}T10:00:00Z", source_group="g")
        for i in range(3)])
    rows = core.dashboard.forwards(fc, days=7)
    assert [(r.day, r.channel, r.forwards) for r in rows] == [
        ("2026-11-20", "whatsapp", 1), ("2026-11-21", "whatsapp", 1),
        ("2026-11-22", "whatsapp", 1)]


def test_funnel_lists_every_status_in_workflow_order(core, team):
    fc = team["fact_checker"]
    a = core.claims.create(fc, NewClaim("claim a"))
    core.claims.create(fc, NewClaim("claim b"))
    core.claims.dismiss(fc, a.id, "spam", expected_version=a.version)
    funnel = dict(core.dashboard.funnel(fc))
    assert list(funnel)[:3] == [ClaimStatus.NEW, ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH]
    assert funnel[ClaimStatus.NEW] == 1 and funnel[ClaimStatus.DISMISSED] == 1
    assert sum(funnel.values()) == 2 and len(funnel) == len(ClaimStatus)


def _publish(core, team, clock, claim_ids):
    fc, ed = team["fact_checker"], team["editor"]
    r = core.rebuttals.create(fc, RebuttalDraft("false", "Not true.", "Not true."),
                              claim_ids=claim_ids)
    r = core.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = core.rebuttals.approve(ed, r.id, expected_version=r.version)
    return core.rebuttals.publish(ed, r.id, expected_version=r.version)


def test_time_to_publish_is_the_median_from_first_sighting(core, team, clock):
    fc = team["fact_checker"]
    c1 = core.claims.create(fc, NewClaim("first claim", seen_at="2026-11-22T06:00:00Z"))
    c2 = core.claims.create(fc, NewClaim("second claim", seen_at="2026-11-22T08:00:00Z"))
    c3 = core.claims.create(fc, NewClaim("third claim", seen_at="2026-11-22T09:00:00Z"))
    core.claims.create(fc, NewClaim("never answered", seen_at="2026-11-21T09:00:00Z"))
    _publish(core, team, clock, [c1.id, c2.id, c3.id])          # published at 10:00
    delay = core.dashboard.time_to_publish(fc)
    assert delay.claims == 3
    assert delay.median_hours == pytest.approx(2.0)             # 4 h, 2 h, 1 h
    assert delay.p90_hours == pytest.approx(3.6)
    empty = core.dashboard.time_to_publish(fc, days=1)
    assert empty.claims == 3                                    # published today
    clock.advance(days=10)
    assert core.dashboard.time_to_publish(fc, days=3).claims == 0
    assert core.dashboard.time_to_publish(fc, days=3).median_hours is None


def test_claims_seen_after_publication_are_answered_on_arrival(core, team, clock):
    fc = team["fact_checker"]
    early = core.claims.create(fc, NewClaim("early claim", seen_at="2026-11-22T07:00:00Z"))
    late = core.claims.create(fc, NewClaim("late variant", seen_at="2026-11-22T09:00:00Z"))
    r = _publish(core, team, clock, [early.id])               # published at 10:00
    clock.advance(hours=3)
    late2 = core.claims.create(fc, NewClaim("later still"))  # first seen at 13:00
    core.rebuttals.link_claims(fc, r.id, [late.id, late2.id], expected_version=r.version)
    delay = core.dashboard.time_to_publish(fc)
    assert (delay.claims, delay.answered_on_arrival) == (2, 1)
    assert delay.median_hours == pytest.approx(2.0)          # 3 h and 1 h


def test_a_correction_does_not_reset_the_time_to_publish(core, team, clock):
    fc, ed = team["fact_checker"], team["editor"]
    claim = core.claims.create(fc, NewClaim("claim", seen_at="2026-11-22T09:00:00Z"))
    r = _publish(core, team, clock, [claim.id])
    clock.advance(hours=5)
    r = core.rebuttals.save_version(fc, r.id, RebuttalDraft("false", "Fixed.", "Fixed."),
                                    expected_version=r.version)
    r = core.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = core.rebuttals.approve(ed, r.id, expected_version=r.version)
    core.rebuttals.publish(ed, r.id, expected_version=r.version)
    assert core.dashboard.time_to_publish(fc).median_hours == pytest.approx(1.0)


def test_viral_open_claims_rank_by_recent_forwards(core, team, clock):
    fc = team["fact_checker"]
    quiet = core.claims.create(fc, NewClaim("quiet claim"))
    loud = core.claims.create(fc, NewClaim("loud claim"))
    closed = core.claims.create(fc, NewClaim("loud but dismissed"))
    core.sightings.record(fc, [NewSighting(loud.id, f"l{i}", source_group=f"g{i}")
                               for i in range(5)])
    core.sightings.record(fc, [NewSighting(closed.id, f"c{i}") for i in range(9)])
    core.sightings.record(fc, [NewSighting(quiet.id, "q1")])
    closed = core.claims.get(fc, closed.id)
    core.claims.dismiss(fc, closed.id, "spam", expected_version=closed.version)
    viral = core.dashboard.viral_open(fc, limit=5)
    assert [v.id for v in viral] == [loud.id, quiet.id]
    assert (viral[0].sightings_24h, viral[0].groups) == (5, 5)


def test_claims_by_region_roll_up_to_the_level_asked(core, team):
    fc = team["fact_checker"]
    for code in ("UP-LKO", "UP-LKO", "UP-VNS", "UP", "RJ-JP"):
        core.claims.create(fc, NewClaim(f"claim in {code}", region_code=code))
    core.claims.create(fc, NewClaim("nowhere"))
    states = {r.code: r.claims for r in core.dashboard.by_region(fc)}
    assert states == {"UP": 4, "RJ": 1, "": 1}
    districts = {r.code: r.claims for r in core.dashboard.by_region(fc, level="district")}
    # the state-level claim and the claim without a region sit above district level
    assert districts == {"UP-LKO": 2, "UP-VNS": 1, "RJ-JP": 1, "": 2}
    with pytest.raises(ValidationError):
        core.dashboard.by_region(fc, level="galaxy")


def test_reviewer_load_counts_reviews_in_the_window(core, team, clock):
    fc, ed, ed2 = team["fact_checker"], team["editor"], team["editor2"]
    claim = core.claims.create(fc, NewClaim("claim"))
    core.claims.assign(ed, claim.id, ed2, expected_version=claim.version)
    r = core.rebuttals.create(fc, RebuttalDraft("false", "No.", "No."))
    r = core.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = core.rebuttals.send_back(ed, r.id, expected_version=r.version, reason="sources?")
    r = core.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = core.rebuttals.approve(ed, r.id, expected_version=r.version)
    waiting = core.rebuttals.create(fc, RebuttalDraft("false", "Wait.", "Wait."))
    core.rebuttals.submit(fc, waiting.id, expected_version=waiting.version)
    load = core.dashboard.reviewer_load(fc, days=7)
    assert load.waiting == 1
    by_id = {x.user_id: x for x in load.reviewers}
    assert (by_id[ed].approved, by_id[ed].sent_back, by_id[ed].open_claims) == (1, 1, 0)
    assert (by_id[ed2].approved, by_id[ed2].open_claims) == (0, 1)
    assert fc not in by_id                          # not a reviewer, reviewed nothing
    assert load.reviewers[0].user_id == ed
    clock.advance(days=30)
    assert core.dashboard.reviewer_load(fc, days=7).reviewers[0].approved == 0


def test_matching_quality_is_the_share_of_judged_suggestions_confirmed(core, team):
    fc = team["fact_checker"]
    claim = core.claims.create(fc, NewClaim("claim"))
    others = [core.claims.create(fc, NewClaim(f"other {i}")) for i in range(4)]
    links = core.links.record_suggestions(fc, claim.id, [
        SuggestedLink("claim", o.id, 0.9 - i * 0.1, "same" if i == 0 else "related")
        for i, o in enumerate(others)])
    by_target = {link.target_id: link for link in links}
    for o, decision in zip(others[:3], ("confirmed", "confirmed", "rejected")):
        link = by_target[o.id]
        core.links.decide(fc, link.id, decision, expected_version=link.version)
    q = core.dashboard.matching_quality(fc)
    assert (q.confirmed, q.rejected, q.pending, q.auto) == (2, 1, 1, 0)
    assert q.share_confirmed == pytest.approx(2 / 3)
    assert q.by_tier["same"]["confirmed"] == 1
    assert q.by_tier["related"] == {"suggested": 1, "auto": 0, "confirmed": 1, "rejected": 1}


def test_matching_quality_without_decisions_has_no_share(core, team):
    assert core.dashboard.matching_quality(team["researcher"]).share_confirmed is None


def test_team_lists_active_people_with_their_open_claims(core, team):
    fc, ed = team["fact_checker"], team["editor"]
    claim = core.claims.create(fc, NewClaim("claim"))
    core.claims.assign(fc, claim.id, fc, expected_version=claim.version)
    core.users.set_active(core.system_user_id(), team["researcher"], False)
    members = {m.id: m for m in core.dashboard.team(team["coordinator"])}
    assert team["researcher"] not in members and core.system_user_id() not in members
    assert members[fc].open_claims == 1 and members[ed].open_claims == 0
    assert members[ed].role == Role.EDITOR


@pytest.mark.parametrize("call", [
    lambda s, a: s.dashboard.intake(a),
    lambda s, a: s.dashboard.funnel(a),
    lambda s, a: s.dashboard.time_to_publish(a),
    lambda s, a: s.dashboard.viral_open(a),
    lambda s, a: s.dashboard.by_region(a),
    lambda s, a: s.dashboard.reviewer_load(a),
    lambda s, a: s.dashboard.matching_quality(a),
    lambda s, a: s.dashboard.team(a),
])
def test_every_aggregate_checks_the_actor(core, team, call):
    system = core.system_user_id()
    call(core, team["coordinator"])                       # every role may see the figures
    core.users.set_active(system, team["coordinator"], False)
    with pytest.raises(PermissionDenied):
        call(core, team["coordinator"])
    assert audit_repo.entries(core.store, outcome="denied")[0].actor_id == team["coordinator"]
    with pytest.raises(PermissionDenied):
        call(core, 99_999)


@pytest.mark.parametrize("days", [0, -1, 400, True, "7"])
def test_bad_windows_are_refused(core, team, days):
    with pytest.raises(ValidationError):
        core.dashboard.intake(team["editor"], days=days)


def test_set_language_changes_only_your_own_preference(core, team):
    fc = team["fact_checker"]
    before = core.users.get(fc, fc)
    after = core.users.set_language(fc, "hi")
    assert after.language == "hi" and after.version == before.version + 1
    assert core.users.set_language(fc, None).language is None
    [entry] = audit_repo.entries(core.store, action="user.set_language", limit=1)
    assert entry.actor_id == fc and entry.after == {"language": None}
    with pytest.raises(ValidationError):
        core.users.set_language(fc, "x" * 50)
