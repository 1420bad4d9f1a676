"""Which incoming messages fold into which claims: the plan of an import.

Every message that is a claim becomes a sighting; identical or near-identical
forwards fold into one claim.  The plan is made before the import's write
transaction opens (embedding is the slow part), in this order:

1. exact matching key (``ClaimService.normalize``): messages with the same key
   are one group, and a group whose key an existing claim has joins it;
2. near-identical forwards (``desk.services.forwards``): groups whose text
   without forwarding decoration has the same key, or whose keys differ only
   by typos, are folded; a decorated copy of an existing claim joins it;
3. the remaining groups are clustered among themselves by the engine, in
   order: each is matched against the leaders found so far and joins the best
   one it rates ``same``, otherwise it leads a cluster of its own (members are
   compared with leaders only, so a chain of "almost the same" never drifts);
4. each leader is matched against the open claims: at tier ``same`` its whole
   cluster joins that claim (related ones become suggestions);
5. each remaining leader becomes a new claim and is matched against the
   library (facts, live rebuttals) for "already answered" suggestions.

Each distinct text is encoded once, in one batch: clustering represents every
message by the vector it is matched with (``_QueryVectors``), and the later
matches hit the import's memo (``EngineSet.memo``).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from desk.services.forwards import core_text, negation_words, place_words, typo_leaders
from desk.services.matching import K_SLACK, EngineSet, MatchHit, hits_from
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import imports as imports_repo
from desk.store import index_state as state_repo
from index.analysis import analyze
from index.engine import Doc, doc_views, query_text

Normalizer = Callable[[str], Any]
Progress = Callable[..., None]
SUGGESTIONS_PER_CLAIM = 10


@dataclass
class Incoming:
    """One message (or row) that carries a claim."""

    text: str
    message_key: str
    seen_at: str | None = None          # ISO-8601 UTC
    channel: str = "whatsapp"
    source_group: str | None = None
    source_url: str | None = None
    sender: str | None = None           # raw; the sighting service hashes it
    region_code: str | None = None
    topics: tuple[str, ...] = ()
    line: int = 0
    key: str = ""                       # the normalised matching key


@dataclass
class Group:
    """Messages that become sightings of one claim."""

    members: list[Incoming]
    existing_claim: int | None = None    # fold into this claim (it existed before)
    how: str | None = None               # "key" or "same" when existing_claim is set
    leader: int | None = None            # index of the group whose claim this one joins
    suggestions: list[MatchHit] = field(default_factory=list)
    related_leader: tuple[int, float] | None = None   # (group index, score): a related claim

    @property
    def first(self) -> Incoming:
        return self.members[0]

    @property
    def is_new_claim(self) -> bool:
        return self.existing_claim is None and self.leader is None


@dataclass
class Plan:
    groups: list[Group]
    matched: bool
    timings: dict[str, float] = field(default_factory=dict)

    def new_claims(self) -> list[int]:
        return [i for i, g in enumerate(self.groups) if g.is_new_claim]


def _tick(timings: dict[str, float], name: str, started: float) -> float:
    now = time.perf_counter()
    timings[name] = round(timings.get(name, 0.0) + now - started, 4)
    return now


def plan_import(store: Store, items: Sequence[Incoming], *, normalizer: Normalizer,
                engines: EngineSet | None, progress: Progress | None = None) -> Plan:
    """Group ``items`` and decide where each group goes (nothing is written)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    groups: dict[str, Group] = {}
    for n, item in enumerate(items, 1):
        norm = normalizer(item.text)
        # The same key ClaimService stores: an empty key falls back to the text.
        item.key = norm.key or item.text.casefold()
        group = groups.get(item.key)
        if group is None:
            groups[item.key] = Group([item])
        else:
            group.members.append(item)
        if progress and n % 1000 == 0:
            progress("normalise", n, len(items))
    ordered = list(groups.values())
    _join_existing(store, {k: [g] for k, g in groups.items()}, how="key")
    started = _tick(timings, "normalise", started)
    _fold_near_identical(store, ordered, normalizer)
    started = _tick(timings, "near_identical", started)
    plan = Plan(ordered, matched=engines is not None, timings=timings)
    if engines is None:
        return plan
    with engines.memo():
        engines.ensure_synced(store)
        started = _tick(timings, "index", started)
        pending = [i for i, g in enumerate(ordered) if _unplaced(g)]
        _cluster(store, engines, ordered, pending, progress)
        started = _tick(timings, "cluster", started)
        leaders = [i for i in pending if ordered[i].leader is None]
        _fold_into_open_claims(store, engines, ordered, leaders, progress)
        started = _tick(timings, "match_claims", started)
        _suggest_library(store, engines, ordered, progress)
        _tick(timings, "match_library", started)
        timings["embed"] = round(engines.embedder.memo_seconds, 4)
    return plan


def _unplaced(group: Group) -> bool:
    return group.existing_claim is None and group.leader is None


def _join_existing(store: Store, by_key: dict[str, list[Group]], *, how: str) -> None:
    """Groups whose key an existing claim has go to (the canonical of) its oldest claim."""
    existing = claims_repo.ids_by_match_key(store, list(by_key))
    roots = imports_repo.claim_roots(store, [ids[0] for ids in existing.values()])
    for key, ids in existing.items():
        for group in by_key[key]:
            if _unplaced(group):
                group.existing_claim, group.how = roots.get(ids[0], ids[0]), how


