"""The same flows with the bundled all-MiniLM-L6-v2 (slow: CI runs them)."""
from __future__ import annotations

import pytest

from desk.demo import load_demo
from desk.domain import NewClaim
from desk.services import EngineSet
from desk.config import load_settings

from .conftest import LUCKNOW, fake_settings, open_flow

pytestmark = pytest.mark.slow


@pytest.fixture
def real_demo(demo_home, real_embedder, clock):
    settings = fake_settings(demo_home)
    engines = EngineSet.create(settings, embedder=real_embedder)
    svc = open_flow(settings, engines, clock)
    yield svc, engines
    svc.close()


def test_a_hinglish_forward_finds_the_answer_already_published(real_demo):
    svc, engines = real_demo
    ankit = svc.users.by_username(svc.system_user_id(), "ankit").id
    result = svc.intake.submit_claim(ankit, NewClaim(
        text="Vote nahi diya to bank account se 350 rupaye kat jayenge, election commission "
             "ka naya niyam h. Sabko bhejo"))
    if result.merged_into is not None:  # the same as a claim the desk already has
        claim = svc.claims.get(ankit, result.merged_into)
        assert "350" in claim.text
    else:
        texts = [svc.facts.get(ankit, s.target_id).statement if s.target_kind == "fact"
                 else svc.rebuttals.get(ankit, s.target_id).current.full_text
                 for s in result.suggestions if s.target_kind in ("fact", "rebuttal")]
        assert any("350" in t or "बैंक" in t or "bank" in t for t in texts[:3]), texts
    assert engines.check(svc.store)["consistent"]


def test_the_lucknow_export_merges_into_the_demo_claims(real_demo):
    svc, engines = real_demo
    report = svc.intake.import_whatsapp(svc.system_user_id(), LUCKNOW.read_bytes(),
                                        filename=LUCKNOW.name, region_code="UP-LKO")
    assert report.matched and report.merged_into_existing >= 10
    assert report.claims_created >= 1
    assert engines.check(svc.store)["consistent"]
    again = svc.intake.import_whatsapp(svc.system_user_id(), LUCKNOW.read_bytes(),
                                       filename=LUCKNOW.name, region_code="UP-LKO")
    assert again.sightings_added == 0


def test_demo_loads_and_indexes_with_the_real_model(tmp_path):
    # How long this takes is a benchmark's business (benchmarks/README.md), not a test's.
    settings = load_settings(tmp_path / "desk", env={"FACTDESK_MODEL": "bundled"})
    report = load_demo(settings)
    assert report.loaded and report.index["model"] == "all-MiniLM-L6-v2"
