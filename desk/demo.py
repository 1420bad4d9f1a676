"""Load the demo data (``data/demo``, see ``data/README.md``) through the services.

``load_demo(settings)`` initialises the runtime directory if needed and, when
the desk has no claims yet, loads in one transaction: regions, topics, the
team (each with a generated password, written once to
``$FACTDESK_HOME/demo-credentials.txt``, mode 0600), facts, claims with their
sightings (placed relative to now), and the rebuttals walked through the real
workflow with the right people: the author drafts and submits, a different
editor approves, publishes or retracts; earlier versions are saved first
(and published, when their note says they were).  Claim states that no
rebuttal explains (triaged, research, dismissed, duplicate, answered) are set
the way a fact-checker would.  Then the matching index is built and the open
claims get their match suggestions, so the claim workspace shows candidates at
once (their texts are encoded in one batch first).

Run again on a loaded desk, it loads nothing and says where the credentials
file is.  The WhatsApp exports in ``data/demo/whatsapp`` are left for you to
upload: about forty of their messages re-word claims already on the desk.
"""
from __future__ import annotations

import csv
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from desk.clock import FixedClock, SystemClock, iso
from desk.config import Settings
from desk.domain import (
    OPEN_CLAIM_STATUSES, ClaimStatus, NewClaim, NewSighting, RebuttalStatus, Source,
)
from desk.errors import DeskError, ValidationError
from desk.services import EngineSet, Services, open_services
from desk.services.facts import NewFact
from desk.services.installation import init_runtime, secret_path
from desk.services.rebuttals import RebuttalDraft
from desk.services.users import generate_password

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
CREDENTIALS_FILE = "demo-credentials.txt"
DEMO_SETTING = "demo"
PUBLISH_DEFAULTS = {"publish.base_url": "https://factdesk.example/fact-checks",
                    "publish.organisation": "Fact Desk (demo)"}
#: An earlier version whose note says this went out before it was corrected.
_WAS_PUBLISHED = re.compile(r"published|प्रकाशित", re.IGNORECASE)
_STEP = timedelta(minutes=40)

Progress = Callable[..., None]


