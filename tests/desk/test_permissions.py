"""The permission matrix: every role x action pair, denials audited, services
wired to the right action, and docs/PERMISSIONS.md generated from the code."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from desk.domain import NewClaim, Role
from desk.errors import PermissionDenied
from desk.permissions import ACTIONS, MATRIX, allowed, render_markdown
from desk.services.base import Service
from desk.services.facts import NewFact
from desk.services.rebuttals import RebuttalDraft
from desk.store import audit as audit_repo

DOC = Path(__file__).resolve().parents[2] / "docs" / "PERMISSIONS.md"


def test_permissions_doc_is_generated_from_the_matrix():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "regenerate with: python -c \"from desk.permissions import render_markdown;"
        " open('docs/PERMISSIONS.md','w').write(render_markdown())\"")


def test_every_action_has_a_role_and_admin_can_do_everything():
    for action, (roles, meaning) in MATRIX.items():
        assert roles and meaning, action
        assert Role.ADMIN in roles, action


@pytest.mark.parametrize("role,action", list(itertools.product(Role, ACTIONS)))
def test_role_action_pair(svc, people, store, role, action):
    service = Service(store, svc.clock)
    actor = people[role.value]
    if allowed(role, action):
        assert service.require(actor, action).id == actor
        assert audit_repo.count(store, outcome="denied") == 0
    else:
        with pytest.raises(PermissionDenied, match=action):
            service.require(actor, action, entity="thing", entity_id=7)
        [entry] = audit_repo.entries(store, outcome="denied")
        assert (entry.actor_id, entry.action, entry.entity, entry.entity_id) == (
            actor, action, "thing", 7)
        assert entry.detail["role"] == role.value


def test_unknown_and_deactivated_users_are_denied_and_audited(svc, people, store, system_id):
    service = Service(store, svc.clock)
    with pytest.raises(PermissionDenied, match="unknown user"):
        service.require(9999, "claim.view")
    svc.users.set_active(system_id, people["editor"], False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        service.require(people["editor"], "claim.view")
    assert [e.actor_id for e in audit_repo.entries(store, outcome="denied")] == [
        people["editor"], 9999]


def test_denial_inside_an_outer_transaction_is_still_audited(svc, people, store):
    with pytest.raises(PermissionDenied):
        with store.write():
            svc.claims.create(people["fact_checker"], NewClaim("first, rolled back"))
            svc.users.list(people["coordinator"])
    assert store.scalar("SELECT count(*) FROM claims") == 0
    [entry] = audit_repo.entries(store, outcome="denied")
    assert entry.action == "user.view"


# Each service entry point, the action it must check, and a role that lacks it.
def _setup(svc, people):
    fc = people["fact_checker"]
    claim = svc.claims.create(fc, NewClaim("Free laptops for all students"))
    rebuttal = svc.rebuttals.create(fc, RebuttalDraft("false", "No such scheme.", "No scheme."))
    fact = svc.facts.create(people["researcher"], NewFact("There is no such laptop scheme."))
    return claim, rebuttal, fact


WIRING = [
    ("user.create", "editor", lambda s, p, c, r, f, a: s.users.create(a, "newbie", role="editor")),
    ("user.view", "editor", lambda s, p, c, r, f, a: s.users.list(a)),
    ("user.set_role", "editor", lambda s, p, c, r, f, a: s.users.set_role(a, p["researcher"], "admin")),
    ("user.deactivate", "editor", lambda s, p, c, r, f, a: s.users.set_active(a, p["researcher"], False)),
    ("region.import", "editor", lambda s, p, c, r, f, a: s.regions.import_csv(a, b"code,name,name_hi,level,parent_code\n")),
    ("topic.manage", "fact_checker", lambda s, p, c, r, f, a: s.regions.upsert_topic(a, "x", "X")),
    ("claim.import", "coordinator", lambda s, p, c, r, f, a: s.claims.create_many(a, [NewClaim("x")])),
    ("claim.edit", "researcher", lambda s, p, c, r, f, a: s.claims.update(a, c.id, expected_version=c.version, due_at=None)),
    ("claim.triage", "coordinator", lambda s, p, c, r, f, a: s.claims.transition(a, c.id, "triaged", expected_version=c.version)),
    ("claim.dismiss", "researcher", lambda s, p, c, r, f, a: s.claims.dismiss(a, c.id, "spam", expected_version=c.version)),
    ("claim.assign", "fact_checker", lambda s, p, c, r, f, a: s.claims.assign(a, c.id, p["editor"], expected_version=c.version)),
    ("claim.take", "coordinator", lambda s, p, c, r, f, a: s.claims.assign(a, c.id, a, expected_version=c.version)),
    ("claim.triage", "coordinator", lambda s, p, c, r, f, a: s.claims.refresh_priorities(a)),
    ("sighting.record", "researcher", lambda s, p, c, r, f, a: s.sightings.record(a, [])),
    ("fact.edit", "fact_checker", lambda s, p, c, r, f, a: s.facts.retire(a, f.id, expected_version=f.version)),
    ("rebuttal.draft", "coordinator", lambda s, p, c, r, f, a: s.rebuttals.create(a, RebuttalDraft("false", "t", "t"))),
    ("rebuttal.submit", "coordinator", lambda s, p, c, r, f, a: s.rebuttals.submit(a, r.id, expected_version=r.version)),
    ("rebuttal.approve", "fact_checker", lambda s, p, c, r, f, a: s.rebuttals.approve(a, r.id, expected_version=r.version)),
    ("rebuttal.publish", "researcher", lambda s, p, c, r, f, a: s.rebuttals.publish(a, r.id, expected_version=r.version)),
    ("rebuttal.retract", "fact_checker", lambda s, p, c, r, f, a: s.rebuttals.retract(a, r.id, expected_version=r.version, reason="x")),
    ("rebuttal.send_back", "fact_checker", lambda s, p, c, r, f, a: s.rebuttals.send_back(a, r.id, expected_version=r.version, reason="x")),
    ("match.run", "coordinator", lambda s, p, c, r, f, a: s.links.record_suggestions(a, c.id, [])),
    ("match.calibrate", "fact_checker", lambda s, p, c, r, f, a: s.links.labelled_pairs(a)),
    ("settings.edit", "editor", lambda s, p, c, r, f, a: s.settings.set(a, "k", 1, expected_version=0)),
    ("audit.view", "editor", lambda s, p, c, r, f, a: s.settings.audit_log(a)),
    ("backup.create", "editor", lambda s, p, c, r, f, a: s.admin.backup(a)),
    ("backup.restore", "editor", lambda s, p, c, r, f, a: s.admin.restore(a, "x.db", confirm=True)),
]


@pytest.mark.parametrize("action,role,call", WIRING, ids=[f"{a}-{r}" for a, r, _ in WIRING])
def test_services_check_the_matrix(svc, people, store, action, role, call):
    assert not allowed(role, action)
    claim, rebuttal, fact = _setup(svc, people)
    before = store.table_counts(["claims", "rebuttals", "facts", "users", "rebuttal_versions"])
    with pytest.raises(PermissionDenied):
        call(svc, people, claim, rebuttal, fact, people[role])
    [entry] = audit_repo.entries(store, outcome="denied")
    assert (entry.action, entry.actor_id) == (action, people[role])
    assert store.table_counts(list(before)) == before


def test_role_change_applies_at_the_next_call(svc, people, system_id):
    ed = people["editor"]
    assert svc.users.list(people["admin"])
    svc.users.set_role(system_id, ed, "coordinator")
    with pytest.raises(PermissionDenied):
        svc.rebuttals.create(ed, RebuttalDraft("false", "t", "t"))


@pytest.mark.parametrize("forged", [True, "1", 1.0, None, -1])
def test_forged_actor_ids_are_denied(svc, store, forged):
    with pytest.raises(PermissionDenied, match="unknown user"):
        Service(store, svc.clock).require(forged, "claim.view")
