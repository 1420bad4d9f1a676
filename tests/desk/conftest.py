"""Fixtures for the desk core: a temp-dir database, a fixed clock, services and
one user per role.

``fallback_normalize`` is a tiny stand-in for ``index.normalize.normalize`` so
these tests do not depend on the matching engine (one test checks the real one).
"""
from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from desk.clock import FixedClock
from desk.domain import Role
from desk.services import Services, build_services
from desk.store import Store


@dataclass(frozen=True)
class FallbackNormalized:
    display: str
    key: str
    lang: str
    script: str


def fallback_normalize(text: str) -> FallbackNormalized:
    nfc = unicodedata.normalize("NFC", text)
    cleaned = "".join(ch for ch in nfc if unicodedata.category(ch) != "Cf")
    key = " ".join(cleaned.casefold().split())
    deva = any("\u0900" <= ch <= "\u097f" for ch in cleaned)
    return FallbackNormalized(display=text, key=key, lang="hi" if deva else "en",
                              script="Deva" if deva else "Latn")


FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET = b"0123456789abcdef0123456789abcdef"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2026-11-22T10:00:00Z")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A freshly migrated database, made once; tests start from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "desk.db"
    Store.open(path).close()
    return path


@pytest.fixture
def db_path(tmp_path, migrated_template):
    path = tmp_path / "desk.db"
    src = sqlite3.connect(migrated_template)
    dst = sqlite3.connect(path)
    src.backup(dst)          # the online backup API, as the desk itself does
    dst.execute("PRAGMA journal_mode = WAL")
    dst.close()
    src.close()
    return path


@pytest.fixture
def store(db_path):
    s = Store.open(db_path, synchronous="NORMAL")
    yield s
    s.close()


def make_services(store: Store, clock, tmp_path, hasher=FAST_HASHER) -> Services:
    return build_services(store, sender_secret=SECRET, backup_dir=tmp_path / "backups",
                          clock=clock, normalizer=fallback_normalize, hasher=hasher)


@pytest.fixture
def svc(store, clock, tmp_path) -> Services:
    return make_services(store, clock, tmp_path)


@pytest.fixture
def system_id(svc) -> int:
    return svc.system_user_id()


@pytest.fixture
def people(svc, system_id) -> dict[str, int]:
    """User ids: one per role, plus a second editor (``editor2``) for four eyes."""
    ids = {}
    for role in Role:
        ids[role.value] = svc.users.create(system_id, role.value.replace("_", "-"),
                                           role=role).id
    ids["editor2"] = svc.users.create(system_id, "editor-two", role=Role.EDITOR).id
    return ids


@pytest.fixture
def services_for(clock, tmp_path):
    """Build services around another Store (one per thread in concurrency tests)."""
    return lambda store: make_services(store, clock, tmp_path)
