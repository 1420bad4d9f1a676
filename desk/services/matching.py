"""The matching bridge: SQLite is the truth, the engines are derived caches.

``EngineSet`` holds the embedding model and two ``index.engine.MatchEngine``
collections (``library``: active facts and live rebuttals; ``claims``: claims
that are not dismissed or duplicates).  One per process, shared by every
thread (the UI keeps it in ``st.cache_resource``).  It follows the database
through ``match_items``:

* it remembers ``(index_epoch, match_rev)``; :meth:`EngineSet.ensure_synced`
  costs one query when nothing changed, applies ``match_items_since(rev)``
  otherwise (upsert active items, remove inactive ones);
* a different epoch (a restore) means a fresh start from ``match_items``;
* a new process loads each collection's saved state (vectors, lexical snapshot,
  one manifest) when it was made with this model and this epoch, replays
  ``match_items_since(saved watermark)`` and checks that the ids equal the
  database's; anything else (a model change, a corrupt or missing file, ids that
  do not match) leads to a rebuild from the database.  Engines save after a
  rebuild and then debounced (every couple of thousand changes or minute, and at
  ``flush``/exit), so a claim submission never rewrites the index files.

``MatchingService`` (``svc.matching``) is the per-session, permission-checked
face of it; engine candidates are always re-checked against the database, so
a fact retired or a rebuttal retracted a moment ago never shows up.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from desk.clock import Clock
from desk.config import Settings
from desk.domain import LinkDecision, LinkKind, MatchItem, MatchLink, SuggestedLink, Tier
from desk.errors import DeskError, NotFound, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.services.links import MatchLinkService
from desk.services.settings import SettingsService
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import index_state as state_repo
from index.engine import Candidate, Doc, MatchEngine
from index.errors import EngineError
from index.fusion import Thresholds, fit_thresholds, load_model
from index.glossary import load_glossary
from index.persist import IndexWriteError

log = logging.getLogger(__name__)

COLLECTIONS = ("library", "claims")
FAKE_MODEL = "fake"
MAX_K = 100
#: Extra candidates asked of the engine, so that filtering against the database
#: (retired facts, retracted rebuttals not yet removed) still leaves ``k``.
K_SLACK = 10
#: Labels needed before thresholds are fitted from reviewer decisions.
MIN_CONFIRMED = 5
MIN_REJECTED = 5

Progress = Callable[..., None]

# -- the embedding model, shared ------------------------------------------------------

class MemoEmbedder:
    """An embedder that, inside :meth:`memo` (per thread), encodes each text once.

    An import matches the same texts against several engines (open claims, the
    new claims among themselves, the library) and then indexes them; with the
    memo each distinct text reaches the model once, in batches.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = str(inner.model_id)
        self._local = threading.local()

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    @contextlib.contextmanager
    def memo(self) -> Iterator[dict[str, np.ndarray]]:
        outer = getattr(self._local, "memo", None)
        if outer is not None:  # nested: share the outer memo
            yield outer
            return
        self._local.memo, self._local.seconds = {}, 0.0
        try:
            yield self._local.memo
        finally:
            self._local.memo = None

    @property
    def memo_seconds(self) -> float:
        """Time spent in the model inside the current memo (for timing reports)."""
        return float(getattr(self._local, "seconds", 0.0) or 0.0)

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        memo = getattr(self._local, "memo", None)
        if memo is None:
            return self.inner.encode(texts, batch=batch)
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        if missing:
            started = time.perf_counter()
            vecs = np.asarray(self.inner.encode(missing, batch=batch or len(missing) > 1),
                              dtype=np.float32)
            self._local.seconds += time.perf_counter() - started
            memo.update(zip(missing, vecs))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([memo[t] for t in texts])


class _StoreCache:
    """The engines' embedding cache, routed to the store of the thread that syncs.

    The engines outlive any one connection, so the cache is whatever store the
    current :meth:`EngineSet.ensure_synced` call was given.  Writes are skipped
    inside an open transaction (a read snapshot cannot write).
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @contextlib.contextmanager
    def using(self, store: Store) -> Iterator[None]:
        previous = getattr(self._local, "store", None)
        self._local.store = store
        try:
            yield
        finally:
            self._local.store = previous

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        store = getattr(self._local, "store", None)
        return store.get_many(model_id, hashes) if store is not None else {}

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        store = getattr(self._local, "store", None)
        if store is not None and items and not store.in_transaction:
            store.put_many(model_id, items)


class _ReadOnly:
    """A cache that serves stored vectors but never stores what it is given."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        return self.inner.get_many(model_id, hashes)

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        return None


