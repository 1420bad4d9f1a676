"""Pulls: coordinators take approved rebuttals for their region.

Every pull is recorded (who, which rebuttal and version, when, for which
region, in which format), so that when a correction is published or a
rebuttal retracted, ``corrections`` tells each coordinator which of the
texts they forwarded are outdated.
"""
from __future__ import annotations

from typing import Sequence

from desk.domain import CorrectionNotice, Pull, Rebuttal, RebuttalStatus
from desk.errors import NotFound, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.services.rebuttals import live_view
from desk.store import library as library_repo
from desk.store import links as links_repo
from desk.store import regions as regions_repo

MAX_FORMAT_CHARS = 40


class PullService(Service):
    """``pull.*`` actions.  The publishing service calls ``available`` to find
    what to export, renders it, then ``record`` with what it handed out."""

    def available(self, actor_id: int, *, region_code: str | None = None,
                  topic: str | None = None, lang: str | None = None, since: str | None = None,
                  until: str | None = None, limit: int = 200) -> list[Rebuttal]:
        """Rebuttals that may be handed out, each with ``current`` set to its live
        version (a correction in progress keeps the published text).

        Region filter: the region, its descendants and ancestors, and
        nation-wide rebuttals; ``region_code`` defaults to the actor's region.
        ``since``/``until`` bound the last change.
        """
        actor = self.require(actor_id, "pull.create", entity="rebuttal")
        path = None
        code = region_code.strip() if region_code else None
        if code:
            region = regions_repo.by_code(self.store, code)
            if region is None:
                raise ValidationError(f"unknown region code {code[:40]!r}")
            path = region.path
        elif actor.region_id is not None:
            region = regions_repo.get(self.store, actor.region_id)
            path = region.path if region else None
        topic_id = None
        if topic:
            t = regions_repo.topic_by_slug(self.store, topic.strip().lower())
            if t is None:
                return []
            topic_id = t.id
        rows = library_repo.list_rebuttals(
            self.store, statuses=[s.value for s in RebuttalStatus], region_path=path,
            topic_id=topic_id, lang=lang, since=validate.timestamp(since, "since"),
            until=validate.timestamp(until, "until"), live_only=True,
            limit=max(1, min(int(limit), 1000)))
        return [live_view(self.store, r) for r in rows]

    def record(self, actor_id: int, items: Sequence[tuple[int, int]], *, fmt: str,
               region_code: str | None = None) -> list[Pull]:
        """Record that the actor took these ``(rebuttal_id, version_no)`` pairs.

        Each version must be the live one (what ``available`` returned); a
        version that is no longer live is refused, so nobody forwards a text
        that was corrected in the meantime without knowing.
        """
        actor = self.require(actor_id, "pull.create", entity="rebuttal")
        fmt = validate.required_text(fmt, "format", max_chars=MAX_FORMAT_CHARS)
        ids = []
        with self.store.write():
            region_id = actor.region_id
            if region_code and region_code.strip():
                region = regions_repo.by_code(self.store, region_code.strip())
                if region is None:
                    raise ValidationError(f"unknown region code {region_code[:40]!r}")
                region_id = region.id
            for rebuttal_id, version_no in items:
                rebuttal = library_repo.get_rebuttal(self.store, rebuttal_id)
                if rebuttal is None:
                    raise NotFound(f"rebuttal {rebuttal_id} does not exist")
                if rebuttal.live_version_no != version_no:
                    raise ValidationError(
                        f"rebuttal {rebuttal_id} version {version_no} is not the live version "
                        f"(live: {rebuttal.live_version_no}); reload and export again")
                ids.append(links_repo.add_pull(self.store, user_id=actor.id,
                                               rebuttal_id=rebuttal_id, version_no=version_no,
                                               region_id=region_id, fmt=fmt, at=self.now()))
            if ids:
                self.audit(actor, "pull.create", entity="rebuttal",
                           entity_id=items[0][0] if len(items) == 1 else None,
                           detail={"items": [list(i) for i in items][:200], "format": fmt,
                                   "region_id": region_id})
        wanted = set(ids)
        return [p for p in links_repo.pulls_of(self.store, actor.id, limit=len(ids) + 10)
                if p.id in wanted]

    def mine(self, actor_id: int, *, limit: int = 200) -> list[Pull]:
        """The actor's pulls, newest first."""
        actor = self.require(actor_id, "pull.view")
        return links_repo.pulls_of(self.store, actor.id, limit=limit)

    def corrections(self, actor_id: int) -> list[CorrectionNotice]:
        """Rebuttals corrected or retracted since the actor last pulled them."""
        actor = self.require(actor_id, "pull.view")
        return links_repo.corrections_for(self.store, actor.id)
