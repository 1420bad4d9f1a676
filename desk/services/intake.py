"""Intake: single claims, WhatsApp exports, CSV/JSON files and fact files.

Every import is one transaction (a crash or an error leaves the database as it
was) and idempotent (each message's key is stored with its sighting; a message
already stored is counted as ``already_imported``, never added twice).  The
slow part, matching and clustering (``desk.services.dedup``), runs before the
transaction opens; the engines catch up after it commits.  Chatter never
becomes a claim: ``desk.intake`` classifies every message and the report
counts what was skipped, by reason.
"""
from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from desk.clock import Clock
from desk.domain import Channel, Claim, MatchLink, NewClaim, NewSighting, User
from desk.errors import DeskError, ImportFailed, NotFound, ValidationError
from desk.intake import (
    FIELDS, IST, IntakeLimits, RecordContext, assess, classify_messages, local_to_utc_iso,
    message_key, parse_whatsapp, read_tabular,
)
from desk.services import validate
from desk.services.base import Service
from desk.services.claims import ClaimService, reprioritise
from desk.services.dedup import Incoming, Plan, plan_import
from desk.services.fact_import import fact_format, parse_facts
from desk.services.facts import FactService
from desk.services.matching import (
    K_SLACK, EngineSet, MatchHit, engine_match, hits_from, suggestion_for,
)
from desk.services.sightings import SightingService
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import imports as imports_repo
from desk.store import index_state as state_repo
from desk.store import links as links_repo
from desk.store import regions as regions_repo

Progress = Callable[..., None]
TABULAR_FORMATS = ("csv", "json", "jsonl")
MAX_LISTED_ERRORS = 5
PREVIEW_ROWS = 10
NO_MATCHING = ("matching is not available (the embedding model is not loaded): only exact "
               "duplicates were merged and no suggestions were made")


@dataclass
class ImportReport:
    """What an import did.  ``messages`` counts every message (or row) looked at."""

    messages: int = 0
    claims_created: int = 0
    merged_into_existing: int = 0      # messages that became sightings of earlier claims
    folded_within_import: int = 0      # messages folded into a claim this import created
    sightings_added: int = 0
    already_imported: int = 0          # messages whose key was stored before
    skipped: dict[str, int] = field(default_factory=dict)   # reason -> count
    suggestions: int = 0               # match links recorded for the new claims
    claim_ids: list[int] = field(default_factory=list)      # claims created or added to
    warnings: list[str] = field(default_factory=list)
    source: str | None = None
    group: str | None = None
    matched: bool = False              # whether the engines took part
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class ClaimIntake:
    """A submitted claim: the stored claim, or the open claim it turned out to be."""

    claim: Claim
    merged_into: int | None = None
    suggestions: list[MatchLink] = field(default_factory=list)


@dataclass
class FactImportReport:
    rows: int = 0
    created: int = 0
    already_present: int = 0
    fact_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _count(skipped: dict[str, int], reason: str, n: int = 1) -> None:
    if n:
        skipped[reason] = skipped.get(reason, 0) + n


