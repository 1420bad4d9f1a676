"""Counts for ``desk stats`` and the admin dashboard."""
from __future__ import annotations

from typing import Any

from desk.store.db import Store


def _by(store: Store, table: str, col: str, where: str = "1 = 1") -> dict[str, int]:
    return {str(r[0]): r[1] for r in store.all(
        f"SELECT {col}, count(*) FROM {table} WHERE {where} GROUP BY {col} ORDER BY {col}")}


def desk_stats(store: Store) -> dict[str, Any]:
    with store.read():
        items = {f"{r[0]}_{'active' if r[1] else 'inactive'}": r[2] for r in store.all(
            "SELECT collection, active, count(*) FROM match_items GROUP BY collection, active")}
        return {
            "claims": _by(store, "claims", "status"),
            "rebuttals": _by(store, "rebuttals", "status"),
            "facts": _by(store, "facts", "status"),
            "users": _by(store, "users", "role", "is_system = 0 AND active = 1"),
            "regions": int(store.scalar("SELECT count(*) FROM regions")),
            "topics": int(store.scalar("SELECT count(*) FROM topics")),
            "sightings": int(store.scalar("SELECT count(*) FROM sightings")),
            "match_links": _by(store, "match_links", "decision"),
            "pulls": int(store.scalar("SELECT count(*) FROM pulls")),
            "audit_entries": int(store.scalar("SELECT count(*) FROM audit_log")),
            "embeddings": int(store.scalar("SELECT count(*) FROM embeddings")),
            "match_items": items,
            "match_rev": store.max_rev(),
            "index_epoch": store.index_epoch(),
        }


def set_rev_at_least(store: Store, rev: int) -> None:
    store.execute("UPDATE counters SET value = max(value, ?) WHERE name = 'match_rev'", [rev])
