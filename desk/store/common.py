"""Helpers shared by the repositories: JSON columns, versioned updates, LIKE escaping."""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Mapping

from desk.errors import Conflict, NotFound
from desk.store.db import Store

# Tables whose rows people edit; each has id, version, updated_at, updated_by.
VERSIONED_TABLES = frozenset({
    "users", "regions", "topics", "claims", "facts", "rebuttals", "match_links", "settings",
})


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    return default if text is None else json.loads(text)


def row_dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    return None if row is None else {k: row[k] for k in row.keys()}


def escape_like(text: str, escape: str = "\\") -> str:
    """Make ``text`` literal inside a LIKE pattern (use with ``ESCAPE '\\'``)."""
    return (text.replace(escape, escape + escape)
                .replace("%", escape + "%")
                .replace("_", escape + "_"))


def username_of(store: Store, user_id: int | None) -> str:
    if user_id is None:
        return "unknown"
    name = store.scalar("SELECT username FROM users WHERE id = ?", [user_id])
    return name or f"user #{user_id}"


def conflict(store: Store, noun: str, row_id: Any, row: Mapping[str, Any],
             expected: int) -> Conflict:
    """"claim 7 was changed by asha at ..." (code ``conflict``)."""
    by = username_of(store, row["updated_by"])
    return Conflict(
        f"{noun} {row_id} was changed by {by} at {row['updated_at']} (you loaded version "
        f"{expected}, it is now version {row['version']}); reload it and apply your change again",
        code="conflict", params={"noun": noun, "id": row_id, "by": by, "at": row["updated_at"],
                                 "loaded": expected, "now": row["version"]})


def load_for_update(store: Store, table: str, row_id: Any, expected_version: int | None,
                    *, noun: str, key: str = "id") -> dict[str, Any]:
    """Read a row inside a write transaction and check its version.

    Raises :class:`NotFound` or :class:`Conflict` ("changed by B at ...").
    ``expected_version=None`` skips the check (system-driven changes only).
    """
    assert table in VERSIONED_TABLES, table
    assert store.in_transaction, "load_for_update needs store.write()"
    row = row_dict(store.one(f"SELECT * FROM {table} WHERE {key} = ?", [row_id]))
    if row is None:
        raise NotFound(f"{noun} {row_id} does not exist")
    if expected_version is not None and row["version"] != expected_version:
        raise conflict(store, noun, row_id, row, expected_version)
    return row


def update_versioned(store: Store, table: str, row: Mapping[str, Any],
                     changes: Mapping[str, Any], *, actor_id: int | None, at: str,
                     key: str = "id") -> dict[str, Any]:
    """Apply ``changes`` to a row loaded by :func:`load_for_update`; bump its version.

    Returns the row as it is after the update.
    """
    assert table in VERSIONED_TABLES, table
    cols = dict(changes)
    cols["updated_at"] = at
    cols["updated_by"] = actor_id
    assignments = ", ".join(f"{c} = ?" for c in cols)
    cur = store.execute(
        f"UPDATE {table} SET {assignments}, version = version + 1 "
        f"WHERE {key} = ? AND version = ?",
        [*cols.values(), row[key], row["version"]],
    )
    if cur.rowcount != 1:  # pragma: no cover - guarded by the write lock
        raise Conflict(f"{table} {row[key]} changed during the update")
    after = row_dict(store.one(f"SELECT * FROM {table} WHERE {key} = ?", [row[key]]))
    assert after is not None
    return after
