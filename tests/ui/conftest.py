"""Fixtures for the Streamlit desk.

* ``core``: services on a throwaway database with a fixed clock (service tests).
* ``desk``: the *real* runtime directory the app opens (``FACTDESK_HOME`` is a
  temporary directory, ``FACTDESK_MODEL=fake``), its services, and one account
  per role; ``desk.app(role)`` returns an ``AppTest`` of ``streamlit_app.py``
  signed in as that role through a real server-side session.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from desk.clock import FixedClock
from desk.config import load_settings
from desk.domain import NewClaim, Role, Source
from desk.services import Services, build_services, open_services
from desk.services.facts import NewFact
from desk.services.rebuttals import RebuttalDraft
from desk.services.installation import init_runtime
from desk.store import Store

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "streamlit_app.py"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET = b"0123456789abcdef0123456789abcdef"
ROLES = tuple(r.value for r in Role)


@dataclass(frozen=True)
class _Normalized:
    display: str
    key: str
    lang: str
    script: str


def simple_normalize(text: str) -> _Normalized:
    """A small stand-in for ``index.normalize.normalize`` (service tests only)."""
    nfc = unicodedata.normalize("NFC", text)
    key = " ".join(nfc.casefold().split())
    deva = any("\u0900" <= ch <= "\u097f" for ch in nfc)
    return _Normalized(text, key, "hi" if deva else "en", "Deva" if deva else "Latn")


@pytest.fixture(autouse=True)
def _fake_model(monkeypatch):
    monkeypatch.setenv("FACTDESK_MODEL", "fake")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2026-11-22T10:00:00Z")


@pytest.fixture
def core(tmp_path, clock) -> Services:
    store = Store.open(tmp_path / "core.db")
    svc = build_services(store, sender_secret=SECRET, backup_dir=tmp_path / "backups",
                         clock=clock, normalizer=simple_normalize, hasher=FAST_HASHER)
    yield svc
    store.close()


@dataclass
class Desk:
    """The runtime directory the app under test opens, with one account per role."""

    svc: Services
    system: int
    ids: dict[str, int] = field(default_factory=dict)

    def token(self, who: str) -> str:
        return self.svc.auth.sign_in_external(f"{who}@desk.test")[0]

    def app(self, who: str | None = None, *, page: str | None = None,
            timeout: float = 60) -> AppTest:
        """An AppTest signed in as ``who`` (a role name or extra account), run once,
        then switched to ``page`` (a page key) and run again."""
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        if who is not None:
            at.session_state["auth.token"] = self.token(who)
        at.run()
        if page is not None:
            goto(at, page)
        return at

    @staticmethod
    def goto(at: AppTest, page: str) -> AppTest:
        """Switch an AppTest to a page (by key) and run it."""
        return goto(at, page)

    @staticmethod
    def frame(at: AppTest, key: str):
        return frame(at, key)

    @staticmethod
    def shown(markdown: str) -> str:
        return shown(markdown)

    @staticmethod
    def block(at: AppTest, key: str):
        return block(at, key)

    def add_user(self, username: str, role: str, **kw: Any) -> int:
        uid = self.svc.users.create(self.system, username, role=role,
                                    email=f"{username}@desk.test", **kw).id
        self.ids[username] = uid
        return uid


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"desk/ui/pages/{page}.py")
    return at.run()


@pytest.fixture
def desk(home) -> Desk:
    settings = load_settings()
    init_runtime(settings)
    svc = open_services(settings)
    d = Desk(svc=svc, system=svc.system_user_id())
    for role in ROLES:
        d.add_user(role, role, display_name=f"{role.replace('_', ' ').title()} Person")
    d.add_user("editor2", "editor", display_name="Second Editor")
    yield d
    svc.close()


def shown(markdown: str) -> str:
    """What an escaped Markdown value reads as (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("  \n", "\n")


def block(at: AppTest, key: str) -> Any:
    """The container with ``key`` (pages wrap tables and record boxes in keyed containers)."""
    def walk(node: Any) -> Any:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "key", None) == key and type(child).__name__ == "Block":
                return child
            found = walk(child)
            if found is not None:
                return found
        return None

    for root in (at.main, at.sidebar):
        found = walk(root)
        if found is not None:
            return found
    raise KeyError(key)


def frame(at: AppTest, key: str):
    """The table shown in the container ``key``, as a pandas DataFrame."""
    return block(at, key).dataframe[0].value


REGIONS_CSV = ("code,name,name_hi,level,parent_code\n"
               "UP,Uttar Pradesh,उत्तर प्रदेश,state,\nUP-LKO,Lucknow,लखनऊ,district,UP\n"
               "UP-VNS,Varanasi,वाराणसी,district,UP\nRJ,Rajasthan,राजस्थान,state,\n"
               "RJ-JP,Jaipur,जयपुर,district,RJ\n").encode("utf-8")


@dataclass
class Seeded:
    claim: int                 # a new claim in Lucknow
    other_claim: int           # a second open claim
    fact: int
    in_review: int             # rebuttal written by the fact-checker, waiting for review
    published: int             # a published rebuttal (nation-wide)
    published_claim: int


@pytest.fixture
def reference(desk) -> Desk:
    """Regions (two states, three districts) and two topics; no claims yet."""
    desk.svc.regions.import_csv(desk.system, REGIONS_CSV)
    desk.svc.regions.upsert_topic(desk.system, "polling", "Polling", "मतदान")
    desk.svc.regions.upsert_topic(desk.system, "ration", "Ration", "राशन")
    return desk


@pytest.fixture
def seeded(reference) -> Seeded:
    """A small desk: regions, topics, claims, a fact, rebuttals in review and published."""
    desk = reference
    svc, ids = desk.svc, desk.ids
    fc, ed = ids["fact_checker"], ids["editor"]
    claim = svc.claims.create(fc, NewClaim("Polling in Lucknow moved to Monday, forward to all",
                                           region_code="UP-LKO", topics=("polling",)))
    other = svc.claims.create(fc, NewClaim("राशन कार्ड 30 नवंबर से बंद हो जाएंगे",
                                           region_code="RJ-JP", topics=("ration",)))
    fact = svc.facts.create(ids["researcher"], NewFact(
        "Polling dates are announced only by the Election Commission.", lang="en",
        topic="polling", sources=(Source("https://eci.gov.in/", "ECI", "Election Commission",
                                         "2026-11-01"),)))
    review = svc.rebuttals.create(fc, RebuttalDraft(
        "false", "The poll date has not changed.", "FALSE: the poll date has not changed.",
        title="Poll date unchanged", lang="en", fact_ids=(fact.id,)), claim_ids=[claim.id])
    svc.rebuttals.submit(fc, review.id, expected_version=review.version)
    pub_claim = svc.claims.create(fc, NewClaim("Free gas cylinders for everyone who votes"))
    pub = svc.rebuttals.create(fc, RebuttalDraft(
        "false", "There is no such scheme.", "FALSE: no free cylinders for voting.",
        title="No free cylinders", lang="en"), claim_ids=[pub_claim.id])
    pub = svc.rebuttals.submit(fc, pub.id, expected_version=pub.version)
    pub = svc.rebuttals.approve(ed, pub.id, expected_version=pub.version)
    svc.rebuttals.publish(ed, pub.id, expected_version=pub.version)
    return Seeded(claim=claim.id, other_claim=other.id, fact=fact.id, in_review=review.id,
                  published=pub.id, published_claim=pub_claim.id)