@dataclass
class DemoReport:
    loaded: bool
    home: Path
    credentials_path: Path
    credentials: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, password
    counts: dict[str, Any] = field(default_factory=dict)
    index: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    suggested: int = 0          # open claims that got at least one match suggestion
    seconds: float = 0.0
    message: str = ""


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class _Loader:
    """One load: services on a clock the loader moves, and the keys it has seen."""

    def __init__(self, svc: Services, clock: FixedClock, now: datetime, data: Path) -> None:
        self.svc, self.clock, self.now, self.data = svc, clock, now, data
        self.system = svc.system_user_id()
        self.users: dict[str, int] = {}
        self.roles: dict[str, str] = {}
        self.user_regions: dict[str, str] = {}
        self.facts: dict[str, int] = {}
        self.claims: dict[str, int] = {}
        self.claim_rows: dict[str, dict] = {}
        self.rebuttals: dict[str, int] = {}
        self.rebuttal_rows: dict[str, dict] = {}
        self.warnings: list[str] = []

    # -- time ----------------------------------------------------------------------------

    def ago(self, hours: float) -> datetime:
        return self.now - timedelta(hours=float(hours))

    def at(self, when: datetime) -> None:
        self.clock.set(min(when, self.now))

    # -- people --------------------------------------------------------------------------

    def editor_for(self, region_code: str | None) -> int:
        """The editor whose region contains ``region_code`` (else any editor, else admin)."""
        editors = [u for u, r in self.roles.items() if r == "editor"]
        for name in editors:
            home = self.user_regions.get(name) or ""
            if home and region_code and (region_code == home or region_code.startswith(home + "-")):
                return self.users[name]
        if editors:
            return self.users[editors[0]]
        return self.system

    def intake_user(self, row: dict) -> int:
        """Who logged the claim: its fact-checker, else the desk's first fact-checker."""
        if self.roles.get(row.get("assignee") or "") == "fact_checker":
            return self.users[row["assignee"]]
        checkers = [u for u, r in self.roles.items() if r == "fact_checker"]
        return self.users[checkers[0]] if checkers else self.system

    # -- the steps ----------------------------------------------------------------------------

    def regions_and_topics(self) -> None:
        self.svc.regions.import_csv(self.system, (self.data / "regions.csv").read_bytes())
        for row in _csv(self.data / "topics.csv"):
            self.svc.regions.upsert_topic(self.system, row["slug"], row["name_en"],
                                          row.get("name_hi") or None)

    def people(self) -> list[tuple[str, str, str]]:
        created = []
        for row in _csv(self.data / "users.csv"):
            name = row["username"]
            self.roles[name] = row["role"]
            self.user_regions[name] = row.get("region_code") or ""
            existing = [u for u in self.svc.users.list(self.system) if u.username == name]
            if existing:
                self.users[name] = existing[0].id
                self.warnings.append(f"account {name} already existed; its password is unchanged")
                continue
            password = generate_password()
            user = self.svc.users.create(
                self.system, name, role=row["role"], display_name=row.get("display_name") or None,
                email=row.get("email") or None, language=row.get("language") or None,
                region_code=row.get("region_code") or None, password=password)
            self.users[name] = user.id
            created.append((name, row["role"], password))
        return created

    def library(self) -> None:
        researchers = [u for u, r in self.roles.items() if r == "researcher"]
        actor = self.users[researchers[0]] if researchers else self.system
        for n, row in enumerate(_jsonl(self.data / "facts.jsonl")):
            self.at(self.ago(240 - n * 0.5))
            fact = self.svc.facts.create(actor, NewFact(
                statement=row["statement"], lang=row.get("lang"), topic=row.get("topic"),
                valid_until=row.get("valid_until"), status=row.get("status") or "active",
                sources=tuple(Source(url=s["url"], title=s.get("title") or "",
                                     publisher=s.get("publisher") or "", date=s.get("date"))
                              for s in row.get("sources") or ())))
            self.facts[row["key"]] = fact.id

    def intake(self, progress: Progress | None) -> None:
        rows = _jsonl(self.data / "claims.jsonl")
        for n, row in enumerate(rows, 1):
            sightings = row["sightings"]
            first = self.ago(sightings[0]["hours_ago"])
            actor = self.intake_user(row)
            self.at(first)
            due = row.get("due_in_hours")
            claim = self.svc.claims.create(actor, NewClaim(
                text=row["text"], channel=row["channel"], source_url=row.get("source_url"),
                source_group=row.get("source_group"), seen_at=iso(first),
                region_code=row.get("region_code"), topics=tuple(row.get("topics") or ()),
                due_at=iso(self.now + timedelta(hours=due)) if due is not None else None))
            self.claims[row["key"]] = claim.id
            self.claim_rows[row["key"]] = row
            self.at(self.ago(sightings[-1]["hours_ago"]))
            self.svc.sightings.record(actor, [NewSighting(
                claim_id=claim.id, message_key=f"demo-{row['key']}-{i}",
                seen_at=iso(self.ago(s["hours_ago"])), channel=s["channel"],
                source_group=s.get("group"), sender=s.get("sender"),
                region_code=s.get("region_code")) for i, s in enumerate(sightings, 1)])
            if row.get("assignee") in self.users:
                self.at(first + timedelta(minutes=30))
                current = self.svc.claims.get(self.system, claim.id)
                self.svc.claims.assign(self.editor_for(row.get("region_code")), claim.id,
                                       self.users[row["assignee"]],
                                       expected_version=current.version)
            if progress and n % 20 == 0:
                progress("claims", n, len(rows))

    def rebuttals_walk(self, progress: Progress | None) -> None:
        rows = _jsonl(self.data / "rebuttals.jsonl")
        for row in rows:
            self.rebuttal_rows[row["key"]] = row

        def start(row: dict) -> float:
            versions = row.get("versions") or []
            return -max([row["hours_ago"], *(v["hours_ago"] for v in versions)])

        for n, row in enumerate(sorted(rows, key=start), 1):
            self.one_rebuttal(row)
            if progress:
                progress("rebuttals", n, len(rows))

    def _draft(self, row: dict, text: dict) -> RebuttalDraft:
        return RebuttalDraft(
            verdict=text.get("verdict") or row["verdict"], full_text=text["full_text"],
            whatsapp_text=text["whatsapp_text"], lang=row.get("lang"),
            translations=row.get("translations") or {},
            fact_ids=tuple(self.facts[k] for k in row.get("fact_keys") or () if k in self.facts),
            links=tuple(Source(url=link["url"], title=link.get("title") or "")
                        for link in row.get("links") or ()))

    def one_rebuttal(self, row: dict) -> None:
        author = self.users[row["author"]]
        reviewer = self.users.get(row.get("reviewer") or "") or self.editor_for(
            row.get("region_code"))
        keys = row["claim_keys"]
        written_for = [self.claims[k] for k in keys
                       if self.claim_rows[k]["status"] != ClaimStatus.ANSWERED.value]
        final_at = self.ago(row["hours_ago"])
        rid: int | None = None
        note = ""
        for version in row.get("versions") or []:
            self.at(self.ago(version["hours_ago"]))
            vauthor = self.users.get(version.get("author") or "", author)
            rid = self._save(rid, row, version, vauthor, written_for, note)
            if _WAS_PUBLISHED.search(version.get("note") or ""):
                self._walk(rid, RebuttalStatus.PUBLISHED, vauthor, reviewer,
                           self.ago(version["hours_ago"]) + 3 * _STEP)
            note = version.get("note") or ""
        target = RebuttalStatus(row["status"])
        steps = {RebuttalStatus.DRAFT: 0, RebuttalStatus.IN_REVIEW: 1, RebuttalStatus.APPROVED: 2,
                 RebuttalStatus.PUBLISHED: 3, RebuttalStatus.RETRACTED: 4}[target]
        self.at(final_at - _STEP * (steps + 1 if steps else 0))
        rid = self._save(rid, row, row, author, written_for, note)
        self.rebuttals[row["key"]] = rid
        self._walk(rid, target, author, reviewer, final_at)
        if target == RebuttalStatus.RETRACTED:
            self._after_retraction(rid, reviewer, final_at)

    def _save(self, rid: int | None, row: dict, text: dict, author: int,
              claim_ids: list[int], note: str) -> int:
        draft = self._draft(row, text)
        if rid is None:
            return self.svc.rebuttals.create(author, draft, claim_ids=claim_ids,
                                             topics=row.get("topics") or None,
                                             region_code=row.get("region_code")).id
        current = self.svc.rebuttals.get(author, rid)
        return self.svc.rebuttals.save_version(author, rid, draft,
                                               expected_version=current.version,
                                               change_note=note).id

    def _walk(self, rid: int, target: RebuttalStatus, author: int, reviewer: int,
              final_at: datetime) -> None:
        """Submit, approve, publish, retract as far as ``target``; the last step at ``final_at``."""
        svc = self.svc
        plan: list[tuple[Callable[..., Any], int, dict]] = []
        if target != RebuttalStatus.DRAFT:
            plan.append((svc.rebuttals.submit, author, {}))
        if target in (RebuttalStatus.APPROVED, RebuttalStatus.PUBLISHED, RebuttalStatus.RETRACTED):
            plan.append((svc.rebuttals.approve, reviewer, {}))
        if target in (RebuttalStatus.PUBLISHED, RebuttalStatus.RETRACTED):
            plan.append((svc.rebuttals.publish, reviewer, {}))
        if target == RebuttalStatus.RETRACTED:
            plan.append((svc.rebuttals.retract, reviewer,
                         {"reason": "Based on an outdated polling-station list; see the "
                                    "corrected rebuttal."}))
        for n, (step, actor, extra) in enumerate(plan):
            self.at(final_at - _STEP * (len(plan) - 1 - n))
            current = svc.rebuttals.get(actor, rid)
            step(actor, rid, expected_version=current.version, **extra)

    def _after_retraction(self, rid: int, reviewer: int, when: datetime) -> None:
        """Claims left without a live rebuttal go back to research."""
        for claim_id in self.svc.rebuttals.get(reviewer, rid).claim_ids:
            live = [r for r in self.svc.rebuttals.for_claim(reviewer, claim_id)
                    if r.id != rid and r.live_version_no is not None]
            claim = self.svc.claims.get(reviewer, claim_id)
            if not live and claim.status in (ClaimStatus.APPROVED, ClaimStatus.PUBLISHED):
                self.at(when + timedelta(minutes=5))
                self.svc.claims.transition(reviewer, claim_id, ClaimStatus.IN_RESEARCH,
                                           expected_version=claim.version)

    def settle_claims(self) -> None:
        """Give every claim the status the data says, the way a person would."""
        svc = self.svc
        for key, row in self.claim_rows.items():
            cid = self.claims[key]
            claim = svc.claims.get(self.system, cid)
            want = ClaimStatus(row["status"])
            if claim.status == want:
                continue
            editor = self.editor_for(row.get("region_code"))
            when = self.ago(row["sightings"][-1]["hours_ago"]) + timedelta(minutes=15)
            self.at(when)
            if want in (ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH):
                actor = self.users.get(row.get("assignee") or "", editor)
                svc.claims.transition(actor, cid, want, expected_version=claim.version)
            elif want == ClaimStatus.DISMISSED:
                svc.claims.dismiss(editor, cid, row["dismiss_reason"],
                                   expected_version=claim.version)
            elif want == ClaimStatus.DUPLICATE:
                svc.claims.mark_duplicate(editor, cid, self.claims[row["duplicate_of"]],
                                          expected_version=claim.version)
            elif want == ClaimStatus.ANSWERED:
                rid, live_at = self._answering(key)
                if rid is None:
                    self.warnings.append(f"{key}: no approved or published rebuttal answers it")
                    continue
                self.at(max(when, live_at + timedelta(minutes=10)))
                svc.claims.mark_answered(editor, cid, rid, expected_version=claim.version)
            else:
                self.warnings.append(f"{key} is {claim.status.value}, the data says {want.value}")

    def _answering(self, claim_key: str) -> tuple[int | None, datetime]:
        best: tuple[int, int, datetime] | None = None
        rank = {"published": 2, "approved": 1}
        for key, row in self.rebuttal_rows.items():
            if claim_key in row["claim_keys"] and row["status"] in rank:
                cand = (rank[row["status"]], self.rebuttals[key], self.ago(row["hours_ago"]))
                if best is None or cand[0] > best[0]:
                    best = cand
        return (best[1], best[2]) if best else (None, self.now)

    def finish(self, manifest: dict) -> None:
        svc = self.svc
        self.at(self.now)
        svc.claims.refresh_priorities(self.system)
        marker = {k: manifest.get(k) for k in ("title", "written_as_of", "disclaimer")}
        current = svc.settings.get(self.system, DEMO_SETTING)
        svc.settings.set(self.system, DEMO_SETTING, {"demo": True, **marker},
                         expected_version=current[1])
        for key, value in PUBLISH_DEFAULTS.items():
            if svc.settings.get(self.system, key)[1] == 0:
                svc.settings.set(self.system, key, value, expected_version=0)


