"""Shared settings: key -> JSON value, with a version for optimistic concurrency."""
from __future__ import annotations

from typing import Any

from desk.errors import Conflict
from desk.store.common import dumps, load_for_update, loads, update_versioned
from desk.store.db import Store


def get(store: Store, key: str) -> tuple[Any, int] | None:
    """(value, version), or None when the key was never set."""
    row = store.one("SELECT value, version FROM settings WHERE key = ?", [key])
    return None if row is None else (loads(row["value"]), int(row["version"]))


def all_settings(store: Store) -> dict[str, tuple[Any, int]]:
    return {r["key"]: (loads(r["value"]), int(r["version"]))
            for r in store.all("SELECT key, value, version FROM settings ORDER BY key")}


def put(store: Store, key: str, value: Any, *, expected_version: int | None, actor_id: int | None,
        at: str) -> tuple[Any, int, Any]:
    """Create (``expected_version`` 0 or None) or update a setting.

    Returns (old value or None, new version, new value).  Must run in
    ``store.write()``; a stale ``expected_version`` raises ``Conflict``.
    """
    exists = store.one("SELECT 1 FROM settings WHERE key = ?", [key]) is not None
    if not exists:
        if expected_version not in (None, 0):
            raise Conflict(f"setting {key} no longer exists; reload")
        store.execute(
            "INSERT INTO settings (key, value, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?)",
            [key, dumps(value), at, actor_id])
        return None, 1, value
    row = load_for_update(store, "settings", key, expected_version, noun="setting", key="key")
    after = update_versioned(store, "settings", row, {"value": dumps(value)}, actor_id=actor_id,
                             at=at, key="key")
    return loads(row["value"]), int(after["version"]), value


def bump_index_epoch(store: Store, *, at: str, at_least: int = 0) -> int:
    """Raise ``index_epoch`` above both its value and ``at_least``; returns the new epoch."""
    current = get(store, "index_epoch")
    value = max(int(current[0]) if current else 0, at_least) + 1
    if current is None:
        store.execute("INSERT INTO settings (key, value, updated_at) VALUES ('index_epoch', ?, ?)",
                      [dumps(value), at])
    else:
        store.execute(
            "UPDATE settings SET value = ?, version = version + 1, updated_at = ?, updated_by = NULL"
            " WHERE key = 'index_epoch'", [dumps(value), at])
    return value
