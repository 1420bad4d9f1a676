"""Backups under concurrent writes, and restores (also of an older backup)."""
from __future__ import annotations

import threading
import time

import pytest

from desk.domain import NewClaim, NewSighting
from desk.errors import PermissionDenied, ValidationError
from desk.services.facts import NewFact
from desk.store import Store
from desk.store import audit as audit_repo
from desk.store.index_source import inconsistencies


def _write_pairs(store: Store, services, actor: int, stop: threading.Event, tag: str,
                 errors: list) -> None:
    """Each transaction writes one claim, one sighting and one fact, so every
    consistent snapshot has equal counts."""
    n = 0
    try:
        while not stop.is_set():
            with store.write():
                claim = services.claims.create(actor, NewClaim(f"{tag} claim {n}"))
                services.sightings.record(actor, [NewSighting(claim.id, f"{tag}-{n}")])
                services.facts.create(actor, NewFact(f"{tag} fact {n}"))
            n += 1
    except Exception as exc:  # noqa: BLE001
        errors.append(exc)


def test_backup_under_concurrent_writes_is_a_consistent_point_in_time(
        svc, people, store, db_path, services_for, tmp_path):
    actor = people["admin"]
    stop = threading.Event()
    errors: list = []
    writers = []
    stores = []
    for tag in ("w1", "w2"):
        s = Store.open(db_path)
        stores.append(s)
        t = threading.Thread(target=_write_pairs, args=(s, services_for(s), actor, stop, tag,
                                                        errors))
        writers.append(t)
        t.start()
    backups = []
    try:
        for i in range(4):
            time.sleep(0.15)
            backups.append(svc.admin.backup(actor, tmp_path / "bk" / f"b{i}.db").path)
    finally:
        stop.set()
        for t in writers:
            t.join(timeout=60)
        for s in stores:
            s.close()
    assert errors == []
    seen = []
    for path in backups:
        copy = Store.open(path)
        try:
            assert copy.integrity_check() == "ok"
            counts = copy.table_counts(["claims", "sightings", "facts"])
            assert counts["claims"] == counts["sightings"] == counts["facts"], counts
            assert inconsistencies(copy) == []
            seen.append(counts["claims"])
        finally:
            copy.close()
    assert seen == sorted(seen) and seen[-1] > 0, seen


def test_restore_of_an_older_backup(svc, people, store, tmp_path):
    admin = people["admin"]
    old_claim = svc.claims.create(admin, NewClaim("before the backup"))
    report = svc.admin.backup(admin)
    assert report.path.parent == tmp_path / "backups" and report.bytes > 0
    epoch, rev = store.index_epoch(), store.max_rev()
    svc.claims.create(admin, NewClaim("after the backup"))
    svc.facts.create(admin, NewFact("after the backup too"))
    rev_after = store.max_rev()

    with pytest.raises(ValidationError, match="confirm"):
        svc.admin.restore(admin, report.path)
    restored = svc.admin.restore(admin, report.path, confirm=True)

    assert restored.needs_reindex and restored.index_epoch == epoch + 1
    assert store.index_epoch() == epoch + 1
    assert restored.integrity == "ok" and restored.index_problems == ()
    assert [c.text for c in svc.claims.get_many(admin, [old_claim.id, old_claim.id + 1])] == [
        "before the backup"]
    assert [i.text for i in store.match_items("claims")] == ["before the backup"]
    assert store.max_rev() >= rev_after > rev, "revisions never go backwards"
    # The safety backup holds what was there just before the restore.
    safety = Store.open(restored.safety_backup)
    assert safety.scalar("SELECT count(*) FROM claims") == 2
    safety.close()
    [entry] = audit_repo.entries(store, action="backup.restore")
    assert entry.actor_id == admin and entry.detail["index_epoch"] == epoch + 1


def test_restore_refuses_bad_input_and_non_admins(svc, people, store, tmp_path):
    admin = people["admin"]
    with pytest.raises(ValidationError, match="not found"):
        svc.admin.restore(admin, tmp_path / "missing.db", confirm=True)
    with pytest.raises(ValidationError, match="onto itself"):
        svc.admin.restore(admin, store.path, confirm=True)
    with pytest.raises(ValidationError, match="overwrite the live"):
        svc.admin.backup(admin, store.path)
    with pytest.raises(PermissionDenied):
        svc.admin.backup(people["editor"])
    assert store.integrity_check() == "ok"


def test_stats_and_check(svc, people):
    svc.claims.create(people["fact_checker"], NewClaim("stat me"))
    stats = svc.admin.stats(people["coordinator"])
    assert stats["claims"] == {"new": 1}
    assert stats["match_items"] == {"claims_active": 1}
    assert stats["users"]["editor"] == 2
    assert svc.admin.check(people["admin"]) == {"integrity": "ok", "index_problems": []}
