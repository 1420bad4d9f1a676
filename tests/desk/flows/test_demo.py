"""``desk demo`` loads data/demo through the real workflow, once."""
from __future__ import annotations

import collections
import json
import stat

import pytest

from desk.clock import FixedClock
from desk.demo import CREDENTIALS_FILE, load_demo
from desk.domain import OPEN_CLAIM_STATUSES, RebuttalStatus
from desk.errors import DeskError
from desk.services import EngineSet
from desk.services.facts import NewFact
from index.embedding import FakeEmbedder

from .conftest import DEMO, NOW, fake_settings, open_flow


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DEMO / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_statuses_match_the_data(demo):
    system = demo.system_user_id()
    stats = demo.admin.stats(system)
    assert stats["claims"] == dict(collections.Counter(r["status"] for r in _rows("claims.jsonl")))
    assert stats["rebuttals"] == dict(collections.Counter(
        r["status"] for r in _rows("rebuttals.jsonl")))
    assert stats["facts"] == {"active": 81, "retired": 3}
    assert stats["sightings"] == json.loads((DEMO / "manifest.json").read_text())["counts"][
        "sightings"]
    assert stats["users"] == {"admin": 1, "editor": 2, "fact_checker": 4, "researcher": 2,
                              "coordinator": 3}
    assert demo.admin.check(system)["index_problems"] == []


def test_every_claim_has_the_status_the_data_gives_it(demo):
    system = demo.system_user_id()
    rows = _rows("claims.jsonl")
    # Claims were loaded in file order, so ids follow the keys.
    claims = demo.claims.get_many(system, range(1, len(rows) + 1))
    assert [c.status.value for c in claims] == [r["status"] for r in rows]
    by_key = {r["key"]: c for r, c in zip(rows, claims)}
    for r, c in zip(rows, claims):
        assert c.sighting_count >= len(r["sightings"]) or r["status"] == "duplicate"
        assert c.topics == tuple(sorted(r["topics"]))
        if r["duplicate_of"]:
            assert c.duplicate_of == by_key[r["duplicate_of"]].id
        if r["due_in_hours"] is not None and r["due_in_hours"] < 0:
            assert c.due_at < NOW            # overdue when loaded
        if r["assignee"]:
            assert c.assignee_id == demo.users.by_username(system, r["assignee"]).id


def test_four_eyes_and_versions(demo):
    system = demo.system_user_id()
    rows = {r["key"]: r for r in _rows("rebuttals.jsonl")}
    rebuttals = demo.rebuttals.list(system, limit=100)
    assert len(rebuttals) == len(rows)
    for r in rebuttals:
        for v in demo.rebuttals.versions(system, r.id):
            if v.approved_by is not None:
                assert v.approved_by not in (v.author_id, r.author_id)
    corrected = [r for r in rebuttals if len(demo.rebuttals.versions(system, r.id)) == 2]
    assert len(corrected) == 3
    published_twice = [r for r in corrected
                       if sum(v.published_at is not None
                              for v in demo.rebuttals.versions(system, r.id)) == 2]
    assert len(published_twice) == 1          # RBT-003: the helpline number correction
    retracted = [r for r in rebuttals if r.status == RebuttalStatus.RETRACTED]
    assert len(retracted) == 1 and retracted[0].retract_reason


def test_senders_are_hashed(demo):
    dump = json.dumps([dict(r) for r in demo.store.all("SELECT * FROM sightings")],
                      ensure_ascii=False)
    assert "Vinod Kirana" not in dump and "XXXXXX" not in dump and "XXX XX" not in dump


def test_credentials_file_is_private_and_the_passwords_work(demo, demo_home):
    path = demo_home / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [line.split("\t") for line in path.read_text().splitlines()
             if not line.startswith("#")]
    assert len(lines) == 12
    username, role, password = lines[0]
    token, user = demo.auth.sign_in(username, password)
    assert user.role.value == role and token


def test_second_run_loads_nothing_and_says_where_the_credentials_are(demo_home):
    settings = fake_settings(demo_home)
    report = load_demo(settings, engines=EngineSet.create(settings, embedder=FakeEmbedder()))
    assert not report.loaded and not report.credentials
    assert str(demo_home / CREDENTIALS_FILE) in report.message


def test_fresh_load_prints_passwords_once_and_builds_the_index(home):
    settings = fake_settings(home)
    engines = EngineSet.create(settings, embedder=FakeEmbedder())
    report = load_demo(settings, engines=engines, now=FixedClock(NOW).now())
    assert report.loaded and len(report.credentials) == 12 and not report.warnings
    assert report.index["library"] == 81 + 30 and report.index["claims"] == 211 - 14 - 9
    svc = open_flow(settings, engines)
    try:
        assert engines.check(svc.store)["consistent"]
        marker, _ = svc.settings.get(svc.system_user_id(), "demo")
        assert marker["demo"] is True and marker["disclaimer"]["hi"]
    finally:
        svc.close()


def test_refuses_a_desk_with_data_but_no_claims(settings, engines, clock):
    svc = open_flow(settings, engines, clock)
    try:
        svc.facts.create(svc.system_user_id(), NewFact(statement="A lone fact.", lang="en"))
    finally:
        svc.close()
    with pytest.raises(DeskError, match="empty desk"):
        load_demo(settings, engines=engines)


def test_open_claims_carry_their_match_suggestions_once_loaded(demo):
    system = demo.system_user_id()
    claims = demo.claims.get_many(system, range(1, len(_rows("claims.jsonl")) + 1))
    open_claims = [c for c in claims if c.status in OPEN_CLAIM_STATUSES]
    with_candidates = 0
    for claim in open_claims:
        stored = {(link.target_kind, link.target_id) for link in demo.links.for_claim(system, claim.id)}
        fresh = {(link.target_kind, link.target_id)
                 for link in demo.matching.suggest_for_claim(system, claim.id, record=False)}
        assert fresh <= stored, claim.id          # what the matcher finds is already recorded
        with_candidates += bool(fresh)
    assert len(open_claims) == 106 and with_candidates >= 50
