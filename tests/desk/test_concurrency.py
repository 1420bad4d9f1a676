"""Concurrent sessions: each thread has its own Store (its own connection), as
every Streamlit session does.  One wins, the others get Conflict, nobody sees
"database is locked", and the audit log records exactly one change."""
from __future__ import annotations

import threading
from collections import Counter

import pytest

from desk.domain import ClaimStatus, NewClaim, RebuttalStatus
from desk.errors import Conflict
from desk.services.rebuttals import RebuttalDraft
from desk.store import Store
from desk.store import audit as audit_repo

THREADS = 32
ROUNDS = 5


def _race(db_path, services_for, action) -> Counter:
    """Run ``action(services)`` in THREADS threads released at once; count outcomes."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        store = Store.open(db_path)
        try:
            services = services_for(store)
            barrier.wait()
            try:
                action(services)
                result = "ok"
            except Conflict:
                result = "conflict"
            except Exception as exc:  # noqa: BLE001 - any other failure is what we look for
                result = f"{type(exc).__name__}: {exc}"
        finally:
            store.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == THREADS, "a worker hung"
    return Counter(outcomes)


@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_32_sessions_approve_the_same_rebuttal(svc, people, store, db_path, services_for,
                                               round_no):
    fc = people["fact_checker"]
    r = svc.rebuttals.create(fc, RebuttalDraft("false", f"Rebuttal {round_no}", "short"))
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    editors = [people["editor"], people["editor2"], people["admin"]]
    counter = iter(range(THREADS))
    lock = threading.Lock()

    def approve(services) -> None:
        with lock:
            n = next(counter)
        services.rebuttals.approve(editors[n % len(editors)], r.id, expected_version=r.version)

    outcomes = _race(db_path, services_for, approve)
    assert outcomes == Counter({"ok": 1, "conflict": THREADS - 1}), outcomes
    assert svc.rebuttals.get(fc, r.id).status == RebuttalStatus.APPROVED
    approvals = audit_repo.entries(store, action="rebuttal.approve", entity_id=r.id)
    assert [e.outcome for e in approvals] == ["ok"]
    assert store.integrity_check() == "ok"


def test_32_sessions_assign_the_same_claim(svc, people, store, db_path, services_for):
    fc = people["fact_checker"]
    claim = svc.claims.create(fc, NewClaim("Voter list deadline extended to Friday"))
    claim = svc.claims.transition(fc, claim.id, "triaged", expected_version=claim.version)
    assignees = [people[r] for r in ("fact_checker", "researcher", "editor", "editor2")]
    counter = iter(range(THREADS))
    lock = threading.Lock()

    def assign(services) -> None:
        with lock:
            n = next(counter)
        services.claims.assign(people["editor"], claim.id, assignees[n % len(assignees)],
                               expected_version=claim.version)

    outcomes = _race(db_path, services_for, assign)
    assert outcomes == Counter({"ok": 1, "conflict": THREADS - 1}), outcomes
    final = svc.claims.get(fc, claim.id)
    assert final.assignee_id in assignees and final.version == claim.version + 1
    # The editor assigning to themselves is audited as claim.take.
    changes = [e for a in ("claim.assign", "claim.take")
               for e in audit_repo.entries(store, action=a, entity_id=claim.id)]
    assert [e.outcome for e in changes] == ["ok"]


def test_32_sessions_each_write_their_own_record_without_locking_errors(
        svc, people, store, db_path, services_for):
    def create(services) -> None:
        services.claims.create(people["fact_checker"], NewClaim("parallel intake"))

    outcomes = _race(db_path, services_for, create)
    assert outcomes == Counter({"ok": THREADS}), outcomes
    assert store.scalar("SELECT count(*) FROM claims") == THREADS
    assert len(store.match_items("claims")) == THREADS


def test_stale_form_is_refused_naming_who_changed_it(svc, people):
    a, b = people["fact_checker"], people["editor"]
    claim = svc.claims.create(a, NewClaim("Pension stopped for people above 80"))
    form_a = svc.claims.get(a, claim.id)       # A opens the edit form
    form_b = svc.claims.get(b, claim.id)       # B opens it too
    svc.claims.update(b, claim.id, expected_version=form_b.version,
                      due_at="2026-11-23T10:00:00Z", verdict="false")
    with pytest.raises(Conflict, match=r"changed by editor at 2026-11-22T10:00:00Z") as exc:
        svc.claims.update(a, claim.id, expected_version=form_a.version, verdict="true")
    assert "version 1" in str(exc.value) and "version 2" in str(exc.value)
    kept = svc.claims.get(a, claim.id)
    assert (kept.verdict, kept.due_at, kept.version) == ("false", "2026-11-23T10:00:00Z", 2)
    # A stale workflow move is refused the same way.
    with pytest.raises(Conflict, match="changed by editor"):
        svc.claims.transition(a, claim.id, "triaged", expected_version=form_a.version)
    assert svc.claims.get(a, claim.id).status == ClaimStatus.NEW


def test_sightings_do_not_invalidate_open_forms(svc, people):
    """Priority and counts change when sightings arrive, but nobody edited the
    claim: a form loaded before them still saves."""
    fc = people["fact_checker"]
    claim = svc.claims.create(fc, NewClaim("Gas cylinder price doubled"))
    from desk.domain import NewSighting

    svc.sightings.record(fc, [NewSighting(claim.id, "k1", source_group="g")])
    assert svc.claims.get(fc, claim.id).sighting_count == 1
    saved = svc.claims.update(fc, claim.id, expected_version=claim.version, verdict="false")
    assert saved.version == claim.version + 1
