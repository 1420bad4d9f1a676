"""The SQLite store: migrations, transactions, the append-only audit log,
immutable rebuttal versions, the embedding cache and the index source rows."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from desk.domain import NewClaim
from desk.services.facts import NewFact
from desk.services.rebuttals import RebuttalDraft
from desk.store import Store, StoreError
from desk.store import audit as audit_repo
from desk.store.index_source import inconsistencies
from desk.store.migrations import MIGRATIONS


def test_open_applies_migrations_once_and_sets_pragmas(db_path):
    first = Store.open(db_path)
    applied = [m.name for m in MIGRATIONS.applied(first.db)]
    first.close()
    second = Store.open(db_path)
    assert [m.name for m in MIGRATIONS.applied(second.db)] == applied == [
        "m001_initial", "m002_queue_indexes", "m003_claim_search",
        "m004_match_links_updated_by", "m005_topic_queue"]
    assert second.scalar("PRAGMA journal_mode") == "wal"
    assert second.scalar("PRAGMA foreign_keys") == 1
    assert second.conn.isolation_level is None
    second.close()


def test_write_commits_and_nested_write_joins_the_outer_transaction(store):
    with store.write():
        store.execute("INSERT INTO topics (slug, name_en, created_at, updated_at) "
                      "VALUES ('a', 'A', 'x', 'x')")
        with store.write():
            assert store.conn.in_transaction
            store.execute("INSERT INTO topics (slug, name_en, created_at, updated_at) "
                          "VALUES ('b', 'B', 'x', 'x')")
        assert store.conn.in_transaction, "inner block must not commit the outer transaction"
    assert not store.conn.in_transaction
    assert store.scalar("SELECT count(*) FROM topics") == 2


def test_an_error_in_a_nested_block_rolls_back_everything(store):
    with pytest.raises(RuntimeError):
        with store.write():
            store.execute("INSERT INTO topics (slug, name_en, created_at, updated_at) "
                          "VALUES ('a', 'A', 'x', 'x')")
            with store.write():
                raise RuntimeError("boom")
    assert store.scalar("SELECT count(*) FROM topics") == 0
    assert not store.in_transaction


def test_write_transactions_begin_immediate(store, db_path):
    # A second connection cannot write while our write block is open: the lock
    # is taken at BEGIN, not at the first write (that is what BEGIN IMMEDIATE means).
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    with store.write():
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_after_transaction_runs_after_rollback(store):
    ran = []
    with pytest.raises(ValueError):
        with store.write():
            store.after_transaction(lambda: ran.append(store.in_transaction))
            raise ValueError
    assert ran == [False]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'nothing happened'",
    "UPDATE audit_log SET outcome = 'ok' WHERE outcome = 'denied'",
    "DELETE FROM audit_log",
    "DELETE FROM audit_log WHERE id = 1",
])
def test_audit_log_refuses_tampering(store, statement):
    with store.write():
        audit_repo.append(store, at="2026-11-22T10:00:00Z", actor_id=1, actor_name="system",
                          action="test.action", outcome="denied", before={"a": 1})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.execute(statement)
    [entry] = audit_repo.entries(store)
    assert (entry.action, entry.outcome, entry.before) == ("test.action", "denied", {"a": 1})


def test_saved_and_published_rebuttal_versions_are_immutable(svc, people, store):
    fc, ed = people["fact_checker"], people["editor"]
    r = svc.rebuttals.create(fc, RebuttalDraft("false", "Original text", "short"))
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        store.execute("UPDATE rebuttal_versions SET full_text = 'rewritten' WHERE rebuttal_id = ?",
                      [r.id])
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = svc.rebuttals.approve(ed, r.id, expected_version=r.version)
    r = svc.rebuttals.publish(ed, r.id, expected_version=r.version)
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        store.execute("UPDATE rebuttal_versions SET approved_by = NULL WHERE rebuttal_id = ?",
                      [r.id])
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        store.execute("DELETE FROM rebuttal_versions")
    assert svc.rebuttals.get(fc, r.id).current.full_text == "Original text"


def test_embedding_cache_round_trips_little_endian_float32(store):
    vectors = {"h1": np.arange(4, dtype=np.float64), "h2": np.ones(4, dtype=np.float32)}
    store.put_many("model-a", vectors)
    got = store.get_many("model-a", ["h1", "h2", "missing"])
    assert set(got) == {"h1", "h2"}
    assert got["h1"].dtype == np.dtype("<f4")
    np.testing.assert_array_equal(got["h1"], [0, 1, 2, 3])
    assert store.get_many("model-b", ["h1"]) == {}
    blob = store.scalar("SELECT vector FROM embeddings WHERE content_hash = 'h1'")
    np.testing.assert_array_equal(np.frombuffer(blob, "<f4"), [0, 1, 2, 3])


def test_match_items_follow_their_sources_in_the_same_transaction(svc, people, store):
    fc, ed, rs = people["fact_checker"], people["editor"], people["researcher"]
    assert store.max_rev() == 0
    claim = svc.claims.create(fc, NewClaim("Ration cards cancelled from Monday"))
    spam = svc.claims.create(fc, NewClaim("Click here to win a free phone"))
    fact = svc.facts.create(rs, NewFact("No ration card is being cancelled", lang="en"))
    items = {(i.kind, i.ref_id): i for i in store.match_items_since(0)}
    assert items[("claim", claim.id)].collection == "claims"
    assert items[("fact", fact.id)].collection == "library"
    rev = store.max_rev()

    r = svc.rebuttals.create(fc, RebuttalDraft("false", "Rebuttal text", "short"),
                             claim_ids=[claim.id])
    assert store.match_items_since(rev) == [], "a draft is not in the library"
    r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = svc.rebuttals.approve(ed, r.id, expected_version=r.version)
    [item] = store.match_items_since(rev, collection="library")
    assert (item.kind, item.ref_id, item.text, item.active) == ("rebuttal", r.id, "Rebuttal text", True)
    assert store.match_item_id("rebuttal", r.id) == item.id

    rev = store.max_rev()
    svc.facts.retire(rs, fact.id, expected_version=fact.version)
    svc.claims.dismiss(fc, spam.id, "spam", expected_version=spam.version)
    changed = {(i.kind, i.ref_id): i.active for i in store.match_items_since(rev)}
    assert changed == {("fact", fact.id): False, ("claim", spam.id): False}
    assert all(i.rev > rev for i in store.match_items_since(rev))
    assert inconsistencies(store) == []


def test_a_rolled_back_write_leaves_no_match_item(svc, people, store):
    with pytest.raises(RuntimeError):
        with store.write():
            svc.claims.create(people["fact_checker"], NewClaim("will vanish"))
            raise RuntimeError
    assert store.max_rev() == 0
    assert store.match_items("claims") == []


def test_restore_refuses_a_file_that_is_not_a_desk_database(store, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        store.restore_from(junk)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a Fact Desk database"):
        store.restore_from(other)
    assert store.integrity_check() == "ok"


KILLED_IMPORT = """
import sys, time
from desk.store import Store
store = Store.open(sys.argv[1])
with store.write():
    for n in range(1_000_000):
        store.execute("INSERT INTO topics (slug, name_en, created_at, updated_at)"
                      " VALUES (?, 'x', 'x', 'x')", [f"t{n}"])
        if n == 2000:
            print("halfway", flush=True)
            time.sleep(60)