def _fold_near_identical(store: Store, groups: list[Group], normalizer: Normalizer) -> None:
    """Rule 2 of the module docstring: decoration and typos."""
    pending = [i for i, g in enumerate(groups) if _unplaced(g)]
    by_core: dict[str, list[int]] = {}
    for i in pending:
        core = core_text(groups[i].first.text)
        key = groups[i].first.key
        if core != groups[i].first.text:
            key = getattr(normalizer(core), "key", "") or key
        by_core.setdefault(key, []).append(i)
    _join_existing(store, {k: [groups[i] for i in ids] for k, ids in by_core.items()},
                   how="key")
    cores: list[str] = []
    leads: list[int] = []
    for key, ids in by_core.items():
        lead = ids[0]
        for i in ids[1:]:
            if groups[i].existing_claim is None:
                groups[i].leader = lead
        if groups[lead].existing_claim is None:
            cores.append(key)
            leads.append(lead)
    guards = place_words(normalizer), negation_words(normalizer)
    for n, lead_of in enumerate(typo_leaders(cores, *guards)):
        if lead_of is not None:
            groups[leads[n]].leader = leads[lead_of]
    _resolve_leaders(groups)


def _resolve_leaders(groups: list[Group]) -> None:
    """Point every member at the root of its cluster (a leader that leads nothing else)."""
    for g in groups:
        while g.leader is not None and groups[g.leader].leader is not None:
            g.leader = groups[g.leader].leader


class _QueryVectors:
    """The scratch engine's embedder: a message's views get the one vector the
    message is matched with, so clustering encodes (almost) nothing new."""

    def __init__(self, inner: Any, table: dict[str, Any]) -> None:
        self.inner, self.table = inner, table
        self.model_id, self.dim = inner.model_id, inner.dim

    def encode(self, texts: Sequence[str], *, batch: bool = False):
        missing = [t for t in texts if t not in self.table]
        if missing:
            self.table.update(zip(missing, self.inner.encode(missing, batch=True)))
        return np.stack([self.table[t] for t in texts])


def _fold_into_open_claims(store: Store, engines: EngineSet, groups: list[Group],
                           pending: list[int], progress: Progress | None) -> None:
    if not pending:
        return
    texts = [groups[i].first.text for i in pending]
    if progress:
        progress("match", 0, len(texts))
    found = engines.claims.match_many(texts, k=5 + K_SLACK)
    targets = state_repo.live_targets(store, [c.id for cands in found for c in cands])
    for i, cands in zip(pending, found):
        hits = hits_from(cands, targets)
        same = next((h for h in hits if h.tier == "same"), None)
        if same is not None:
            groups[i].existing_claim, groups[i].how = same.ref_id, "same"
        else:
            groups[i].suggestions = [h for h in hits if h.tier == "related"][:5]
    if progress:
        progress("match", len(texts), len(texts))


def _cluster(store: Store, engines: EngineSet, groups: list[Group], pending: list[int],
             progress: Progress | None) -> None:
    if len(pending) < 2:
        return
    glossary = engines.claims.glossary
    texts = {i: groups[i].first.text for i in pending}
    analyses = {i: analyze(t, glossary) for i, t in texts.items()}
    queries = [query_text(an) for an in analyses.values()]
    if progress:
        progress("embed", 0, len(queries))
    vectors = engines.embedder.encode(queries, batch=True)   # the one batched encode
    # A message's own views get the vector it is matched with; a view several
    # messages share (a "Forwarded as received" first line) is left to the model,
    # so one message's vector never stands in for another's.
    views = {i: doc_views(an) for i, an in analyses.items()}
    shared = Counter(v for vs in views.values() for v in set(vs))
    table: dict[str, Any] = dict(zip(queries, vectors))
    for (i, vs), vec in zip(views.items(), vectors):
        for view in vs:
            if shared[view] == 1:
                table.setdefault(view, vec)
    # The scratch engine holds the leaders found so far: each message is compared
    # with them (not with the other members), so every member is `same` as its leader.
    scratch = engines.scratch_engine(embedder=_QueryVectors(engines.embedder, table))
    for n, i in enumerate(pending, 1):
        best, near = _best_leader(scratch, texts[i])
        if best is None:
            scratch.upsert([Doc(id=i, text=texts[i], kind="claim")])
            groups[i].related_leader = near
        else:
            groups[i].leader = best
        if progress and (n % 200 == 0 or n == len(pending)):
            progress("cluster", n, len(pending))
    _resolve_leaders(groups)


def _best_leader(scratch: Any, text: str) -> tuple[int | None, tuple[int, float] | None]:
    """``(the leader rated same, None)`` or ``(None, (a leader rated related, score))``."""
    found = scratch.match(text, k=5)
    if found and found[0].tier == "same":
        return found[0].id, None
    near = next(((c.id, c.score) for c in found if c.tier == "related"), None)
    return None, near


def _suggest_library(store: Store, engines: EngineSet, groups: list[Group],
                     progress: Progress | None) -> None:
    new = [i for i, g in enumerate(groups) if g.is_new_claim]
    if not new:
        return
    found = engines.library.match_many([groups[i].first.text for i in new],
                                       k=SUGGESTIONS_PER_CLAIM + K_SLACK)
    targets = state_repo.live_targets(store, [c.id for cands in found for c in cands])
    for i, cands in zip(new, found):
        hits = [h for h in hits_from(cands, targets) if h.tier != "none"]
        groups[i].suggestions = (hits[:SUGGESTIONS_PER_CLAIM] + groups[i].suggestions)
    if progress:
        progress("suggest", len(new), len(new))