class IntakeService(Service):
    """``svc.intake``: everything that brings claims (and facts) into the desk."""

    def __init__(self, store: Store, clock: Clock | None = None, *, claims: ClaimService,
                 sightings: SightingService, facts: FactService, engines: EngineSet | None,
                 limits: IntakeLimits) -> None:
        super().__init__(store, clock)
        self.claims = claims
        self.sightings = sightings
        self.facts = facts
        self.engines = engines
        self.limits = limits

    # -- one claim ---------------------------------------------------------------------------

    def submit_claim(self, actor_id: int, new: NewClaim) -> ClaimIntake:
        """Store a claim typed into the desk, matched on arrival.

        If it is the same as a claim already on the desk (same matching key, or
        the engine's ``same`` tier against open claims), it is recorded as a
        sighting of that claim (``merged_into``); otherwise a new claim is stored
        with its suggestions (facts and live rebuttals that may answer it,
        related claims).
        """
        actor = self.require(actor_id, "claim.create", entity="claim")
        text = validate.required_text(new.text, "claim text", max_chars=self.claims.max_text_chars)
        new = dataclasses.replace(new, text=text)
        key = self.claims.normalize(text).key or text.casefold()
        target = self._existing_by_key(key)
        hits: list[MatchHit] = []
        with self._memo():
            if self.engines is not None:
                self.engines.ensure_synced(self.store)
                if target is None:
                    target, hits = self._match_one(text)
            with imports_repo.storage_errors("saving the claim"), self.store.write():
                if target is None:
                    # A claim with this key may have been stored while we matched.
                    target = self._existing_by_key(key)
                if target is not None:
                    self._sighting(actor, target, new)
                    merged = claims_repo.get(self.store, target)
                    if merged is None:
                        raise NotFound(f"claim {target} does not exist")
                    result = ClaimIntake(claim=merged, merged_into=target)
                else:
                    claim = self.claims.create(actor.id, new)
                    self._sighting(actor, claim.id, new)
                    links = self._record_links(actor, {claim.id: hits})
                    result = ClaimIntake(claim=claims_repo.get(self.store, claim.id) or claim,
                                         suggestions=links.get(claim.id, []))
            self._sync_after([])  # the claim is stored; a lagging index catches up later
        return result

    # -- files ---------------------------------------------------------------------------------

    def import_whatsapp(self, actor_id: int, data: bytes, *, filename: str,
                        group: str | None = None, region_code: str | None = None,
                        progress: Progress | None = None) -> ImportReport:
        """Import a WhatsApp chat export (``.txt`` or ``.zip``) in one transaction.

        ``group`` names the chat (default: from the file name or the export);
        give the same name for every export of one group so overlapping exports
        are recognised.  ``region_code`` applies to the claims and sightings.
        """
        actor = self.require(actor_id, "claim.import", entity="claim")
        started = time.perf_counter()
        data = _bytes(data)
        name = validate.text(filename, "file name", max_chars=500, required=False)
        group = validate.text(group, "group", max_chars=validate.MAX_SHORT_CHARS, required=False)
        region_code = self._region_code(region_code)
        export = parse_whatsapp(data, filename=name, limits=self.limits)
        parsed = time.perf_counter()
        group = group or export.group_name
        if progress:
            progress("classify", 0, len(export.messages))
        found = classify_messages(export, group=group)
        report = ImportReport(messages=found.total, source=name, group=group,
                              warnings=list(export.warnings))
        report.timings["parse"] = round(parsed - started, 4)
        report.timings["classify"] = round(time.perf_counter() - parsed, 4)
        for reason, n in found.skipped.items():
            _count(report.skipped, reason, n)
        if group is None:
            report.warnings.append("the group's name is not in the file; name the group when "
                                   "importing so later exports of this chat are recognised")
        incoming = [Incoming(text=c.text, message_key=c.key,
                             seen_at=local_to_utc_iso(c.message.timestamp, IST),
                             channel="whatsapp", source_group=group, sender=c.message.sender,
                             region_code=region_code, line=c.message.line_no)
                    for c in found.candidates]
        return self._run(actor, incoming, report, progress=progress)

    def import_tabular(self, actor_id: int, data: bytes, *, fmt: str,
                       mapping: dict | None = None, progress: Progress | None = None,
                       skip_invalid: bool = False) -> ImportReport:
        """Import claims from CSV / JSON / JSON Lines with a column mapping.

        Rows with problems fail the whole file (their lines are named) unless
        ``skip_invalid``, which leaves them out and counts them as ``invalid``.
        Rows that read as chatter are skipped, by reason.
        """
        actor = self.require(actor_id, "claim.import", entity="claim")
        started = time.perf_counter()
        result = self._read_tabular(_bytes(data), fmt, mapping)
        report = ImportReport(source=f"{fmt} file", warnings=list(result.warnings))
        report.timings["parse"] = round(time.perf_counter() - started, 4)
        bad_lines = sorted({e.line for e in result.errors})
        if bad_lines and not skip_invalid:
            listed = "; ".join(str(e) for e in result.errors[:MAX_LISTED_ERRORS])
            more = len(result.errors) - MAX_LISTED_ERRORS
            raise ImportFailed(
                f"{len(bad_lines)} row(s) have problems, nothing was imported: {listed}"
                + (f"; and {more} more" if more > 0 else "")
                + " (fix them, or import with the option to skip invalid rows)",
                line=bad_lines[0], code="import.rows",
                params={"count": len(bad_lines), "line": bad_lines[0],
                        "detail": listed + (f"; … +{more}" if more > 0 else "")})
        if bad_lines:
            _count(report.skipped, "invalid", len(bad_lines))
            report.warnings.append("left out invalid rows: " + "; ".join(
                str(e) for e in result.errors[:MAX_LISTED_ERRORS]))
        _count(report.skipped, "blank", result.skipped_blank)
        report.messages = len(result.rows) + len(bad_lines) + result.skipped_blank
        classified = time.perf_counter()
        incoming = []
        for row in result.rows:
            record = row.record
            text = record["text"] or ""
            verdict = assess(text)
            if not verdict.is_claim:
                _count(report.skipped, verdict.reason or "chatter")
                continue
            channel = record["channel"] or "whatsapp"
            origin = "|".join([channel, record["source_group"] or "", record["source_url"] or ""])
            incoming.append(Incoming(
                text=text, message_key=message_key(origin, record["seen_at"] or "1970-01-01T00:00",
                                                   record["sender"], text),
                seen_at=record["seen_at"], channel=channel,
                source_group=record["source_group"], source_url=record["source_url"],
                sender=record["sender"], region_code=record["region_code"],
                topics=row.topics, line=row.line))
        report.timings["classify"] = round(time.perf_counter() - classified, 4)
        return self._run(actor, incoming, report, progress=progress)

    def preview_tabular(self, actor_id: int, data: bytes, *, fmt: str) -> dict[str, Any]:
        """What an import of this file would read: the file's columns, the proposed
        ``mapping`` (every field, ``None`` when no column was recognised), the
        first rows as the desk would store them, and the row problems."""
        self.require(actor_id, "claim.import", entity="claim")
        result = self._read_tabular(_bytes(data), fmt, None)
        mapping: dict[str, str | None] = {f: result.mapping.get(f) for f in FIELDS}
        return {
            "format": result.format, "columns": list(result.columns), "mapping": mapping,
            "fields": list(FIELDS), "unmapped_columns": result.unmapped_columns,
            "rows": [{f: v for f, v in row.record.items() if v is not None}
                     for row in result.rows[:PREVIEW_ROWS]],
            "row_count": len(result.rows), "error_count": len(result.errors),
            "errors": [str(e) for e in result.errors[:20]], "warnings": list(result.warnings),
        }

    def import_facts(self, actor_id: int, data: bytes, *, filename: str | None = None,
                     fmt: str | None = None, progress: Progress | None = None) -> FactImportReport:
        """Import verified facts with their sources (see ``desk.services.fact_import``).

        One transaction; a fact whose statement is already in the library is
        counted as ``already_present`` and left alone, so a second import of
        the same file adds nothing.
        """
        actor = self.require(actor_id, "fact.edit", entity="fact")
        fmt = fact_format(filename, fmt)
        topics = {t.slug for t in regions_repo.list_topics(self.store)}
        parsed = parse_facts(_bytes(data), fmt=fmt, limits=self.limits, topics=topics)
        report = FactImportReport(rows=len(parsed))
        existing = imports_repo.fact_ids_by_statement(self.store,
                                                      [p.fact.statement for p in parsed])
        with imports_repo.storage_errors("the fact import"), self.store.write():
            for n, p in enumerate(parsed, 1):
                if p.fact.statement in existing:
                    report.already_present += 1
                    continue
                try:
                    fact = self.facts.create(actor.id, p.fact)
                except ValidationError as exc:
                    raise ImportFailed(str(exc), line=p.line, cause=exc) from None
                existing[fact.statement] = fact.id
                report.fact_ids.append(fact.id)
                report.created += 1
                if progress and n % 100 == 0:
                    progress("write", n, len(parsed))
        self._sync_after(report.warnings)
        return report

    # -- the pipeline ----------------------------------------------------------------------------

    def _run(self, actor: User, incoming: list[Incoming], report: ImportReport, *,
             progress: Progress | None) -> ImportReport:
        started = time.perf_counter()
        unique: dict[str, Incoming] = {}
        for item in incoming:
            if item.message_key in unique:
                _count(report.skipped, "repeated_in_file")
            else:
                unique[item.message_key] = item
        known = claims_repo.known_message_keys(self.store, list(unique))
        report.already_imported = len(known)
        fresh = [item for key, item in unique.items() if key not in known]
        report.matched = self.engines is not None
        if self.engines is None:
            report.warnings.append(NO_MATCHING)
        with self._memo():
            plan = plan_import(self.store, fresh, normalizer=self.claims.normalize,
                               engines=self.engines, progress=progress)
            report.timings.update(plan.timings)
            report.timings["plan"] = round(time.perf_counter() - started, 4)
            written = time.perf_counter()
            if progress:
                progress("write", 0, len(fresh))
            with imports_repo.storage_errors("the import"), self.store.write():
                self._commit(actor, plan, report)
            report.timings["write"] = round(time.perf_counter() - written, 4)
            if progress:
                progress("write", len(fresh), len(fresh))
            synced = time.perf_counter()
            self._sync_after(report.warnings)
            report.timings["index_update"] = round(time.perf_counter() - synced, 4)
        return report

    def _commit(self, actor: User, plan: Plan, report: ImportReport) -> None:
        """Write the plan (inside the import's transaction)."""
        groups = plan.groups
        # Another import may have committed some of the same messages or claims
        # while this one was matching: drop those messages, join those claims.
        keys = [m.message_key for g in groups for m in g.members]
        taken = claims_repo.known_message_keys(self.store, keys)
        if taken:
            report.already_imported += len(taken)
            for g in groups:
                g.members = [m for m in g.members if m.message_key not in taken]
        new_idx = [i for i in plan.new_claims() if groups[i].members]
        late = claims_repo.ids_by_match_key(self.store, [groups[i].first.key for i in new_idx])
        if late:
            roots = imports_repo.claim_roots(self.store, [ids[0] for ids in late.values()])
            for i in new_idx:
                ids = late.get(groups[i].first.key)
                if ids:
                    groups[i].existing_claim, groups[i].how = roots.get(ids[0], ids[0]), "key"
            new_idx = [i for i in new_idx if groups[i].existing_claim is None]
        # A group whose new-claim leader lost all its messages starts its own claim.
        for i, g in enumerate(groups):
            lead = groups[g.leader] if g.leader is not None else None
            if lead is not None and not lead.members and lead.existing_claim is None \
                    and g.members:
                g.leader = None
                new_idx.append(i)
        new_idx.sort()
        created = self.claims.create_many(actor.id, [_new_claim(groups[i].first)
                                                     for i in new_idx])
        claim_of: dict[int, int] = dict(zip(new_idx, created))
        sightings: list[NewSighting] = []
        touched: dict[int, None] = {}
        for i, g in enumerate(groups):
            if not g.members:
                continue
            root = groups[g.leader] if g.leader is not None else g
            if root.existing_claim is not None:
                claim_id = root.existing_claim
                report.merged_into_existing += len(g.members)
            else:
                claim_id = claim_of[g.leader if g.leader is not None else i]
                report.folded_within_import += len(g.members) - (g.leader is None)
            touched[claim_id] = None
            sightings += [_sighting(claim_id, m) for m in g.members]
        if sightings:
            recorded = self.sightings.record(actor.id, sightings)
            report.sightings_added = recorded.inserted
        hits = {claim_of[i]: list(groups[i].suggestions) for i in new_idx}
        for i in new_idx:
            # A claim of this import the engine rated related: a person may fold them.
            related = groups[i].related_leader
            target = _claim_of_group(groups, claim_of, related[0]) if related else None
            if target is not None and target != claim_of[i]:
                hits[claim_of[i]].append(MatchHit(
                    kind="claim", ref_id=target, match_item_id=0, score=related[1],
                    tier="related", text=groups[related[0]].first.text, status="new"))
        links = self._record_links(actor, hits)
        report.suggestions = sum(len(v) for v in links.values())
        report.claims_created = len(created)
        report.claim_ids = list(touched)
        self.audit(actor, "claim.import", entity="claim",
                   detail={k: v for k, v in report.as_dict().items()
                           if k not in ("claim_ids", "warnings", "timings")})

    def _record_links(self, actor: User, hits_by_claim: dict[int, list[MatchHit]]
                      ) -> dict[int, list[MatchLink]]:
        """Store suggestions for new claims (``auto`` only at tier same)."""
        out: dict[int, list[MatchLink]] = {}
        at = self.now()
        total = 0
        for claim_id, hits in hits_by_claim.items():
            suggestions = [suggestion_for(h) for h in hits
                           if not (h.kind == "claim" and h.ref_id == claim_id)]
            if not suggestions:
                continue
            ids = set(links_repo.upsert_suggestions(self.store, claim_id, suggestions, at=at,
                                                    actor_id=actor.id))
            out[claim_id] = [link for link in links_repo.links_for_claim(self.store, claim_id)
                             if link.id in ids]
            total += len(ids)
        if total:
            self.audit(actor, "match.record", entity="claim",
                       entity_id=next(iter(out)) if len(out) == 1 else None,
                       detail={"claims": len(out), "links": total})
        return out

    # -- helpers -----------------------------------------------------------------------------------

    def _memo(self) -> contextlib.AbstractContextManager:
        return self.engines.memo() if self.engines is not None else contextlib.nullcontext()

    def _sync_after(self, warnings: list[str] | None) -> None:
        """Let the engines catch up with what was just committed."""
        if self.engines is None:
            return
        try:
            self.engines.ensure_synced(self.store)
        except DeskError as exc:
            if warnings is None:
                raise
            warnings.append(f"the matching index is not up to date: {exc}")
        if warnings is not None and self.engines.last_warning:
            warnings.append("the matching index could not be saved to disk (it will be rebuilt "
                            f"from the database on the next start): {self.engines.last_warning}")

    def _match_one(self, text: str) -> tuple[int | None, list[MatchHit]]:
        """An open claim that is the same as ``text``, or the suggestions for it."""
        assert self.engines is not None
        found = engine_match(self.engines.claims, text, k=5 + K_SLACK)
        lib = engine_match(self.engines.library, text, k=10 + K_SLACK)
        targets = state_repo.live_targets(self.store, [c.id for c in found + lib])
        claims = hits_from(found, targets)
        same = next((h for h in claims if h.tier == "same"), None)
        if same is not None:
            return same.ref_id, []
        library = [h for h in hits_from(lib, targets) if h.tier != "none"][:10]
        return None, library + [h for h in claims if h.tier == "related"][:5]

    def _existing_by_key(self, key: str) -> int | None:
        ids = claims_repo.ids_by_match_key(self.store, [key]).get(key)
        if not ids:
            return None
        return imports_repo.claim_roots(self.store, [ids[0]]).get(ids[0], ids[0])

    def _sighting(self, actor: User, claim_id: int, new: NewClaim) -> None:
        """The typed-in claim as one sighting (inside the caller's transaction).

        Written directly, not through ``SightingService.record``: submitting a
        claim is open to every role, recording sightings in bulk is not.
        """
        region_id = None
        if new.region_code and new.region_code.strip():
            region = regions_repo.by_code(self.store, new.region_code.strip())
            if region is None:
                raise ValidationError(f"unknown region code {new.region_code[:40]!r}")
            region_id = region.id
        claims_repo.insert_sighting(
            self.store, claim_id=claim_id,
            seen_at=validate.timestamp(new.seen_at, "seen at") or self.now(),
            channel=validate.choice(Channel, new.channel, "channel"),
            source_group=validate.text(new.source_group, "source group",
                                       max_chars=validate.MAX_SHORT_CHARS, required=False),
            sender_hash=None, region_id=region_id, message_key=f"desk-{uuid.uuid4().hex}",
            at=self.now(), actor_id=actor.id)
        reprioritise(self.store, self.clock, [claim_id])

    def _region_code(self, code: str | None) -> str | None:
        code = (code or "").strip() or None
        if code is not None and regions_repo.by_code(self.store, code) is None:
            raise ValidationError(f"unknown region code {code[:40]!r}")
        return code

    def _read_tabular(self, data: bytes, fmt: str, mapping: dict | None):
        if fmt not in TABULAR_FORMATS:
            raise ValidationError(f"unknown format {fmt!r}; use csv, json or jsonl")
        context = RecordContext(
            region_codes={r.code for r in regions_repo.list_regions(self.store)},
            topics={t.slug for t in regions_repo.list_topics(self.store)}, local_tz=IST)
        return read_tabular(data, fmt=fmt, mapping=mapping, limits=self.limits, context=context)


def _bytes(data: object) -> bytes:
    if isinstance(data, bytearray):
        return bytes(data)
    if not isinstance(data, bytes):
        raise ValidationError("the upload must be bytes (the file as read from disk)")
    return data


def _claim_of_group(groups: list, claim_of: dict[int, int], index: int) -> int | None:
    group = groups[index]
    root = groups[group.leader] if group.leader is not None else group
    if root.existing_claim is not None:
        return root.existing_claim
    return claim_of.get(group.leader if group.leader is not None else index)


def _new_claim(item: Incoming) -> NewClaim:
    return NewClaim(text=item.text, channel=item.channel, source_url=item.source_url,
                    source_group=item.source_group, seen_at=item.seen_at,
                    region_code=item.region_code, topics=tuple(item.topics))


def _sighting(claim_id: int, item: Incoming) -> NewSighting:
    return NewSighting(claim_id=claim_id, message_key=item.message_key, seen_at=item.seen_at,
                       channel=item.channel, source_group=item.source_group, sender=item.sender,
                       region_code=item.region_code)


__all__ = ["ClaimIntake", "FactImportReport", "ImportReport", "IntakeService"]
