"""Imports are all or nothing: a process killed at any moment, or a failing disk,
leaves the database exactly as it was, and a re-run imports everything once."""
from __future__ import annotations

import importlib.util
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from desk.errors import DeskError
from desk.services.installation import init_runtime
from desk.store import Store
from desk.store import claims as claims_repo

from .conftest import REPO, fake_settings, open_flow, seed

_spec = importlib.util.spec_from_file_location("_flows_gen_whatsapp",
                                               REPO / "benchmarks" / "gen_whatsapp.py")
gen = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen
_spec.loader.exec_module(gen)

CHILD = textwrap.dedent("""
    import os, sys, time
    from desk.config import load_settings
    from desk.services import EngineSet, open_services
    from index.embedding import FakeEmbedder

    settings = load_settings(sys.argv[1], env={"FACTDESK_MODEL": "fake"})
    svc = open_services(settings, engines=EngineSet.create(settings, embedder=FakeEmbedder()))
    if os.environ.get("PAUSE_IN_TRANSACTION"):
        record = svc.sightings.record
        def slow_record(*args, **kwargs):
            result = record(*args, **kwargs)
            print("in transaction", flush=True)
            time.sleep(60)
            return result
        svc.sightings.record = slow_record
    print("ready", flush=True)
    data = open(sys.argv[2], "rb").read()
    report = svc.intake.import_whatsapp(svc.system_user_id(), data,
                                        filename="WhatsApp Chat with Crash Test Group.txt")
    print("done", report.sightings_added, flush=True)
""")


def _counts(db: Path) -> tuple[int, int, int]:
    store = Store.open(db)
    try:
        assert store.integrity_check() == "ok"
        return (int(store.scalar("SELECT count(*) FROM claims")),
                int(store.scalar("SELECT count(*) FROM sightings")),
                int(store.scalar("SELECT count(*) FROM match_items")))
    finally:
        store.close()


def _home(path: Path) -> Path:
    settings = fake_settings(path)
    init_runtime(settings)
    return path


def _run(script: Path, home: Path, data: Path, **env) -> subprocess.Popen:
    import os
    return subprocess.Popen([sys.executable, str(script), str(home), str(data)],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, **env})


@pytest.fixture(scope="module")
def export_file(tmp_path_factory) -> Path:
    text, _ = gen.generate(3_000, seed=3)
    path = tmp_path_factory.mktemp("crash") / "export.txt"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def child(tmp_path_factory) -> Path:
    script = tmp_path_factory.mktemp("crash-child") / "import_child.py"
    script.write_text(CHILD)
    return script


@pytest.fixture(scope="module")
def timed_reference(tmp_path_factory, child, export_file) -> tuple[tuple[int, int, int], float]:
    """What one uninterrupted import of the file stores, and how long it takes."""
    home = _home(tmp_path_factory.mktemp("reference"))
    proc = _run(child, home, export_file)
    assert proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    out, _ = proc.communicate(timeout=300)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, out
    counts = _counts(home / "desk.db")
    assert counts[0] > 0 and counts[1] > counts[0]
    return counts, elapsed


@pytest.fixture(scope="module")
def reference(timed_reference) -> tuple[int, int, int]:
    return timed_reference[0]


def test_kill_inside_the_transaction_leaves_nothing(tmp_path, child, export_file, reference):
    home = _home(tmp_path / "home")
    proc = _run(child, home, export_file, PAUSE_IN_TRANSACTION="1")
    try:
        lines = []
        while (line := proc.stdout.readline()) and line.strip() != "in transaction":
            lines.append(line)
        assert line.strip() == "in transaction", lines
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert _counts(home / "desk.db") == (0, 0, 0)
    again = _run(child, home, export_file)
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0, out
    assert _counts(home / "desk.db") == reference


def test_kill_at_random_moments_is_all_or_nothing_and_reruns_import_once(
        tmp_path, child, export_file, timed_reference):
    reference, elapsed = timed_reference
    rng = random.Random(20261122)
    outcomes = []
    home = _home(tmp_path / "home")
    for attempt in range(5):
        proc = _run(child, home, export_file)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, elapsed * 1.2))  # from start-up to just after commit
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        counts = _counts(home / "desk.db")
        assert counts in ((0, 0, 0), reference), f"attempt {attempt}: half an import: {counts}"
        outcomes.append(counts == reference)
    final = _run(child, home, export_file)
    out, _ = final.communicate(timeout=300)
    assert final.returncode == 0, out
    assert _counts(home / "desk.db") == reference
    if any(outcomes):  # a kill after the commit: the re-run found everything imported
        assert out.strip().endswith("done 0")


def test_disk_io_error_mid_import_rolls_back_with_a_clear_message(settings, engines, clock,
                                                                   monkeypatch, export_file):
    svc = open_flow(settings, engines, clock)
    try:
        actor = seed(svc, facts=False)
        real = claims_repo.insert_sighting
        calls = {"n": 0}

        def failing(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] > 50:
                raise sqlite3.OperationalError("disk I/O error")
            return real(*args, **kwargs)

        monkeypatch.setattr(claims_repo, "insert_sighting", failing)
        data = export_file.read_bytes()
        with pytest.raises(DeskError, match="disk I/O error.*nothing was saved"):
            svc.intake.import_whatsapp(actor, data, filename="WhatsApp Chat with X.txt")
        stats = svc.admin.stats(actor)
        assert (sum(stats["claims"].values()), stats["sightings"]) == (0, 0)
        assert svc.admin.check(actor)["index_problems"] == []
        monkeypatch.setattr(claims_repo, "insert_sighting", real)
        report = svc.intake.import_whatsapp(actor, data, filename="WhatsApp Chat with X.txt")
        assert report.sightings_added == svc.admin.stats(actor)["sightings"] > 50
    finally:
        svc.close()


def test_a_full_disk_is_reported_the_same_way(settings, engines, clock, monkeypatch):
    svc = open_flow(settings, engines, clock)
    try:
        actor = seed(svc, facts=False)
        monkeypatch.setattr(claims_repo, "insert_sighting", lambda *a, **k: (_ for _ in ()).throw(
            sqlite3.OperationalError("database or disk is full")))
        from desk.domain import NewClaim
        with pytest.raises(DeskError, match="could not be written"):
            svc.intake.submit_claim(actor, NewClaim(text="Pension ab 3000 rupay mahina ho gayi"))
        assert sum(svc.admin.stats(actor)["claims"].values()) == 0
    finally:
        svc.close()
