"""Users, sessions and sign-in failures."""
from __future__ import annotations

import sqlite3
from typing import Any

from desk.domain import Role, User
from desk.store.db import Store

SYSTEM_USERNAME = "system"


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"], username=row["username"], display_name=row["display_name"],
        role=Role(row["role"]), active=bool(row["active"]), email=row["email"],
        language=row["language"], region_id=row["region_id"], is_system=bool(row["is_system"]),
        has_password=row["password_hash"] is not None, created_at=row["created_at"],
        version=row["version"],
    )


def get(store: Store, user_id: int) -> User | None:
    row = store.one("SELECT * FROM users WHERE id = ?", [user_id])
    return None if row is None else _user(row)


def by_username(store: Store, username: str) -> User | None:
    row = store.one("SELECT * FROM users WHERE username = ?", [username])
    return None if row is None else _user(row)


def by_email(store: Store, email: str) -> User | None:
    row = store.one("SELECT * FROM users WHERE email = ? AND is_system = 0", [email])
    return None if row is None else _user(row)


def password_hash(store: Store, user_id: int) -> str | None:
    return store.scalar("SELECT password_hash FROM users WHERE id = ?", [user_id])


def system_user_id(store: Store) -> int:
    return int(store.scalar("SELECT id FROM users WHERE username = ? AND is_system = 1",
                            [SYSTEM_USERNAME]))


def list_users(store: Store, *, include_system: bool = False) -> list[User]:
    sql = "SELECT * FROM users"
    if not include_system:
        sql += " WHERE is_system = 0"
    return [_user(r) for r in store.all(sql + " ORDER BY username")]


def count_people(store: Store) -> int:
    """Accounts other than the built-in system actor."""
    return int(store.scalar("SELECT count(*) FROM users WHERE is_system = 0"))


def insert(store: Store, *, username: str, display_name: str, role: Role, email: str | None,
           language: str | None, region_id: int | None, password_hash: str | None,
           at: str, actor_id: int | None) -> int:
    cur = store.execute(
        "INSERT INTO users (username, display_name, email, role, language, region_id,"
        " password_hash, password_changed_at, active, is_system, created_at, updated_at,"
        " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?, ?)",
        [username, display_name, email, role.value, language, region_id, password_hash,
         at if password_hash else None, at, at, actor_id],
    )
    return int(cur.lastrowid)


# -- sessions ------------------------------------------------------------------

def insert_session(store: Store, *, token_hash: str, user_id: int, method: str, at: str,
                   expires_at: str) -> int:
    cur = store.execute(
        "INSERT INTO sessions (token_hash, user_id, method, created_at, expires_at,"
        " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
        [token_hash, user_id, method, at, expires_at, at],
    )
    return int(cur.lastrowid)


def session_by_hash(store: Store, token_hash: str) -> dict[str, Any] | None:
    row = store.one("SELECT * FROM sessions WHERE token_hash = ?", [token_hash])
    return None if row is None else dict(zip(row.keys(), row))


def touch_session(store: Store, session_id: int, at: str) -> None:
    store.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [at, session_id])


def revoke_session(store: Store, session_id: int, *, at: str, reason: str) -> None:
    store.execute(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL",
        [at, reason, session_id])


def revoke_user_sessions(store: Store, user_id: int, *, at: str, reason: str,
                         except_session_id: int | None = None) -> int:
    cur = store.execute(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ?"
        " AND revoked_at IS NULL AND id IS NOT ?",
        [at, reason, user_id, except_session_id])
    return cur.rowcount


def active_session_count(store: Store, user_id: int, now: str) -> int:
    return int(store.scalar(
        "SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL"
        " AND expires_at > ?", [user_id, now]))


# -- throttling ------------------------------------------------------------------

def add_failure(store: Store, username: str, at: str) -> None:
    store.execute("INSERT INTO login_failures (username, at) VALUES (?, ?)", [username, at])


def clear_failures(store: Store, username: str) -> None:
    store.execute("DELETE FROM login_failures WHERE username = ?", [username])


def failures_for(store: Store, username: str, since: str) -> tuple[int, str | None]:
    """(failures since ``since``, time of the latest) for one username key."""
    row = store.one("SELECT count(*), max(at) FROM login_failures WHERE username = ? AND at >= ?",
                    [username, since])
    return int(row[0]), row[1]


def failures_overall(store: Store, since: str) -> int:
    return int(store.scalar("SELECT count(*) FROM login_failures WHERE at >= ?", [since]))


def failure_time_at(store: Store, since: str, rank: int) -> str | None:
    """Time of the ``rank``-th (0 = oldest) failure at or after ``since``, desk-wide."""
    return store.scalar("SELECT at FROM login_failures WHERE at >= ? ORDER BY at, id"
                        " LIMIT 1 OFFSET ?", [since, max(0, int(rank))])


def prune_failures(store: Store, before: str) -> None:
    store.execute("DELETE FROM login_failures WHERE at < ?", [before])


def set_password_hash(store: Store, user_id: int, hashed: str, *, at: str,
                      actor_id: int | None) -> None:
    store.execute(
        "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ?,"
        " updated_by = ?, version = version + 1 WHERE id = ?",
        [hashed, at, at, actor_id, user_id])


def rehash_password(store: Store, user_id: int, hashed: str) -> None:
    """Upgrade a hash made with older parameters (not an edit: version unchanged)."""
    store.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hashed, user_id])


def other_active_admins(store: Store, user_id: int) -> int:
    return int(store.scalar(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND is_system = 0"
        " AND id != ?", [user_id]))


def display_names(store: Store, user_ids: list[int]) -> dict[int, str]:
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    return {r[0]: r[1] for r in store.all(
        f"SELECT id, display_name FROM users WHERE id IN ({','.join('?' * len(ids))})", ids)}