def _write_credentials(path: Path, rows: list[tuple[str, str, str]], *, title: str) -> None:
    """Owner-only file (0600) holding the generated passwords, replaced atomically."""
    lines = [f"# {title}: demo accounts (generated passwords; keep this file private)",
             "# username\trole\tpassword"]
    lines += [f"{u}\t{r}\t{p}" for u, r, p in rows]
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _suggest_for_open_claims(settings: Settings, clock: FixedClock, engines: EngineSet,
                             claim_ids: list[int], progress: Progress | None) -> int:
    """Record match suggestions for the open claims; return how many got any."""
    svc = open_services(settings, clock=clock, engines=engines)
    try:
        system = svc.system_user_id()
        open_claims = [c for c in svc.claims.get_many(system, claim_ids)
                       if c.status in OPEN_CLAIM_STATUSES]
        suggested = 0
        with engines.memo():
            # One batched encode of every open claim's text fills the memo, so the
            # per-claim matches below do not reach the model one text at a time.
            engines.claims.match_many([c.text for c in open_claims], k=1)
            for n, claim in enumerate(open_claims, 1):
                suggested += bool(svc.matching.suggest_for_claim(system, claim.id))
                if progress and (n % 10 == 0 or n == len(open_claims)):
                    progress("match", n, len(open_claims))
        return suggested
    finally:
        svc.close()