"""


def test_a_killed_bulk_write_leaves_nothing_behind(db_path, tmp_path):
    """RELIABILITY #3: kill -9 in the middle of one big write transaction."""
    import signal
    import subprocess
    import sys

    Store.open(db_path).close()
    script = tmp_path / "killed_import.py"
    script.write_text(KILLED_IMPORT)
    proc = subprocess.Popen([sys.executable, str(script), str(db_path)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "halfway"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    store = Store.open(db_path)
    try:
        assert store.integrity_check() == "ok"
        assert store.scalar("SELECT count(*) FROM topics") == 0
        with store.write():      # and the database is writable again at once
            store.execute("INSERT INTO topics (slug, name_en, created_at, updated_at)"
                          " VALUES ('after', 'x', 'x', 'x')")
    finally:
        store.close()


# -- the topic queue (m005): claim_topics carries the claim's queue columns ---------------------

_TOPIC_COLS = "status, priority, lang, channel, region_id, assignee_id, last_seen_at"


def _topic_rows_match_their_claims(store) -> None:
    stale = store.all(
        f"SELECT ct.claim_id FROM claim_topics ct JOIN claims c ON c.id = ct.claim_id"
        f" WHERE ({', '.join('ct.' + c for c in _TOPIC_COLS.split(', '))}) IS NOT"
        f" ({', '.join('c.' + c for c in _TOPIC_COLS.split(', '))})")
    assert [r[0] for r in stale] == []


def test_claim_topics_follow_every_change_of_their_claim(svc, people, system_id, store, clock):
    from desk.domain import NewSighting

    fc, ed = people["fact_checker"], people["editor"]
    svc.regions.upsert_topic(system_id, "ration", "Ration")
    svc.regions.upsert_topic(system_id, "exam", "Exams")
    a = svc.claims.create(fc, NewClaim("Ration cards cancelled", topics=("ration", "exam")))
    b = svc.claims.create(fc, NewClaim("Exam paper leaked", topics=("exam",)))
    assert store.scalar("SELECT count(*) FROM claim_topics WHERE status = 'new'") == 3
    svc.sightings.record(fc, [NewSighting(a.id, f"m{i}", source_group=f"g{i}") for i in range(4)])
    a = svc.claims.assign(ed, a.id, fc, expected_version=svc.claims.get(fc, a.id).version)
    a = svc.claims.update(fc, a.id, expected_version=a.version, topics=("ration",))
    svc.claims.dismiss(fc, b.id, "spam", expected_version=b.version)
    clock.advance(days=2)
    svc.claims.refresh_priorities(fc)
    store.execute("UPDATE claims SET lang = 'hi', channel = 'x' WHERE id = ?", [a.id])
    _topic_rows_match_their_claims(store)
    row = store.one(f"SELECT {_TOPIC_COLS} FROM claim_topics WHERE claim_id = ?", [a.id])
    assert (row["status"], row["assignee_id"], row["lang"]) == ("new", fc, "hi")
    assert store.scalar("SELECT count(*) FROM claim_topics WHERE claim_id = ?", [a.id]) == 1


def test_the_migration_fills_claim_topics_of_an_existing_desk(tmp_path):
    from sqlite_utils import Database

    path = tmp_path / "old.db"
    db = Database(path)
    MIGRATIONS.apply(db, stop_before="m005_topic_queue")
    now = "2026-11-22T10:00:00Z"
    db.execute("INSERT INTO topics (slug, name_en, created_at, updated_at) VALUES"
               " ('ration', 'Ration', ?, ?)", [now, now])
    db.execute("INSERT INTO claims (text, match_key, lang, channel, first_seen_at, last_seen_at,"
               " status, priority, created_at, updated_at) VALUES ('x', 'x', 'en', 'whatsapp',"
               " ?, ?, 'triaged', 42.5, ?, ?)", [now, now, now, now])
    db.execute("INSERT INTO claim_topics (claim_id, topic_id) VALUES (1, 1)")
    db.conn.commit()
    db.close()
    store = Store.open(path)
    try:
        row = store.one(f"SELECT {_TOPIC_COLS} FROM claim_topics")
        assert (row["status"], row["priority"], row["lang"]) == ("triaged", 42.5, "en")
        _topic_rows_match_their_claims(store)
    finally:
        store.close()


def test_a_topic_queue_reads_only_the_covering_index(svc, people, system_id, store):
    from desk.domain import QueueFilter

    svc.regions.upsert_topic(system_id, "ration", "Ration")
    for n in range(30):
        svc.claims.create(people["fact_checker"], NewClaim(f"Ration claim {n}",
                                                           topics=("ration",) if n % 2 else ()))
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        page = svc.claims.queue(people["coordinator"], QueueFilter(topic="ration"), page_size=5)
    finally:
        store.conn.set_trace_callback(None)
    assert page.total == 15 and len(page.rows) == 5
    assert [r.priority for r in page.rows] == sorted((r.priority for r in page.rows), reverse=True)
    plans = {sql: " ".join(str(r[3]) for r in store.all("EXPLAIN QUERY PLAN " + sql))
             for sql in statements if "FROM claim_topics WHERE" in sql}
    assert len(plans) == 2                               # the counts and the page
    for plan in plans.values():
        assert "COVERING INDEX claim_topics_queue" in plan and "claims" not in plan.replace(
            "claim_topics", "")
