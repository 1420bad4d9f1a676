"""Claims: creation, the triage queue, workflow transitions, assignment, priority.

The claim workflow is the table ``desk.domain.CLAIM_TRANSITIONS``.  People move
claims through triage and research with :meth:`ClaimService.transition`;
dismissing, marking a duplicate or answered, and reopening have their own
methods because they carry a reason or a link.  ``approved`` and ``published``
are reached only through the claim's rebuttal (``RebuttalService``), never by
hand, so four eyes cannot be bypassed.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any, Callable, Protocol, Sequence

from desk.clock import Clock, iso, parse_iso
from desk.domain import (
    CLAIM_TRANSITIONS, CLAIMS_FOLLOW_REBUTTAL, OPEN_CLAIM_STATUSES, Channel, Claim, ClaimStatus, DismissReason,
    NewClaim, QueueFilter, QueuePage, RebuttalStatus, Sighting, User, Verdict,
)
from desk.errors import InvalidTransition, NotFound, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.services.priority import priority
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import library as library_repo
from desk.store import regions as regions_repo
from desk.store import settings as settings_repo
from desk.store import users as users_repo
from desk.store.common import load_for_update, update_versioned
from desk.store.index_source import sync_claim

MANUAL_TARGETS = frozenset({ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH, ClaimStatus.IN_REVIEW})
MAX_PAGE_SIZE = 500
_UNSET: Any = object()


class NormalizedText(Protocol):
    key: str
    lang: str
    script: str


Normalizer = Callable[[str], NormalizedText]


def default_normalizer() -> Normalizer:
    """``index.normalize.normalize``: the same key the matching engine uses."""
    from index.normalize import normalize

    return normalize


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("status", "dismiss_reason", "duplicate_of", "answered_by", "assignee_id", "due_at",
            "verdict", "region_id", "source_url", "source_group", "version")
    return {k: row[k] for k in keep if k in row}


#: Open claims age (:meth:`ClaimService.age_if_due`) once the last refresh of their
#: priority is older than this; its time is the setting ``AGED_AT``, shared by every process.
AGEING_EVERY = timedelta(minutes=5)
AGED_AT = "priority.aged_at"
#: Claims re-scored per write transaction while ageing: 100,000 open claims take seconds,
#: and the write lock must not be held that long.
AGEING_CHUNK = 2_000


class ClaimService(Service):
    """Claims and the triage queue (``claim.*`` actions)."""

    def __init__(self, store: Store, clock: Clock | None = None, *,
                 normalizer: Normalizer | None = None,
                 max_text_chars: int = validate.MAX_TEXT_CHARS,
                 ageing_every: timedelta = AGEING_EVERY) -> None:
        super().__init__(store, clock)
        self.normalizer = normalizer or default_normalizer()
        self.max_text_chars = max_text_chars
        self.ageing_every = ageing_every

    # -- creating ------------------------------------------------------------------

    def create(self, actor_id: int, new: NewClaim) -> Claim:
        """Store one claim (status ``new``) and its index item."""
        ids = self._create(actor_id, [new], action="claim.create")
        claim = claims_repo.get(self.store, ids[0])
        assert claim is not None
        return claim

    def create_many(self, actor_id: int, items: Sequence[NewClaim]) -> list[int]:
        """Store many claims in one transaction (all or nothing); bulk intake."""
        return self._create(actor_id, list(items), action="claim.import")

    def _create(self, actor_id: int, items: list[NewClaim], *, action: str) -> list[int]:
        actor = self.require(actor_id, action, entity="claim")
        now = self.now()
        prepared = [self._prepare(item, now, n) for n, item in enumerate(items, 1)]
        ids: list[int] = []
        with self.store.write():
            region_ids = self._region_ids({p["region_code"] for p in prepared if p["region_code"]})
            topic_ids = regions_repo.topic_ids_for_slugs(
                self.store, sorted({t for p in prepared for t in p["topics"]}))
            for n, p in enumerate(prepared, 1):
                missing = [t for t in p["topics"] if t not in topic_ids]
                if missing:
                    raise ValidationError(f"claim {n}: unknown topic {missing[0]!r}")
                cid = claims_repo.insert(
                    self.store, text=p["text"], match_key=p["key"], lang=p["lang"],
                    script=p["script"], channel=p["channel"], source_url=p["source_url"],
                    source_group=p["source_group"], seen_at=p["seen_at"],
                    region_id=region_ids.get(p["region_code"]) if p["region_code"] else None,
                    topic_ids=[topic_ids[t] for t in p["topics"]], at=now, actor_id=actor.id,
                    due_at=p["due_at"])
                ids.append(cid)
            self._reprioritise(ids)
            if len(ids) == 1:
                self.audit(actor, action, entity="claim", entity_id=ids[0],
                           after={"text": prepared[0]["text"][:500], "channel": prepared[0]["channel"].value})
            elif ids:
                self.audit(actor, action, entity="claim",
                           detail={"count": len(ids), "first_id": ids[0], "last_id": ids[-1]})
        return ids

    def _prepare(self, item: NewClaim, now: str, n: int) -> dict[str, Any]:
        label = "claim text" if n == 1 else f"claim {n}: text"
        text = validate.required_text(item.text, label, max_chars=self.max_text_chars)
        norm = self.normalizer(text)
        return {
            "text": text, "key": norm.key or text.casefold(), "lang": norm.lang,
            "script": norm.script,
            "channel": validate.choice(Channel, item.channel, "channel"),
            "source_url": validate.url(item.source_url, "source URL"),
            "source_group": validate.text(item.source_group, "source group",
                                          max_chars=validate.MAX_SHORT_CHARS, required=False),
            "seen_at": validate.timestamp(item.seen_at, "seen at") or now,
            "region_code": (item.region_code or "").strip() or None,
            "topics": tuple(dict.fromkeys(t.strip().lower() for t in item.topics if t.strip())),
            "due_at": validate.timestamp(item.due_at, "due date"),
        }

    def _region_ids(self, codes: set[str]) -> dict[str, int]:
        out = {}
        for code in codes:
            region = regions_repo.by_code(self.store, code)
            if region is None:
                raise ValidationError(f"unknown region code {code[:40]!r}")
            out[code] = region.id
        return out

    # -- reading ----------------------------------------------------------------------

    def normalize(self, text: str) -> NormalizedText:
        """The matching key, language and script the store would record for ``text``."""
        return self.normalizer(text)

    def get(self, actor_id: int, claim_id: int) -> Claim:
        self.require(actor_id, "claim.view", entity="claim", entity_id=claim_id)
        claim = claims_repo.get(self.store, claim_id)
        if claim is None:
            raise NotFound(f"claim {claim_id} does not exist")
        return claim

    def get_many(self, actor_id: int, claim_ids: Sequence[int]) -> list[Claim]:
        """Claims in the order asked (unknown ids are skipped)."""
        self.require(actor_id, "claim.view", entity="claim")
        return claims_repo.get_many(self.store, list(claim_ids))

    def ids_by_match_key(self, actor_id: int, keys: Sequence[str]) -> dict[str, list[int]]:
        """Existing claim ids per exact matching key (intake deduplication)."""
        self.require(actor_id, "claim.view", entity="claim")
        return claims_repo.ids_by_match_key(self.store, keys)

    def sightings(self, actor_id: int, claim_id: int, *, limit: int = 500) -> list[Sighting]:
        self.require(actor_id, "claim.view", entity="claim", entity_id=claim_id)
        return claims_repo.sightings_for(self.store, claim_id, limit=limit)

    def queue(self, actor_id: int, filters: QueueFilter | None = None, *, page: int = 1,
              page_size: int = 50) -> QueuePage:
        """Claims sorted by priority (highest first), one page, with counts.

        ``status_counts`` counts every status under the other filters (for tabs);
        ``total`` counts the rows matching all filters.
        """
        self.require(actor_id, "claim.view", entity="claim")
        f = filters or QueueFilter()
        if not isinstance(page, int) or page < 1:
            raise ValidationError("page must be 1 or more")
        if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page size must be between 1 and {MAX_PAGE_SIZE}")
        text = validate.text(f.text, "search text", max_chars=200, required=False)
        key_text = None
        if text:
            key_text = (self.normalizer(text).key or "").strip() or None
        f = QueueFilter(**{**asdict(f), "text": text,
                           "statuses": tuple(validate.choice(ClaimStatus, s, "status")
                                             for s in f.statuses)})
        rows, total, counts = claims_repo.queue(self.store, f, page=page, page_size=page_size,
                                                key_text=key_text)
        return QueuePage(rows=tuple(rows), total=total, page=page, page_size=page_size,
                         status_counts=counts)

    # -- editing ------------------------------------------------------------------------

    def update(self, actor_id: int, claim_id: int, *, expected_version: int,
               region_code: str | None = _UNSET, topics: Sequence[str] = _UNSET,
               due_at: str | None = _UNSET, verdict: Verdict | str | None = _UNSET,
               source_url: str | None = _UNSET, source_group: str | None = _UNSET) -> Claim:
        """Edit claim details; only the arguments given change.  A stale
        ``expected_version`` raises ``Conflict`` naming who changed the claim."""
        actor = self.require(actor_id, "claim.edit", entity="claim", entity_id=claim_id)
        validate.expected_version(expected_version)
        changes: dict[str, Any] = {}
        if source_url is not _UNSET:
            changes["source_url"] = validate.url(source_url, "source URL")
        if source_group is not _UNSET:
            changes["source_group"] = validate.text(source_group, "source group",
                                                    max_chars=validate.MAX_SHORT_CHARS,
                                                    required=False)
        if due_at is not _UNSET:
            changes["due_at"] = validate.timestamp(due_at, "due date")
        if verdict is not _UNSET:
            changes["verdict"] = None if verdict is None else validate.choice(
                Verdict, verdict, "verdict").value
        with self.store.write():
            row = load_for_update(self.store, "claims", claim_id, expected_version, noun="claim")
            if region_code is not _UNSET:
                changes["region_id"] = (
                    self._region_ids({region_code.strip()})[region_code.strip()]
                    if region_code and region_code.strip() else None)
            before = _snapshot(row)
            after = update_versioned(self.store, "claims", row, changes, actor_id=actor.id,
                                     at=self.now())
            topic_change = None
            if topics is not _UNSET:
                slugs = sorted({t.strip().lower() for t in topics if t.strip()})
                ids = regions_repo.topic_ids_for_slugs(self.store, slugs)
                unknown = [s for s in slugs if s not in ids]
                if unknown:
                    raise ValidationError(f"unknown topic {unknown[0]!r}")
                old = claims_repo.get(self.store, claim_id)
                claims_repo.set_topics(self.store, claim_id, [ids[s] for s in slugs])
                topic_change = {"before": list(old.topics) if old else [], "after": slugs}
            if "due_at" in changes:
                self._reprioritise([claim_id])
            self.audit(actor, "claim.edit", entity="claim", entity_id=claim_id, before=before,
                       after=_snapshot(after), detail={"topics": topic_change} if topic_change else None)
        return self._reload(claim_id)

    def transition(self, actor_id: int, claim_id: int, status: ClaimStatus | str, *,
                   expected_version: int) -> Claim:
        """Move a claim to ``triaged``, ``in_research`` or ``in_review``."""
        actor = self.require(actor_id, "claim.triage", entity="claim", entity_id=claim_id)
        target = validate.choice(ClaimStatus, status, "status")
        validate.expected_version(expected_version)
        if target not in MANUAL_TARGETS:
            raise InvalidTransition(
                f"a claim cannot be moved to {target.value} directly; "
                + _HOW_TO.get(target, "use the rebuttal workflow"),
                code="transition.claim_direct", params={"id": claim_id, "target": target.value})
        return self._move(actor, claim_id, target, expected_version, action="claim.transition")

    def dismiss(self, actor_id: int, claim_id: int, reason: DismissReason | str, *,
                expected_version: int) -> Claim:
        """Dismiss as not check-worthy, spam or opinion (the claim leaves the index)."""
        actor = self.require(actor_id, "claim.dismiss", entity="claim", entity_id=claim_id)
        why = validate.choice(DismissReason, reason, "dismiss reason")
        validate.expected_version(expected_version)
        return self._move(actor, claim_id, ClaimStatus.DISMISSED, expected_version,
                          fields={"dismiss_reason": why.value}, action="claim.dismiss")

    def mark_duplicate(self, actor_id: int, claim_id: int, canonical_id: int, *,
                       expected_version: int) -> Claim:
        """Fold a claim into a canonical one; its sightings count for the canonical."""
        actor = self.require(actor_id, "claim.dismiss", entity="claim", entity_id=claim_id)
        validate.expected_version(expected_version)
        with self.store.write():
            canonical = claims_repo.get(self.store, canonical_id)
            if canonical is None:
                raise NotFound(f"claim {canonical_id} does not exist")
            root = canonical.duplicate_of or canonical.id
            if root == claim_id:
                raise ValidationError("a claim cannot be a duplicate of itself")
            claim = self._move(actor, claim_id, ClaimStatus.DUPLICATE, expected_version,
                               fields={"duplicate_of": root}, action="claim.mark_duplicate")
            moved = claims_repo.repoint_duplicates(self.store, claim_id, root)
            self._reprioritise([root])
            if moved:
                self.audit(actor, "claim.repoint_duplicates", entity="claim", entity_id=root,
                           detail={"claims": moved, "from": claim_id})
        return self._reload(claim.id)

    def mark_answered(self, actor_id: int, claim_id: int, rebuttal_id: int, *,
                      expected_version: int) -> Claim:
        """Resolve a claim with an existing approved or published rebuttal."""
        actor = self.require(actor_id, "claim.dismiss", entity="claim", entity_id=claim_id)
        validate.expected_version(expected_version)
        with self.store.write():
            rebuttal = library_repo.get_rebuttal(self.store, rebuttal_id)
            if rebuttal is None:
                raise NotFound(f"rebuttal {rebuttal_id} does not exist")
            if rebuttal.live_version_no is None:
                raise ValidationError(
                    f"rebuttal {rebuttal_id} is {rebuttal.status.value}; only an approved or "
                    "published rebuttal can answer a claim")
            live = library_repo.get_version(self.store, rebuttal_id, rebuttal.live_version_no)
            assert live is not None
            # The claim carries the verdict of the version handed out, so filters and
            # exports by verdict find it.
            claim = self._move(actor, claim_id, ClaimStatus.ANSWERED, expected_version,
                               fields={"answered_by": rebuttal_id, "verdict": live.verdict.value},
                               action="claim.mark_answered")
            library_repo.link_claims(self.store, rebuttal_id, [claim_id])
        return claim

    def reopen(self, actor_id: int, claim_id: int, *, expected_version: int) -> Claim:
        """Back to ``new`` from dismissed, duplicate or answered."""
        actor = self.require(actor_id, "claim.dismiss", entity="claim", entity_id=claim_id)
        validate.expected_version(expected_version)
        return self._move(actor, claim_id, ClaimStatus.NEW, expected_version,
                          fields={"dismiss_reason": None, "duplicate_of": None,
                                  "answered_by": None},
                          action="claim.reopen")

    def assign(self, actor_id: int, claim_id: int, assignee_id: int | None, *,
               expected_version: int) -> Claim:
        """Assign a claim (``None`` unassigns).  Editors and admins assign anyone;
        others may only take a claim for themselves (``claim.take``)."""
        action = "claim.take" if assignee_id == actor_id else "claim.assign"
        actor = self.require(actor_id, action, entity="claim", entity_id=claim_id)
        validate.expected_version(expected_version)
        with self.store.write():
            if assignee_id is not None:
                assignee = users_repo.get(self.store, assignee_id)
                if assignee is None or not assignee.active or assignee.is_system:
                    raise ValidationError(f"user {assignee_id} cannot be assigned claims")
            row = load_for_update(self.store, "claims", claim_id, expected_version, noun="claim")
            after = update_versioned(self.store, "claims", row, {"assignee_id": assignee_id},
                                     actor_id=actor.id, at=self.now())
            self.audit(actor, action, entity="claim", entity_id=claim_id,
                       before={"assignee_id": row["assignee_id"]},
                       after={"assignee_id": after["assignee_id"]})
        return self._reload(claim_id)

    # -- priority ----------------------------------------------------------------------------

    def refresh_priorities(self, actor_id: int) -> int:
        """Recompute virality and priority of every open claim (ageing); returns
        how many changed.  Cheap enough to run every few minutes."""
        actor = self.require(actor_id, "claim.triage", entity="claim")
        with self.store.write():
            ids, changed = self._age_open_claims()
            self.audit(actor, "claim.refresh_priorities", entity="claim",
                       detail={"claims": len(ids), "changed": changed})
        return changed

    def ageing_due(self) -> bool:
        """Whether the open claims' priority was last refreshed more than
        ``ageing_every`` ago (one small read; the triage page asks on every run)."""
        return self._ageing_due()

    def age_if_due(self, *, chunk: int = AGEING_CHUNK) -> int | None:
        """Age the open claims' priority when the last refresh (by any process) is
        older than ``ageing_every``; returns how many changed, or ``None`` if not due.

        The stamp is checked again and moved in a ``BEGIN IMMEDIATE`` transaction, so of
        several processes only one ages; the claims are then re-scored ``chunk`` at a
        time, each chunk its own short transaction.  Skipped inside the caller's
        transaction.  Derived columns only: no version bump, no audit row.
        """
        if self.store.in_transaction or not self._ageing_due():
            return None
        with self.store.write():
            if not self._ageing_due():
                return None
            settings_repo.put(self.store, AGED_AT, self.now(), expected_version=None,
                              actor_id=None, at=self.now())
            ids = self._open_ids()
        changed = 0
        for start in range(0, len(ids), max(1, chunk)):
            with self.store.write():
                changed += self._reprioritise(ids[start:start + chunk])
        return changed

    def _open_ids(self) -> list[int]:
        return [r["id"] for r in claims_repo.claims_for_refresh(
            self.store, [s.value for s in OPEN_CLAIM_STATUSES])]

    def _ageing_due(self) -> bool:
        stored = settings_repo.get(self.store, AGED_AT)
        if stored is None:
            return True
        try:
            last = parse_iso(str(stored[0]))
        except ValueError:
            return True
        age = self.clock.now() - last
        # A refresh stamped in the future (a clock set back) must not stop ageing.
        return age >= self.ageing_every or age < -self.ageing_every

    def _age_open_claims(self) -> tuple[list[int], int]:
        ids = self._open_ids()
        changed = self._reprioritise(ids)
        settings_repo.put(self.store, AGED_AT, self.now(), expected_version=None,
                          actor_id=None, at=self.now())
        return ids, changed

    def _reprioritise(self, claim_ids: Sequence[int]) -> int:
        return reprioritise(self.store, self.clock, claim_ids)

    # -- internals ----------------------------------------------------------------------------

    def _move(self, actor: User, claim_id: int, target: ClaimStatus, expected_version: int,
              *, fields: dict[str, Any] | None = None, action: str) -> Claim:
        with self.store.write():
            row = load_for_update(self.store, "claims", claim_id, expected_version, noun="claim")
            move_claim(self, actor, row, target, fields or {}, action=action)
        return self._reload(claim_id)

    def _reload(self, claim_id: int) -> Claim:
        claim = claims_repo.get(self.store, claim_id)
        assert claim is not None
        return claim


_HOW_TO = {
    ClaimStatus.NEW: "use reopen",
    ClaimStatus.DISMISSED: "use dismiss with a reason",
    ClaimStatus.DUPLICATE: "use mark_duplicate",
    ClaimStatus.ANSWERED: "use mark_answered with an approved rebuttal",
    ClaimStatus.APPROVED: "approve its rebuttal",
    ClaimStatus.PUBLISHED: "publish its rebuttal",
}


def move_claim(service: Service, actor: User | None, row: dict[str, Any], target: ClaimStatus,
               fields: dict[str, Any], *, action: str, check_table: bool = True) -> dict[str, Any]:
    """Apply one claim status change (inside ``store.write()``): checks the
    transition table, bumps the version, syncs the index item, audits."""
    current = ClaimStatus(row["status"])
    if check_table and target not in CLAIM_TRANSITIONS[current]:
        raise InvalidTransition(
            f"claim {row['id']} is {current.value}; it cannot become {target.value}",
            code="transition.claim",
            params={"id": row["id"], "current": current.value, "target": target.value})
    changes = {"status": target.value, **fields}
    for col, clear_unless in (("dismiss_reason", ClaimStatus.DISMISSED),
                              ("duplicate_of", ClaimStatus.DUPLICATE),
                              ("answered_by", ClaimStatus.ANSWERED)):
        if target != clear_unless:
            changes[col] = None
    after = update_versioned(service.store, "claims", row, changes,
                             actor_id=actor.id if actor else None, at=service.now())
    sync_claim(service.store, row["id"])
    service.audit(actor, action, entity="claim", entity_id=row["id"], before=_snapshot(row),
                  after=_snapshot(after))
    return after


def follow_rebuttal(service: Service, actor: User, rebuttal_id: int,
                    rebuttal_status: RebuttalStatus) -> list[int]:
    """Move the claims of a rebuttal along with it (``CLAIMS_FOLLOW_REBUTTAL``).

    This table, not ``CLAIM_TRANSITIONS``, governs these moves: a claim that
    was never triaged still goes to review when a rebuttal for it does.

    On approval and publication the claims also take the rebuttal's verdict: those
    that move, and those already answered by it (a corrected version published
    again), each change audited.
    """
    rule = CLAIMS_FOLLOW_REBUTTAL.get(rebuttal_status)
    if rule is None:
        return []
    sources, target = rule
    verdict = None
    if rebuttal_status in (RebuttalStatus.APPROVED, RebuttalStatus.PUBLISHED):
        rebuttal = library_repo.get_rebuttal(service.store, rebuttal_id)
        assert rebuttal is not None
        verdict = rebuttal.verdict.value
    moved = []
    for claim_id in claims_repo.claims_linked_to_rebuttal(service.store, rebuttal_id):
        row = load_for_update(service.store, "claims", claim_id, None, noun="claim")
        status = ClaimStatus(row["status"])
        if status in sources:
            move_claim(service, actor, row, target, {"verdict": verdict} if verdict else {},
                       action="claim.follow_rebuttal", check_table=False)
            moved.append(claim_id)
        elif verdict and row["verdict"] != verdict and (
                status == target
                or (status == ClaimStatus.ANSWERED and row["answered_by"] == rebuttal_id)):
            after = update_versioned(service.store, "claims", row, {"verdict": verdict},
                                     actor_id=actor.id, at=service.now())
            service.audit(actor, "claim.follow_rebuttal", entity="claim", entity_id=claim_id,
                          before=_snapshot(row), after=_snapshot(after),
                          detail={"rebuttal_id": rebuttal_id})
    return moved


def reprioritise(store: Store, clock: Clock, claim_ids: Sequence[int]) -> int:
    """Recompute virality figures and priority of claims (inside ``store.write()``).

    Returns how many claims changed.  Derived columns do not bump ``version``.
    """
    now_dt = clock.now()
    stats = claims_repo.virality(store, claim_ids, since_24h=iso(now_dt - timedelta(hours=24)))
    changed = 0
    for row in claims_repo.refresh_rows(store, claim_ids):
        v = stats[row["id"]]
        fields = {
            "sighting_count": v.sightings, "group_count": v.groups,
            "region_count": v.regions, "sightings_24h": v.last_24h,
            "priority": priority(v, now=now_dt, due_at=row["due_at"],
                                 last_seen_at=v.last_seen_at or row["last_seen_at"]),
        }
        if v.first_seen_at and v.first_seen_at < row["first_seen_at"]:
            fields["first_seen_at"] = v.first_seen_at
        if v.last_seen_at and v.last_seen_at > row["last_seen_at"]:
            fields["last_seen_at"] = v.last_seen_at
        if {k: row[k] for k in fields} != fields:
            claims_repo.set_system_fields(store, row["id"], fields)
            changed += 1
    return changed
