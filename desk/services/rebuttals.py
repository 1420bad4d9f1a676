"""Rebuttals: versioned drafts, review with four eyes, publication, corrections.

* Every save makes a new immutable version (``rebuttal_versions``); the
  rebuttal row holds the workflow state and an optimistic-concurrency
  ``version`` that every change takes as ``expected_version``.
* States follow ``desk.domain.REBUTTAL_TRANSITIONS``: draft -> in_review ->
  approved -> published -> retracted.  Saving an approved rebuttal withdraws
  the approval (back to draft); saving a published one starts a correction: a
  new draft version while the published version stays live.  Publishing the
  correction flags it to everyone who pulled the old version
  (``PullService.corrections``).
* Four eyes: only editors and admins approve, never a rebuttal they created
  nor a version they wrote.
* Linked claims follow the rebuttal (``CLAIMS_FOLLOW_REBUTTAL``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from desk.domain import (
    EDITABLE_REBUTTAL_STATUSES, REBUTTAL_TRANSITIONS, Rebuttal, RebuttalStatus,
    RebuttalVersion, Source, User, Verdict,
)
from desk.errors import InvalidTransition, NotFound, ValidationError
from desk.permissions import allowed
from desk.services import validate
from desk.services.base import Service
from desk.services.claims import follow_rebuttal
from desk.services.facts import clean_sources
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import library as library_repo
from desk.store import regions as regions_repo
from desk.store.common import load_for_update, update_versioned
from desk.store.index_source import sync_rebuttal

MAX_WHATSAPP_CHARS = 4_000
LIVE_STATUSES = (RebuttalStatus.APPROVED, RebuttalStatus.PUBLISHED)


@dataclass(frozen=True)
class RebuttalDraft:
    """The content of one rebuttal version."""

    verdict: Verdict | str
    full_text: str
    whatsapp_text: str
    title: str = ""
    lang: str | None = None
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    fact_ids: tuple[int, ...] = ()
    links: tuple[Source, ...] = ()


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("status", "verdict", "current_version_no", "published_version_no", "reviewer_id",
            "version")
    return {k: row[k] for k in keep}


class RebuttalService(Service):
    """Draft, review, approve, publish and retract rebuttals (``rebuttal.*``)."""

    # -- writing ---------------------------------------------------------------------

    def create(self, actor_id: int, draft: RebuttalDraft, *, claim_ids: Sequence[int] = (),
               topics: Sequence[str] | None = None, region_code: str | None = None) -> Rebuttal:
        """Start a rebuttal (version 1, status draft) answering ``claim_ids``.

        ``topics`` defaults to the topics of the claims.
        """
        actor = self.require(actor_id, "rebuttal.draft", entity="rebuttal")
        content = self._clean(draft)
        with self.store.write():
            region_id = self._region_id(region_code)
            self._check_claims(claim_ids)
            self._check_facts(content["fact_ids"])
            at = self.now()
            rid = library_repo.insert_rebuttal(self.store, verdict=content["verdict"],
                                               lang=content["lang"], region_id=region_id,
                                               author_id=actor.id, at=at)
            library_repo.insert_version(self.store, rebuttal_id=rid, version_no=1,
                                        author_id=actor.id, change_note="", at=at, **content)
            library_repo.link_claims(self.store, rid, list(claim_ids))
            library_repo.set_topics(self.store, rid, self._topic_ids(topics, claim_ids))
            self.audit(actor, "rebuttal.create", entity="rebuttal", entity_id=rid,
                       after={"verdict": content["verdict"].value, "claims": list(claim_ids),
                              "full_text": content["full_text"][:500]})
        return self._load(rid)

    def save_version(self, actor_id: int, rebuttal_id: int, draft: RebuttalDraft, *,
                     expected_version: int, change_note: str = "") -> Rebuttal:
        """Save edited content as a new version (see module docstring for states)."""
        actor = self.require(actor_id, "rebuttal.draft", entity="rebuttal", entity_id=rebuttal_id)
        validate.expected_version(expected_version)
        content = self._clean(draft)
        note = validate.text(change_note, "change note", max_chars=1000, required=False) or ""
        with self.store.write():
            row = load_for_update(self.store, "rebuttals", rebuttal_id, expected_version,
                                  noun="rebuttal")
            status = RebuttalStatus(row["status"])
            if status not in EDITABLE_REBUTTAL_STATUSES:
                raise InvalidTransition(
                    f"rebuttal {rebuttal_id} is {status.value}; it cannot be edited",
                    code="transition.rebuttal_edit",
                    params={"id": rebuttal_id, "current": status.value})
            self._check_facts(content["fact_ids"])
            new_no = row["current_version_no"] + 1
            library_repo.insert_version(self.store, rebuttal_id=rebuttal_id, version_no=new_no,
                                        author_id=actor.id, change_note=note, at=self.now(),
                                        **content)
            new_status = (RebuttalStatus.DRAFT
                          if status in (RebuttalStatus.APPROVED, RebuttalStatus.PUBLISHED)
                          else status)
            after = update_versioned(
                self.store, "rebuttals", row,
                {"current_version_no": new_no, "status": new_status.value,
                 "verdict": content["verdict"].value, "lang": content["lang"],
                 **({"reviewer_id": None} if new_status != status else {})},
                actor_id=actor.id, at=self.now())
            sync_rebuttal(self.store, rebuttal_id)
            if new_status != status:
                follow_rebuttal(self, actor, rebuttal_id, new_status)
            self.audit(actor, "rebuttal.save_version", entity="rebuttal", entity_id=rebuttal_id,
                       before=_snapshot(row), after=_snapshot(after),
                       detail={"correction": status == RebuttalStatus.PUBLISHED,
                               "change_note": note})
        return self._load(rebuttal_id)

    def link_claims(self, actor_id: int, rebuttal_id: int, claim_ids: Sequence[int], *,
                    expected_version: int) -> Rebuttal:
        """Add claims this rebuttal answers."""
        actor = self.require(actor_id, "rebuttal.draft", entity="rebuttal", entity_id=rebuttal_id)
        validate.expected_version(expected_version)
        with self.store.write():
            row = load_for_update(self.store, "rebuttals", rebuttal_id, expected_version,
                                  noun="rebuttal")
            self._check_claims(claim_ids)
            library_repo.link_claims(self.store, rebuttal_id, list(claim_ids))
            update_versioned(self.store, "rebuttals", row, {}, actor_id=actor.id, at=self.now())
            self.audit(actor, "rebuttal.link_claims", entity="rebuttal", entity_id=rebuttal_id,
                       detail={"claims": list(claim_ids)})
        return self._load(rebuttal_id)

    def submit(self, actor_id: int, rebuttal_id: int, *, expected_version: int) -> Rebuttal:
        """Draft -> in review."""
        actor = self.require(actor_id, "rebuttal.submit", entity="rebuttal", entity_id=rebuttal_id)
        return self._move(actor, rebuttal_id, expected_version, RebuttalStatus.IN_REVIEW,
                          "rebuttal.submit")

    def approve(self, actor_id: int, rebuttal_id: int, *, expected_version: int) -> Rebuttal:
        """In review -> approved.  Four eyes: never your own rebuttal or version."""
        actor = self.require(actor_id, "rebuttal.approve", entity="rebuttal",
                             entity_id=rebuttal_id)
        return self._move(actor, rebuttal_id, expected_version, RebuttalStatus.APPROVED,
                          "rebuttal.approve")

    def send_back(self, actor_id: int, rebuttal_id: int, *, expected_version: int,
                  reason: str) -> Rebuttal:
        """In review -> draft, with the reviewer's reason (kept in the audit log)."""
        actor = self.require(actor_id, "rebuttal.send_back", entity="rebuttal",
                             entity_id=rebuttal_id)
        why = validate.required_text(reason, "reason", max_chars=2000)
        return self._move(actor, rebuttal_id, expected_version, RebuttalStatus.DRAFT,
                          "rebuttal.send_back", detail={"reason": why})

    def publish(self, actor_id: int, rebuttal_id: int, *, expected_version: int) -> Rebuttal:
        """Approved -> published.  The version becomes immutable and is handed out."""
        actor = self.require(actor_id, "rebuttal.publish", entity="rebuttal",
                             entity_id=rebuttal_id)
        return self._move(actor, rebuttal_id, expected_version, RebuttalStatus.PUBLISHED,
                          "rebuttal.publish")

    def retract(self, actor_id: int, rebuttal_id: int, *, expected_version: int,
                reason: str) -> Rebuttal:
        """Published -> retracted: it leaves the library and pullers are flagged."""
        actor = self.require(actor_id, "rebuttal.retract", entity="rebuttal",
                             entity_id=rebuttal_id)
        why = validate.required_text(reason, "reason", max_chars=2000)
        return self._move(actor, rebuttal_id, expected_version, RebuttalStatus.RETRACTED,
                          "rebuttal.retract", detail={"reason": why},
                          fields={"retract_reason": why})

    # -- reading -----------------------------------------------------------------------

    def get(self, actor_id: int, rebuttal_id: int) -> Rebuttal:
        """A rebuttal with its current version.  Users who may not see drafts
        (coordinators) get the live version, and NotFound when none is live."""
        actor = self.require(actor_id, "rebuttal.view", entity="rebuttal", entity_id=rebuttal_id)
        rebuttal = library_repo.get_rebuttal(self.store, rebuttal_id)
        if rebuttal is None:
            raise NotFound(f"rebuttal {rebuttal_id} does not exist")
        return self._as_seen_by(actor, rebuttal)

    def versions(self, actor_id: int, rebuttal_id: int) -> list[RebuttalVersion]:
        """Every version, oldest first (published/approved ones only for coordinators)."""
        actor = self.require(actor_id, "rebuttal.view", entity="rebuttal", entity_id=rebuttal_id)
        rebuttal = self._as_seen_by(actor, self._load(rebuttal_id))
        out = library_repo.versions(self.store, rebuttal_id)
        if not allowed(actor.role, "rebuttal.view_drafts"):
            out = [v for v in out if v.published_at or v.version_no == rebuttal.live_version_no]
        return out

    def get_version(self, actor_id: int, rebuttal_id: int, version_no: int) -> RebuttalVersion:
        for v in self.versions(actor_id, rebuttal_id):
            if v.version_no == version_no:
                return v
        raise NotFound(f"rebuttal {rebuttal_id} has no version {version_no} you can see")

    def for_claim(self, actor_id: int, claim_id: int) -> list[Rebuttal]:
        """Rebuttals linked to a claim, oldest first, as the actor may see them."""
        actor = self.require(actor_id, "rebuttal.view", entity="claim", entity_id=claim_id)
        out = []
        for rid in library_repo.rebuttals_for_claim(self.store, claim_id):
            rebuttal = library_repo.get_rebuttal(self.store, rid)
            if rebuttal is not None and (allowed(actor.role, "rebuttal.view_drafts")
                                         or rebuttal.live_version_no is not None):
                out.append(self._as_seen_by(actor, rebuttal))
        return out

    def list(self, actor_id: int, *, statuses: Sequence[RebuttalStatus | str] | None = None,
             region_code: str | None = None, topic: str | None = None, lang: str | None = None,
             since: str | None = None, until: str | None = None, author_id: int | None = None,
             limit: int = 100, offset: int = 0) -> list[Rebuttal]:
        """Rebuttals by status (default: all the actor may see), newest change first.

        ``region_code`` keeps that region's rebuttals, its descendants' and
        ancestors', and nation-wide ones.  ``since``/``until`` bound the last change.
        """
        actor = self.require(actor_id, "rebuttal.view", entity="rebuttal")
        may_draft = allowed(actor.role, "rebuttal.view_drafts")
        wanted = [validate.choice(RebuttalStatus, s, "status") for s in
                  (statuses or list(RebuttalStatus))]
        if not may_draft:
            wanted = [s for s in wanted if s in LIVE_STATUSES]
            if not wanted:
                return []
        path = None
        if region_code:
            region = regions_repo.by_code(self.store, region_code.strip())
            if region is None:
                raise ValidationError(f"unknown region code {region_code[:40]!r}")
            path = region.path
        topic_id = None
        if topic:
            t = regions_repo.topic_by_slug(self.store, topic.strip().lower())
            if t is None:
                return []
            topic_id = t.id
        rows = library_repo.list_rebuttals(
            self.store, statuses=[s.value for s in wanted], region_path=path, topic_id=topic_id,
            lang=lang, since=validate.timestamp(since, "since"),
            until=validate.timestamp(until, "until"), author_id=author_id,
            limit=max(1, min(int(limit), 1000)), offset=max(0, int(offset)))
        return [self._as_seen_by(actor, r) for r in rows]

    # -- internals -----------------------------------------------------------------------

    def _move(self, actor: User, rebuttal_id: int, expected_version: int,
              target: RebuttalStatus, action: str, *, detail: dict | None = None,
              fields: dict[str, Any] | None = None) -> Rebuttal:
        validate.expected_version(expected_version)
        with self.store.write():
            row = load_for_update(self.store, "rebuttals", rebuttal_id, expected_version,
                                  noun="rebuttal")
            current = RebuttalStatus(row["status"])
            if target not in REBUTTAL_TRANSITIONS[current]:
                raise InvalidTransition(
                    f"rebuttal {rebuttal_id} is {current.value}; it cannot become {target.value}",
                    code="transition.rebuttal",
                    params={"id": rebuttal_id, "current": current.value, "target": target.value})
            at = self.now()
            changes: dict[str, Any] = {"status": target.value, **(fields or {})}
            version_no = row["current_version_no"]
            if target == RebuttalStatus.APPROVED:
                author = library_repo.get_version(self.store, rebuttal_id, version_no)
                assert author is not None
                if actor.id in (row["author_id"], author.author_id):
                    raise self.denied(actor, action, "four eyes: you cannot approve a rebuttal "
                                      "you created or a version you wrote",
                                      entity="rebuttal", entity_id=rebuttal_id,
                                      code="denied.four_eyes", params={"id": rebuttal_id})
                library_repo.stamp_version(self.store, rebuttal_id, version_no,
                                           approved_by=actor.id, approved_at=at)
                changes.update(reviewer_id=actor.id, approved_at=at)
            elif target == RebuttalStatus.PUBLISHED:
                library_repo.stamp_version(self.store, rebuttal_id, version_no, published_at=at)
                changes.update(published_version_no=version_no, published_at=at)
            elif target == RebuttalStatus.RETRACTED:
                changes["retracted_at"] = at
            after = update_versioned(self.store, "rebuttals", row, changes, actor_id=actor.id,
                                     at=at)
            sync_rebuttal(self.store, rebuttal_id)
            moved = follow_rebuttal(self, actor, rebuttal_id, target)
            self.audit(actor, action, entity="rebuttal", entity_id=rebuttal_id,
                       before=_snapshot(row), after=_snapshot(after),
                       detail={**(detail or {}), "version_no": version_no,
                               "claims_moved": moved})
        return self._load(rebuttal_id)

    def _as_seen_by(self, actor: User, rebuttal: Rebuttal) -> Rebuttal:
        if allowed(actor.role, "rebuttal.view_drafts"):
            return rebuttal
        if rebuttal.live_version_no is None:
            raise NotFound(f"rebuttal {rebuttal.id} is not published")
        return live_view(self.store, rebuttal)

    def _load(self, rebuttal_id: int) -> Rebuttal:
        rebuttal = library_repo.get_rebuttal(self.store, rebuttal_id)
        if rebuttal is None:
            raise NotFound(f"rebuttal {rebuttal_id} does not exist")
        return rebuttal

    def _clean(self, draft: RebuttalDraft) -> dict[str, Any]:
        translations: dict[str, dict[str, str]] = {}
        for lang, parts in dict(draft.translations or {}).items():
            code = validate.required_text(lang, "translation language", max_chars=20)
            translations[code] = {
                "full_text": validate.required_text(parts.get("full_text"),
                                                    f"{code} translation full text"),
                "whatsapp_text": validate.text(parts.get("whatsapp_text"),
                                               f"{code} translation WhatsApp text",
                                               max_chars=MAX_WHATSAPP_CHARS, required=False) or "",
            }
        fact_ids = tuple(dict.fromkeys(int(f) for f in draft.fact_ids))
        return {
            "verdict": validate.choice(Verdict, draft.verdict, "verdict"),
            "title": validate.text(draft.title, "title", max_chars=500, required=False) or "",
            "full_text": validate.required_text(draft.full_text, "full text"),
            "whatsapp_text": validate.required_text(draft.whatsapp_text, "WhatsApp text",
                                                    max_chars=MAX_WHATSAPP_CHARS),
            "lang": validate.text(draft.lang, "language", max_chars=20, required=False),
            "translations": translations,
            "fact_ids": fact_ids,
            "links": clean_sources(list(draft.links), "link"),
        }

    def _region_id(self, code: str | None) -> int | None:
        if not code or not code.strip():
            return None
        region = regions_repo.by_code(self.store, code.strip())
        if region is None:
            raise ValidationError(f"unknown region code {code[:40]!r}")
        return region.id

    def _check_claims(self, claim_ids: Sequence[int]) -> None:
        missing = set(claim_ids) - set(claims_repo.existing_ids(self.store, set(claim_ids)))
        if missing:
            raise NotFound(f"claim {min(missing)} does not exist")

    def _check_facts(self, fact_ids: Sequence[int]) -> None:
        found = {f.id for f in library_repo.get_facts(self.store, list(fact_ids))}
        missing = set(fact_ids) - found
        if missing:
            raise NotFound(f"fact {min(missing)} does not exist")

    def _topic_ids(self, topics: Sequence[str] | None, claim_ids: Sequence[int]) -> list[int]:
        if topics is None:
            slugs = sorted({t for c in claims_repo.get_many(self.store, list(claim_ids))
                            for t in c.topics})
        else:
            slugs = sorted({t.strip().lower() for t in topics if t.strip()})
        ids = regions_repo.topic_ids_for_slugs(self.store, slugs)
        unknown = [s for s in slugs if s not in ids]
        if unknown:
            raise ValidationError(f"unknown topic {unknown[0]!r}")
        return [ids[s] for s in slugs]


def live_view(store: Store, rebuttal: Rebuttal) -> Rebuttal:
    """The rebuttal with ``current`` set to its live (approved/published) version."""
    live = rebuttal.live_version_no
    if live is None or live == rebuttal.current_version_no:
        return rebuttal
    return dataclasses.replace(rebuttal, current=library_repo.get_version(store, rebuttal.id, live))
