"""What the matching bridge reads to keep its indexes in step with the database.

* :func:`index_state` answers "did anything change?" with one query: the
  restore epoch, the global ``match_rev`` counter and the stored thresholds.
* :func:`collection_revs` gives the newest revision per collection, which the
  bridge uses as each persisted index's watermark.
* :func:`live_targets` checks engine candidates against the database (a fact
  retired or a rebuttal retracted a moment ago is never shown, even before the
  index has caught up).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from desk.domain import UNINDEXED_CLAIM_STATUSES
from desk.store.common import loads
from desk.store.db import Store

THRESHOLDS_KEY = "match.thresholds"


@dataclass(frozen=True)
class IndexState:
    epoch: int
    rev: int
    thresholds: dict[str, Any] | None


def index_state(store: Store) -> IndexState:
    """Restore epoch, ``match_rev`` and the stored thresholds, in one statement."""
    row = store.one(
        "SELECT (SELECT value FROM settings WHERE key = 'index_epoch'),"
        " (SELECT value FROM counters WHERE name = 'match_rev'),"
        " (SELECT value FROM settings WHERE key = ?)", [THRESHOLDS_KEY])
    assert row is not None
    epoch = int(loads(row[0])) if row[0] is not None else 0
    thresholds = loads(row[2]) if row[2] is not None else None
    return IndexState(epoch=epoch, rev=int(row[1] or 0),
                      thresholds=thresholds if isinstance(thresholds, dict) else None)


def collection_revs(store: Store) -> dict[str, int]:
    """The newest ``rev`` of each collection, inactive items included."""
    return {r[0]: int(r[1]) for r in store.all(
        "SELECT collection, max(rev) FROM match_items GROUP BY collection")}


@dataclass(frozen=True)
class MatchTarget:
    """A match item whose source may be shown: the fact, rebuttal or claim behind it."""

    item_id: int
    collection: str
    kind: str
    ref_id: int
    text: str
    status: str


def _live(kind: str, status: str | None, published_version_no: int | None) -> bool:
    if status is None:
        return False
    if kind == "fact":
        return status == "active"
    if kind == "rebuttal":
        return status in ("approved", "published") or (
            published_version_no is not None and status != "retracted")
    return status not in {s.value for s in UNINDEXED_CLAIM_STATUSES}


def live_targets(store: Store, item_ids: Iterable[int]) -> dict[int, MatchTarget]:
    """The items among ``item_ids`` that are active *and* whose source is live now."""
    out: dict[int, MatchTarget] = {}
    for r in store.select_in(
            "SELECT m.id, m.collection, m.kind, m.ref_id, m.text,"
            " CASE m.kind WHEN 'fact' THEN f.status WHEN 'rebuttal' THEN r.status"
            "  ELSE c.status END AS status, r.published_version_no"
            " FROM match_items m"
            " LEFT JOIN facts f ON m.kind = 'fact' AND f.id = m.ref_id"
            " LEFT JOIN rebuttals r ON m.kind = 'rebuttal' AND r.id = m.ref_id"
            " LEFT JOIN claims c ON m.kind = 'claim' AND c.id = m.ref_id"
            " WHERE m.active = 1 AND m.id IN ({marks})", (int(i) for i in item_ids)):
        if _live(r["kind"], r["status"], r["published_version_no"]):
            out[int(r["id"])] = MatchTarget(
                item_id=int(r["id"]), collection=r["collection"], kind=r["kind"],
                ref_id=int(r["ref_id"]), text=r["text"], status=r["status"])
    return out


def active_item_ids(store: Store, collection: str) -> set[int]:
    """Ids of the active items of one collection (for consistency checks)."""
    return {int(r[0]) for r in store.all(
        "SELECT id FROM match_items WHERE collection = ? AND active = 1", [collection])}