def load_demo(settings: Settings, *, data_dir: Path | None = None,
              engines: EngineSet | None = None, now: datetime | None = None,
              progress: Progress | None = None) -> DemoReport:
    """Load the demo data into an empty desk and build the index (see module docstring).

    ``engines`` defaults to ``EngineSet.create(settings)``; ``now`` to the wall clock.
    """
    started = time.perf_counter()
    data = Path(data_dir) if data_dir is not None else DEMO_DIR
    manifest_path = data / "manifest.json"
    if not manifest_path.is_file():
        raise ValidationError(f"no demo data at {data} (manifest.json is missing)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not manifest.get("demo"):
        raise ValidationError(f"{manifest_path} does not mark demo data (\"demo\": true)")
    if not secret_path(settings).exists():
        init_runtime(settings)
    credentials = settings.home / CREDENTIALS_FILE
    now = (now or SystemClock().now()).replace(microsecond=0)
    clock = FixedClock(now)
    svc = open_services(settings, clock=clock)
    try:
        stats = svc.admin.stats(svc.system_user_id())
        if sum(stats["claims"].values()):
            where = (f"demo accounts are in {credentials}" if credentials.exists()
                     else "no demo credentials file here (the desk was not loaded by desk demo)")
            return DemoReport(loaded=False, home=settings.home, credentials_path=credentials,
                              counts=stats, seconds=time.perf_counter() - started,
                              message=f"the desk already has claims; nothing loaded ({where})")
        if sum(stats["rebuttals"].values()) or sum(stats["facts"].values()):
            raise DeskError("the desk has facts or rebuttals but no claims; the demo data "
                            "loads only into an empty desk (use a new FACTDESK_HOME)")
        loader = _Loader(svc, clock, now, data)
        with svc.store.write():
            if progress:
                progress("setup", 0, 1)
            loader.regions_and_topics()
            created = loader.people()
            loader.library()
            loader.intake(progress)
            loader.rebuttals_walk(progress)
            loader.settle_claims()
            loader.finish(manifest)
        if created:
            _write_credentials(credentials, created, title=manifest.get("title") or "Fact Desk")
        engines = engines or EngineSet.create(settings)
        index = engines.reindex(svc.store, progress=progress)
        suggested = _suggest_for_open_claims(settings, clock, engines,
                                             list(loader.claims.values()), progress)
        counts = svc.admin.stats(svc.system_user_id())
    finally:
        svc.close()
    return DemoReport(loaded=True, home=settings.home, credentials_path=credentials,
                      credentials=created, counts=counts, index=index, warnings=loader.warnings,
                      suggested=suggested,
                      seconds=time.perf_counter() - started,
                      message=f"demo data loaded; passwords written to {credentials}")


__all__ = ["CREDENTIALS_FILE", "DEMO_DIR", "DemoReport", "load_demo"]