def _doc(item: MatchItem) -> Doc:
    return Doc(id=int(item.id), text=item.text, kind=item.kind, lang=item.lang)


def _stage_progress(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


class EngineSet:
    """The model and both collections; thread-safe.  See the module docstring."""

    def __init__(self, embedder: Any, *, index_dir: Path | None = None,
                 glossary: Any = None, max_text_chars: int = 20_000) -> None:
        self.embedder = MemoEmbedder(embedder)
        self._cache = _StoreCache()
        glossary = glossary if glossary is not None else load_glossary()
        model = load_model()
        self.max_text_chars = max(int(max_text_chars), 20_000)
        engines = {}
        for name in COLLECTIONS:
            engines[name] = MatchEngine(
                self.embedder, glossary=glossary, model=model, cache=self._cache,
                store_dir=(Path(index_dir) / name) if index_dir is not None else None,
                max_text_chars=self.max_text_chars)
        self.library: MatchEngine = engines["library"]
        self.claims: MatchEngine = engines["claims"]
        self.default_thresholds: Thresholds = self.library.thresholds
        self._lock = threading.RLock()
        self._synced: tuple[int, int] | None = None
        self._stored_thresholds: Any = None
        #: The last problem saving an index file (the in-memory index is still right).
        self.last_warning: str | None = None
        # Unsaved changes are replayed from the database on the next start anyway; saving
        # them at a clean exit only makes that start faster.
        atexit.register(_flush_at_exit, weakref.ref(self))

    @classmethod
    def create(cls, settings: Settings, *, embedder: Any | None = None) -> "EngineSet":
        """Engines for ``settings``: the configured model and ``settings.index_dir``.

        ``FACTDESK_MODEL=fake`` selects ``index.embedding.FakeEmbedder``, a
        deterministic trigram hasher for tests and CI only (it does not
        understand meaning).  The model itself loads on first use.
        """
        from index.embedding import FakeEmbedder, load_embedder

        if embedder is None:
            if settings.model == FAKE_MODEL:
                embedder = FakeEmbedder()
            else:
                try:
                    embedder = load_embedder(settings.model, settings.backend,
                                             cache_dir=settings.home / "models")
                except (EngineError, ValueError) as exc:
                    raise DeskError(f"the embedding model cannot be loaded: {exc}") from exc
        try:
            glossary = load_glossary(settings.glossary_path)
        except EngineError as exc:
            raise DeskError(f"the glossary cannot be read: {exc}") from exc
        return cls(embedder, index_dir=settings.index_dir, glossary=glossary,
                   max_text_chars=settings.max_text_chars)

    # -- properties ---------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    def engine(self, collection: str) -> MatchEngine:
        if collection not in COLLECTIONS:
            raise ValidationError(f"unknown collection {collection!r}; use library or claims")
        return self.library if collection == "library" else self.claims

    def memo(self) -> contextlib.AbstractContextManager:
        """Within this block (this thread), each distinct text is encoded once."""
        return self.embedder.memo()

    def scratch_engine(self, *, embedder: Any | None = None) -> MatchEngine:
        """An empty in-memory engine with the same fusion model, glossary and thresholds,
        for clustering the messages of one import among themselves.

        Scores are pairwise (they do not depend on what else the collection holds), so a
        score means here what it means in the desk's own collections.
        """
        return MatchEngine(embedder or self.embedder, thresholds=self.claims.thresholds,
                           glossary=self.claims.glossary, model=self.claims.model,
                           background=self.claims.background,
                           cache=_ReadOnly(self._cache), max_text_chars=self.max_text_chars)

    # -- keeping up with the database ------------------------------------------------------

    def ensure_synced(self, store: Store) -> None:
        """Bring both engines up to the database's ``match_rev`` (see module docstring).

        One query when nothing changed.  Call it outside any transaction.
        """
        state = state_repo.index_state(store)
        if (self._synced == (state.epoch, state.rev)
                and state.thresholds == self._stored_thresholds):
            return
        with self._lock:
            self._apply_thresholds(state.thresholds)
            if self._synced is not None and self._synced == (state.epoch, state.rev):
                return
            with self._cache.using(store):
                if self._synced is None or self._synced[0] != state.epoch:
                    self._open_all(store)
                else:
                    self._apply_changes(store, self._synced[1])

    def reindex(self, store: Store, *, progress: Progress | None = None) -> dict[str, Any]:
        """Rebuild both collections from the database and save them atomically.

        ``progress(stage, done, total)`` is called with stage ``library`` / ``claims``.
        """
        started = time.perf_counter()
        with self._lock, self._cache.using(store):
            with store.read():
                state = state_repo.index_state(store)
                revs = state_repo.collection_revs(store)
                items = {c: store.match_items(c) for c in COLLECTIONS}
            try:
                for name in COLLECTIONS:
                    self.engine(name).source_tag = _source_tag(state.epoch)
                    self.engine(name).rebuild([_doc(i) for i in items[name]],
                                              watermark=revs.get(name, 0),
                                              progress=_stage_progress(progress, name))
            except IndexWriteError as exc:
                self._synced = None  # memory may be ahead of the files: start over next time
                raise DeskError(str(exc)) from exc
            self._synced = (state.epoch, state.rev)
            self._apply_thresholds(state.thresholds)
            self.last_warning = None
        return {"model": self.model_id, "library": len(items["library"]),
                "claims": len(items["claims"]),
                "index_epoch": state.epoch, "rev": state.rev,
                "seconds": round(time.perf_counter() - started, 3)}

    def check(self, store: Store) -> dict[str, Any]:
        """Ids in the database versus ids in each engine (after syncing)."""
        self.ensure_synced(store)
        out: dict[str, Any] = {}
        with self._lock:
            for name in COLLECTIONS:
                db_ids = state_repo.active_item_ids(store, name)
                engine_ids = self.engine(name).ids()
                out[name] = {"database": len(db_ids), "index": len(engine_ids),
                             "missing": sorted(db_ids - engine_ids)[:50],
                             "ghosts": sorted(engine_ids - db_ids)[:50]}
        out["consistent"] = all(not out[n]["missing"] and not out[n]["ghosts"]
                                for n in COLLECTIONS)
        return out

    def flush(self) -> None:
        """Save whatever changed since the engines last saved (a clean shutdown)."""
        with self._lock:
            for name in COLLECTIONS:
                try:
                    self.engine(name).flush()
                except IndexWriteError as exc:
                    self._warn(exc)

    def set_thresholds(self, same: float, related: float) -> None:
        th = Thresholds(same=float(same), related=float(related))
        with self._lock:
            for name in COLLECTIONS:
                self.engine(name).thresholds = th

    # -- internals --------------------------------------------------------------------------

    def _apply_thresholds(self, stored: Any) -> None:
        if stored == self._stored_thresholds:
            return
        th = self.default_thresholds
        if stored:
            try:
                th = Thresholds(same=float(stored["same"]), related=float(stored["related"]))
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("stored match thresholds %r are unusable (%s); using defaults",
                            stored, exc)
        for name in COLLECTIONS:
            self.engine(name).thresholds = th
        self._stored_thresholds = stored

    def _open_all(self, store: Store) -> None:
        with store.read():
            state = state_repo.index_state(store)
            revs = state_repo.collection_revs(store)
        for name in COLLECTIONS:
            engine = self.engine(name)
            engine.source_tag = _source_tag(state.epoch)
            try:
                how = self._resume(store, name, revs.get(name, 0))
                if how is None:
                    with store.read():
                        items = store.match_items(name)
                    engine.rebuild([_doc(i) for i in items], watermark=revs.get(name, 0))
                    how = f"rebuilt ({engine.load_reason or 'no saved state'})"
                log.info("%s index %s (%d items)", name, how, len(engine))
            except IndexWriteError as exc:
                self._warn(exc)
        self._synced = (state.epoch, state.rev)

    def _resume(self, store: Store, name: str, rev: int) -> str | None:
        """Load the saved state and replay the database's newer changes; None if that
        cannot give exactly the database's items."""
        engine = self.engine(name)
        saved = engine.load()
        if saved is None:
            return None
        if saved > rev:
            engine.load_reason = f"the saved index (rev {saved}) is ahead of the database (rev {rev})"
            return None
        with store.read():
            changed = store.match_items_since(saved, collection=name)
        upserts = [_doc(i) for i in changed if i.active]
        removals = [int(i.id) for i in changed if not i.active]
        if removals:
            engine.remove(removals, watermark=None if upserts else rev)
        if upserts:
            engine.upsert(upserts, watermark=rev)
        if engine.watermark != rev:
            engine.remove([], watermark=rev)
        if engine.ids() != state_repo.active_item_ids(store, name):
            engine.load_reason = "the saved index and the database hold different items"
            return None
        return f"loaded at rev {saved}, {len(changed)} changes replayed"

    def _apply_changes(self, store: Store, since: int) -> None:
        with store.read():
            state = state_repo.index_state(store)
            changed = store.match_items_since(since)
        if state.epoch != (self._synced or (None,))[0]:
            self._open_all(store)
            return
        for name in COLLECTIONS:
            mine = [i for i in changed if i.collection == name]
            if not mine:
                continue
            watermark = max(i.rev for i in mine)
            upserts = [_doc(i) for i in mine if i.active]
            removals = [int(i.id) for i in mine if not i.active]
            engine = self.engine(name)
            try:
                if removals:
                    engine.remove(removals, watermark=None if upserts else watermark)
                if upserts:
                    engine.upsert(upserts, watermark=watermark)
            except IndexWriteError as exc:
                self._warn(exc)
        self._synced = (state.epoch, state.rev)

    def _warn(self, exc: Exception) -> None:
        # The in-memory index is current; only its file is stale.  On the next start
        # the manifest will not match and the index is rebuilt from the database.
        self.last_warning = str(exc)
        log.warning("matching index not saved: %s", exc)


def _source_tag(epoch: int) -> str:
    return f"index_epoch:{int(epoch)}"


def _flush_at_exit(ref: "weakref.ReferenceType[EngineSet]") -> None:
    engines = ref()
    if engines is not None:
        with contextlib.suppress(Exception):
            engines.flush()


# -- the per-session service -----------------------------------------------------------------

@dataclass(frozen=True)
class MatchHit:
    """One search result, checked against the database."""

    kind: str                  # fact | rebuttal | claim
    ref_id: int                # the fact, rebuttal or claim id
    match_item_id: int
    score: float
    tier: str                  # same | related | none
    text: str                  # what was matched (statement, live rebuttal text, claim)
    status: str                # the source's status now
    explanation: dict[str, Any] = field(default_factory=dict)
    signals: dict[str, float] = field(default_factory=dict)


def hits_from(candidates: Iterable[Candidate],
              targets: dict[int, state_repo.MatchTarget]) -> list[MatchHit]:
    """Engine candidates whose sources are live, as ``MatchHit``s (order kept)."""
    out = []
    for c in candidates:
        t = targets.get(int(c.id))
        if t is None:
            continue
        out.append(MatchHit(kind=t.kind, ref_id=t.ref_id, match_item_id=t.item_id,
                            score=float(c.score), tier=str(c.tier), text=t.text, status=t.status,
                            explanation=c.explanation.to_dict(), signals=dict(c.signals)))
    return out


def suggestion_for(hit: MatchHit) -> SuggestedLink:
    """A hit as a link suggestion; automatic only at tier ``same``."""
    return SuggestedLink(target_kind=LinkKind(hit.kind), target_id=hit.ref_id,
                         score=min(1.0, max(0.0, hit.score)), tier=Tier(hit.tier),
                         signals=hit.signals, auto=hit.tier == Tier.SAME)


class MatchingService(Service):
    """``svc.matching``: search, suggestions, near-duplicate facts, reindex, thresholds."""

    def __init__(self, store: Store, clock: Clock | None = None, *,
                 engines: EngineSet | None, links: MatchLinkService,
                 settings: SettingsService) -> None:
        super().__init__(store, clock)
        self.engines = engines
        self.links = links
        self.settings = settings

    # -- searching -------------------------------------------------------------------------

    def search(self, actor_id: int, text: str, *, k: int = 10,
               collections: Sequence[str] = ("library",),
               include_none: bool = False) -> list[MatchHit]:
        """Candidates for ``text`` from the given collections, best first."""
        self.require(actor_id, "match.run")
        engines = self._engines()
        query = self._query(text, engines)
        k = _check_k(k)
        names = list(dict.fromkeys(collections))
        if not names:
            raise ValidationError("choose at least one collection: library or claims")
        for name in names:
            engines.engine(name)  # validates the name
        engines.ensure_synced(self.store)
        found: list[Candidate] = []
        with engines.memo():
            for name in names:
                found += engine_match(engines.engine(name), query, k=k + K_SLACK,
                                include_none=include_none)
        hits = hits_from(found, state_repo.live_targets(self.store, [c.id for c in found]))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def suggest_for_claim(self, actor_id: int, claim_id: int, *,
                          record: bool = True) -> list[MatchLink]:
        """Match a claim against the library and the other claims.

        Candidates at tier ``same`` or ``related`` become links (``auto`` at
        ``same``, otherwise suggestions for a person to confirm); with
        ``record=False`` nothing is stored and the links have id 0.
        """
        actor = self.require(actor_id, "match.run", entity="claim", entity_id=claim_id)
        engines = self._engines()
        claim = claims_repo.get(self.store, claim_id)
        if claim is None:
            raise NotFound(f"claim {claim_id} does not exist")
        engines.ensure_synced(self.store)
        own = self.store.match_item_id("claim", claim_id)
        with engines.memo():
            found = engine_match(engines.library, claim.text, k=10 + K_SLACK)
            found += engine_match(engines.claims, claim.text, k=10 + K_SLACK,
                            exclude=[own] if own is not None else [])
        hits = hits_from(found, state_repo.live_targets(self.store, [c.id for c in found]))
        hits = [h for h in hits if not (h.kind == "claim" and h.ref_id == claim_id)]
        suggestions = [suggestion_for(h) for h in hits if h.tier != Tier.NONE]
        if record:
            return self.links.record_suggestions(actor.id, claim_id, suggestions)
        now = self.now()
        return [MatchLink(id=0, claim_id=claim_id, target_kind=s.target_kind,
                          target_id=s.target_id, score=s.score, tier=s.tier,
                          decision=LinkDecision.AUTO if s.auto else LinkDecision.SUGGESTED,
                          signals=dict(s.signals), decided_by=None, decided_at=None,
                          created_at=now, version=0)
                for s in suggestions]

    def similar_facts(self, actor_id: int, statement: str, *, k: int = 5) -> list[MatchHit]:
        """Active facts close to ``statement`` (near-duplicates when entering a fact)."""
        self.require(actor_id, "match.run", entity="fact")
        engines = self._engines()
        query = self._query(statement, engines)
        k = _check_k(k)
        engines.ensure_synced(self.store)
        found = engine_match(engines.library, query, k=k + K_SLACK, kinds=["fact"])
        hits = hits_from(found, state_repo.live_targets(self.store, [c.id for c in found]))
        return [h for h in hits if h.kind == "fact"][:k]

    # -- maintenance ------------------------------------------------------------------------

    def reindex(self, actor_id: int, *, progress: Progress | None = None) -> dict[str, Any]:
        """Rebuild both indexes from the database (admins)."""
        actor = self.require(actor_id, "index.rebuild")
        result = self._engines().reindex(self.store, progress=progress)
        with self.store.write():
            self.audit(actor, "index.rebuild", detail=result)
        return result

    def check(self, actor_id: int) -> dict[str, Any]:
        """Whether the ids in each index equal the active items in the database."""
        self.require(actor_id, "stats.view")
        return self._engines().check(self.store)

    def proposed_thresholds(self, actor_id: int) -> dict[str, Any] | None:
        """Thresholds fitted from people's confirm/reject decisions, with the counts;
        ``None`` while there are fewer than 5 of either."""
        self.require(actor_id, "match.calibrate")
        pairs = self.links.labelled_pairs(actor_id)
        confirmed = sum(1 for _, label in pairs if label)
        rejected = len(pairs) - confirmed
        if confirmed < MIN_CONFIRMED or rejected < MIN_REJECTED:
            return None
        fitted = fit_thresholds(pairs)
        current, version = self.settings.thresholds(actor_id)
        if current is None and self.engines is not None:
            current = self.engines.default_thresholds.to_dict()
        return {"same": fitted.same, "related": fitted.related, "labels": len(pairs),
                "confirmed": confirmed, "rejected": rejected, "current": current,
                "version": version}

    def apply_thresholds(self, actor_id: int, *, same: float, related: float,
                         expected_version: int) -> int:
        """Store new thresholds (every process picks them up); returns the new version."""
        version = self.settings.set_thresholds(actor_id, same=same, related=related,
                                               expected_version=expected_version)
        if self.engines is not None:
            self.engines.set_thresholds(same, related)
        return version

    # -- internals ---------------------------------------------------------------------------

    def _engines(self) -> EngineSet:
        if self.engines is None:
            raise DeskError("matching is not available in this session (the embedding model "
                            "is not loaded); claims are only deduplicated by exact text")
        return self.engines

    def _query(self, text: object, engines: EngineSet) -> str:
        return validate.required_text(text, "search text", max_chars=engines.max_text_chars)


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ValidationError(f"k must be a whole number from 1 to {MAX_K}")
    return k


def engine_match(engine: MatchEngine, text: str, *, k: int, include_none: bool = False,
                 kinds: Sequence[str] | None = None, exclude: Sequence[int] = ()) -> list[Candidate]:
    """``engine.match`` with the engine's refusals as ``ValidationError``."""
    try:
        return engine.match(text, k=k, include_none=include_none, kinds=kinds, exclude=exclude)
    except EngineError as exc:
        raise ValidationError(str(exc)) from exc
