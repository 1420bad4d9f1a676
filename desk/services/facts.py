"""Verified facts: the library that claims are matched against."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from desk.domain import Fact, FactStatus, Source
from desk.errors import NotFound, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.store import library as library_repo
from desk.store import regions as regions_repo
from desk.store.common import dumps, escape_like, load_for_update, loads, update_versioned
from desk.store.index_source import sync_fact

MAX_SOURCES = 20
_UNSET: Any = object()


@dataclass(frozen=True)
class NewFact:
    statement: str
    lang: str | None = None
    topic: str | None = None                 # topic slug
    valid_until: str | None = None           # ISO date or time
    sources: tuple[Source, ...] = ()
    status: FactStatus | str = FactStatus.ACTIVE


def clean_sources(sources: Sequence[Source | dict], field: str = "source") -> list[Source]:
    """Check citations: http(s) URL required, short title/publisher, ISO date."""
    if len(sources) > MAX_SOURCES:
        raise ValidationError(f"at most {MAX_SOURCES} sources")
    out = []
    for n, raw in enumerate(sources, 1):
        s = raw if isinstance(raw, Source) else Source(**raw)
        link = validate.url(s.url, f"{field} {n} URL")
        if link is None:
            raise ValidationError(f"{field} {n} needs a URL")
        out.append(Source(
            url=link,
            title=validate.text(s.title, f"{field} {n} title", max_chars=500, required=False) or "",
            publisher=validate.text(s.publisher, f"{field} {n} publisher", max_chars=200,
                                    required=False) or "",
            date=(validate.timestamp(s.date, f"{field} {n} date") or "")[:10] or None))
    return out


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return {"statement": row["statement"], "lang": row["lang"], "topic_id": row["topic_id"],
            "valid_until": row["valid_until"], "status": row["status"],
            "sources": loads(row["sources"], []), "version": row["version"]}


class FactService(Service):
    """Create, edit, retire and list verified facts (``fact.*`` actions)."""

    def create(self, actor_id: int, new: NewFact) -> Fact:
        actor = self.require(actor_id, "fact.edit", entity="fact")
        statement = validate.required_text(new.statement, "statement")
        lang = validate.text(new.lang, "language", max_chars=20, required=False)
        status = validate.choice(FactStatus, new.status, "status")
        valid_until = validate.timestamp(new.valid_until, "valid until")
        sources = clean_sources(list(new.sources))
        with self.store.write():
            topic_id = self._topic_id(new.topic)
            fid = library_repo.insert_fact(self.store, statement=statement, lang=lang,
                                           topic_id=topic_id, valid_until=valid_until,
                                           status=status, sources=sources, at=self.now(),
                                           actor_id=actor.id)
            fact = library_repo.get_fact(self.store, fid)
            assert fact is not None
            self.audit(actor, "fact.create", entity="fact", entity_id=fid,
                       after={"statement": statement[:500], "status": status.value})
        return fact

    def update(self, actor_id: int, fact_id: int, *, expected_version: int,
               statement: str = _UNSET, lang: str | None = _UNSET, topic: str | None = _UNSET,
               valid_until: str | None = _UNSET, sources: Sequence[Source] = _UNSET) -> Fact:
        """Edit a fact; only the arguments given change.  Stale version: ``Conflict``."""
        actor = self.require(actor_id, "fact.edit", entity="fact", entity_id=fact_id)
        validate.expected_version(expected_version)
        changes: dict[str, Any] = {}
        if statement is not _UNSET:
            changes["statement"] = validate.required_text(statement, "statement")
        if lang is not _UNSET:
            changes["lang"] = validate.text(lang, "language", max_chars=20, required=False)
        if valid_until is not _UNSET:
            changes["valid_until"] = validate.timestamp(valid_until, "valid until")
        if sources is not _UNSET:
            changes["sources"] = dumps([s.to_dict() for s in clean_sources(list(sources))])
        return self._change(actor, fact_id, expected_version, changes, "fact.edit",
                            topic=topic)

    def retire(self, actor_id: int, fact_id: int, *, expected_version: int) -> Fact:
        """Retire a fact: it stays on record but leaves the matching library."""
        actor = self.require(actor_id, "fact.edit", entity="fact", entity_id=fact_id)
        validate.expected_version(expected_version)
        return self._change(actor, fact_id, expected_version,
                            {"status": FactStatus.RETIRED.value}, "fact.retire")

    def reactivate(self, actor_id: int, fact_id: int, *, expected_version: int) -> Fact:
        actor = self.require(actor_id, "fact.edit", entity="fact", entity_id=fact_id)
        validate.expected_version(expected_version)
        return self._change(actor, fact_id, expected_version,
                            {"status": FactStatus.ACTIVE.value}, "fact.reactivate")

    def get(self, actor_id: int, fact_id: int) -> Fact:
        self.require(actor_id, "fact.view", entity="fact", entity_id=fact_id)
        fact = library_repo.get_fact(self.store, fact_id)
        if fact is None:
            raise NotFound(f"fact {fact_id} does not exist")
        return fact

    def get_many(self, actor_id: int, fact_ids: Sequence[int]) -> list[Fact]:
        self.require(actor_id, "fact.view", entity="fact")
        return library_repo.get_facts(self.store, list(fact_ids))

    def list(self, actor_id: int, *, status: FactStatus | str | None = FactStatus.ACTIVE,
             topic: str | None = None, lang: str | None = None, text: str | None = None,
             limit: int = 100, offset: int = 0) -> list[Fact]:
        """Newest first.  ``text`` is a literal substring (``%``/``_`` are not wildcards)."""
        self.require(actor_id, "fact.view", entity="fact")
        st = validate.choice(FactStatus, status, "status").value if status else None
        needle = validate.text(text, "search text", max_chars=200, required=False)
        topic_id = None
        if topic:
            t = regions_repo.topic_by_slug(self.store, topic)
            if t is None:
                return []
            topic_id = t.id
        return library_repo.list_facts(
            self.store, status=st, topic_id=topic_id, lang=lang,
            text_pattern=f"%{escape_like(needle)}%" if needle else None,
            limit=max(1, min(int(limit), 1000)), offset=max(0, int(offset)))

    def _topic_id(self, slug: str | None) -> int | None:
        if not slug:
            return None
        topic = regions_repo.topic_by_slug(self.store, slug.strip().lower())
        if topic is None:
            raise ValidationError(f"unknown topic {slug[:40]!r}")
        return topic.id

    def _change(self, actor, fact_id: int, expected_version: int, changes: dict[str, Any],
                action: str, *, topic: str | None = _UNSET) -> Fact:
        with self.store.write():
            row = load_for_update(self.store, "facts", fact_id, expected_version, noun="fact")
            if topic is not _UNSET:
                changes["topic_id"] = self._topic_id(topic)
            after = update_versioned(self.store, "facts", row, changes, actor_id=actor.id,
                                     at=self.now())
            sync_fact(self.store, fact_id)
            self.audit(actor, action, entity="fact", entity_id=fact_id, before=_snapshot(row),
                       after=_snapshot(after))
            fact = library_repo.get_fact(self.store, fact_id)
        assert fact is not None
        return fact
