"""The CLI end to end (``CliRunner``, fake embedder): real output, ``--json`` shapes,
one-line errors with exit status 1."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from desk.cli import cli
from desk.services.claims import AGED_AT
from desk.store import Store
from desk.store import settings as settings_repo

from .conftest import DEMO, LUCKNOW


@pytest.fixture
def run(demo_home, monkeypatch):
    """``desk ...`` on a copy of the demo desk; returns the click Result."""
    monkeypatch.setenv("FACTDESK_HOME", str(demo_home))
    monkeypatch.setenv("FACTDESK_MODEL", "fake")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def _one_line_error(result, fragment: str) -> None:
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], lines


def test_demo_on_a_fresh_home_then_again(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTDESK_MODEL", "fake")
    home = tmp_path / "fresh"
    result = CliRunner().invoke(cli, ["--home", str(home), "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "211 claims, 84 facts, 40 rebuttals" in result.stdout
    assert result.stdout.count("\n  ") >= 12 and "meera" in result.stdout
    again = CliRunner().invoke(cli, ["--home", str(home), "demo"], catch_exceptions=False)
    assert again.exit_code == 0
    assert "Nothing loaded" in again.stdout and "demo-credentials.txt" in again.stdout
    assert "meera" not in again.stdout


def test_queue_json_shape_and_filters(run):
    result = run("queue", "--region", "UP-LKO", "--unassigned", "--page-size", "5", "--json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert set(page) == {"total", "page", "page_size", "pages", "status_counts", "rows"}
    assert 0 < len(page["rows"]) <= 5 and page["total"] >= len(page["rows"])
    assert all(r["assignee_id"] is None and r["status"] in ("new", "triaged", "in_research",
                                                            "in_review") for r in page["rows"])
    priorities = [r["priority"] for r in page["rows"]]
    assert priorities == sorted(priorities, reverse=True)
    text = run("queue", "--status", "dismissed")
    assert text.exit_code == 0 and "9 claims" in text.stdout


def test_queue_unknown_region_is_one_line(run):
    _one_line_error(run("queue", "--region", "NOPE"), "NOPE")


def test_match_json(run):
    result = run("match", "vote nahi diya to bank se 350 rupaye katenge", "--k", "3", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 3
    assert set(hits[0]) == {"kind", "id", "match_item_id", "score", "tier", "status", "text",
                            "explanation", "signals"}
    assert hits[0]["tier"] in ("same", "related")
    plain = run("match", "vote nahi diya to bank se 350 rupaye katenge", "--in", "library")
    assert plain.exit_code == 0 and "why:" in plain.stdout


def test_claims_import_report_json_and_reimport(run):
    result = run("claims", "import", str(LUCKNOW), "--format", "whatsapp", "--region", "UP-LKO",
                 "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["messages"] == 319 and report["matched"] is True
    assert report["merged_into_existing"] > 0   # re-worded copies of the demo's claims
    assert report["sightings_added"] == (report["claims_created"] + report["merged_into_existing"]
                                         + report["folded_within_import"])
    again = run("claims", "import", str(LUCKNOW), "--format", "whatsapp", "--region", "UP-LKO")
    assert again.exit_code == 0
    assert "new claims:              0" in again.stdout
    assert f"already imported:        {report['sightings_added']}" in again.stdout


def test_claims_import_errors_are_one_line(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("text,Region\nSome long claim about pension 3000 rupay,NOWHERE\n".encode())
    _one_line_error(run("claims", "import", str(bad), "--format", "csv"), "line 2")
    broken = tmp_path / "chat.txt"
    broken.write_bytes(b"08/11/26, 9:00 am - A: caf\xe9 au lait\n")
    _one_line_error(run("claims", "import", str(broken), "--format", "whatsapp"), "UTF-8")
    result = run("claims", "import", str(bad), "--format", "csv", "--map", "nonsense=x")
    assert result.exit_code == 2 and "nonsense" in result.stderr


def test_export_to_file_and_pull_recorded(run, tmp_path):
    out = tmp_path / "lucknow.txt"
    result = run("export", "--format", "whatsapp", "--region", "UP-LKO", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("――――――――――") >= 1
    assert "Exported" in result.stderr
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["pulls"] >= 2
    _one_line_error(run("export", "--format", "json", "--id", "999999"), "999999")


def test_regions_facts_reindex_and_thresholds(run, tmp_path):
    regions = json.loads(run("regions", "list", "--json").stdout)
    assert len(regions) == 108 and regions[0]["parent_code"] is None
    facts = run("facts", "import", str(DEMO / "facts.jsonl"), "--json")
    assert json.loads(facts.stdout)["already_present"] == 84
    reindex = json.loads(run("reindex", "--json").stdout)
    assert reindex["library"] == 111 and reindex["model"] == "fake-trigram-64"
    shown = json.loads(run("thresholds", "show", "--json").stdout)
    assert shown["source"] == "default" and set(shown["defaults"]) == {"same", "related"}
    _one_line_error(run("thresholds", "fit"), "too few reviewer decisions")
    done = run("thresholds", "set", "--same", "0.92", "--related", "0.5")
    assert done.exit_code == 0 and "version 1" in done.stdout
    shown = json.loads(run("thresholds", "show", "--json").stdout)
    assert (shown["same"], shown["related"], shown["source"]) == (0.92, 0.5, "stored")
    _one_line_error(run("thresholds", "set", "--same", "0.4", "--related", "0.6"), "related")


def test_queue_ages_the_priorities_first_when_due(run, demo_home):
    store = Store.open(demo_home / "desk.db")
    try:
        with store.write():
            settings_repo.put(store, AGED_AT, "2026-01-01T00:00:00Z", expected_version=None,
                              actor_id=None, at="2026-01-01T00:00:00Z")
    finally:
        store.close()
    assert run("queue", "--json").exit_code == 0
    store = Store.open(demo_home / "desk.db")
    try:
        assert settings_repo.get(store, AGED_AT)[0] > "2026-01-01T00:00:00Z"
    finally:
        store.close()
