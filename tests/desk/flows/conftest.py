"""Fixtures for end-to-end flows: a real runtime directory, the engines with the
fake embedder (deterministic, no model download), services wired like
``open_services`` (one store per test), and a desk seeded with the demo regions,
topics and facts.  ``demo_home`` copies a desk loaded by ``desk demo`` once per
session, so tests that need rebuttals in every state start in milliseconds.
"""
from __future__ import annotations

import csv
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from desk.clock import FixedClock
from desk.config import Settings, load_settings
from desk.demo import load_demo
from desk.services import EngineSet, Services, build_services
from desk.services.installation import SECRET_FILE, init_runtime, load_secret
from desk.store import Store
from index.embedding import FakeEmbedder

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "data" / "demo"
LUCKNOW = DEMO / "whatsapp" / "WhatsApp Chat with Lucknow Nagrik Suchna Manch.txt"
JAIPUR = DEMO / "whatsapp" / "WhatsApp Chat - Jaipur Mohalla Samachar.txt"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
NOW = "2026-11-22T10:00:00Z"


def fake_settings(home: Path) -> Settings:
    return load_settings(home, env={"FACTDESK_MODEL": "fake"})


def open_flow(settings: Settings, engines: EngineSet | None, clock=None) -> Services:
    """``open_services`` with a NORMAL-synchronous store and a fast password hasher."""
    store = Store.open(settings.db_path, synchronous="NORMAL")
    return build_services(store, sender_secret=load_secret(settings),
                          backup_dir=settings.backup_dir, clock=clock, hasher=FAST_HASHER,
                          max_text_chars=settings.max_text_chars, engines=engines,
                          max_upload_bytes=settings.max_upload_bytes,
                          whatsapp_max_chars=settings.whatsapp_max_chars)


def seed(svc: Services, *, facts: bool = True, same: float = 0.95, related: float = 0.5) -> int:
    """Demo regions, topics (and facts); explicit thresholds.  Returns the system id."""
    actor = svc.system_user_id()
    svc.regions.import_csv(actor, (DEMO / "regions.csv").read_bytes())
    with (DEMO / "topics.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            svc.regions.upsert_topic(actor, row["slug"], row["name_en"], row["name_hi"] or None)
    if facts:
        svc.intake.import_facts(actor, (DEMO / "facts.jsonl").read_bytes(),
                                filename="facts.jsonl")
    set_thresholds(svc, same=same, related=related)
    return actor


def set_thresholds(svc: Services, *, same: float, related: float) -> None:
    actor = svc.system_user_id()
    _, version = svc.settings.thresholds(actor)
    svc.settings.set_thresholds(actor, same=same, related=related, expected_version=version)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(home) -> Settings:
    s = fake_settings(home)
    init_runtime(s)
    return s


@pytest.fixture
def engines(settings) -> EngineSet:
    return EngineSet.create(settings, embedder=FakeEmbedder())


@pytest.fixture
def svc(settings, engines, clock):
    services = open_flow(settings, engines, clock)
    yield services
    services.close()


@pytest.fixture
def system_id(svc) -> int:
    return seed(svc)


@dataclass
class People:
    admin: int
    editor: int
    editor2: int
    checker: int
    researcher: int
    coordinator: int


@pytest.fixture
def people(svc, system_id) -> People:
    ids = {}
    for name, role, region in (("admin", "admin", None), ("editor", "editor", "UP"),
                               ("editor2", "editor", None), ("checker", "fact_checker", None),
                               ("researcher", "researcher", None),
                               ("coordinator", "coordinator", "UP-LKO")):
        ids[name] = svc.users.create(system_id, f"{name}-user", role=role, region_code=region).id
    return People(**ids)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A desk loaded by ``load_demo`` (fake embedder), made once per session."""
    home = tmp_path_factory.mktemp("demo-template")
    settings = fake_settings(home)
    load_demo(settings, engines=EngineSet.create(settings, embedder=FakeEmbedder()),
              now=FixedClock(NOW).now())
    return home


@pytest.fixture
def demo_home(home, demo_template) -> Path:
    """This test's runtime directory, holding a copy of the demo desk."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_template / SECRET_FILE, home / SECRET_FILE)
    shutil.copy(demo_template / "demo-credentials.txt", home / "demo-credentials.txt")
    src = sqlite3.connect(demo_template / "desk.db")
    dst = sqlite3.connect(home / "desk.db")
    src.backup(dst)
    dst.close()
    src.close()
    return home


@pytest.fixture
def demo(demo_home, clock):
    """Services on the copied demo desk, with fresh engines."""
    settings = fake_settings(demo_home)
    engines = EngineSet.create(settings, embedder=FakeEmbedder())
    services = open_flow(settings, engines, clock)
    yield services
    services.close()
