"""The SQLite connection, its transactions, backup and restore.

One :class:`Store` wraps one ``sqlite3`` connection opened with
``isolation_level=None``: Python never starts transactions behind our back,
and every write transaction starts with ``BEGIN IMMEDIATE`` so concurrent
writers queue on the busy timeout instead of failing with "database is locked"
when a deferred transaction tries to upgrade.

A Store belongs to one thread (or one Streamlit session at a time).  Open one
per thread; ``Store.open`` is cheap once the migrations have run.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
import sqlite_utils

from desk.domain import MatchItem
from desk.errors import DeskError, ValidationError
from desk.store.migrations import apply_migrations

DEFAULT_BUSY_TIMEOUT_S = 30.0


class StoreError(DeskError):
    """The database file is unusable (not a desk database, corrupt, unreadable)."""


class Store:
    """One connection to the desk database.

    Use ``with store.write():`` for anything that changes rows (nested blocks
    join the outer transaction) and ``with store.read():`` for a consistent
    snapshot over several queries.  Outside both, statements autocommit.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        self._lock = threading.RLock()
        self._depth = 0
        self._writing = False
        self._after: list[Callable[[], None]] = []

    # -- opening and closing -------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
             migrate: bool = True, synchronous: str = "FULL") -> "Store":
        """Open (creating if needed) the database at ``path`` and apply migrations.

        ``synchronous`` FULL (default) fsyncs every commit; NORMAL (WAL) may lose
        the last commits on power loss but never corrupts; tests use it for speed.
        """
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError("synchronous must be FULL or NORMAL")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(path), isolation_level=None, timeout=busy_timeout_s, check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            store = cls(conn, path)
            if migrate:
                apply_migrations(store)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextlib.contextmanager
    def write(self) -> Iterator["Store"]:
        """A write transaction (``BEGIN IMMEDIATE``); nested use joins the outer one."""
        with self._lock:
            if self._depth:
                if not self._writing:
                    raise RuntimeError("cannot write inside store.read(); use store.write()")
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth, self._writing = 1, True
            try:
                yield self
            except BaseException:
                self._finish("ROLLBACK")
                raise
            else:
                try:
                    self.conn.execute("COMMIT")
                except BaseException:
                    self._finish("ROLLBACK")
                    raise
                self._finish(None)

    @contextlib.contextmanager
    def read(self) -> Iterator["Store"]:
        """A read snapshot (deferred ``BEGIN``); inside a write block it just joins."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN")
            self._depth, self._writing = 1, False
            try:
                yield self
            finally:
                self._finish("COMMIT")

    def _finish(self, sql: str | None) -> None:
        if sql and self.conn.in_transaction:
            self.conn.execute(sql)
        self._depth, self._writing = 0, False
        pending, self._after = self._after, []
        for fn in pending:
            fn()

    def after_transaction(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the outermost transaction has ended (committed or not).

        Used for records that must survive a rollback, such as the audit entry
        of a denied action.  Outside a transaction ``fn`` runs at once.
        """
        if self._depth:
            self._after.append(fn)
        else:
            fn()

    # -- statements ------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.executemany(sql, rows)

    def all(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def select_in(self, sql: str, values: Iterable[Any], *, before: Sequence[Any] = (),
                  repeat: int = 1, chunk: int = 500) -> list[sqlite3.Row]:
        """Rows of ``sql`` for every value in ``values`` (duplicates dropped, order kept).

        ``{marks}`` in ``sql`` becomes ``?, ?, …``; the values are bound ``repeat`` times
        after the ``before`` parameters.  Long lists run in chunks because SQLite caps the
        number of bound parameters, so ``sql`` must not aggregate across values.
        """
        wanted = list(dict.fromkeys(values))
        rows: list[sqlite3.Row] = []
        for start in range(0, len(wanted), chunk):
            part = wanted[start:start + chunk]
            rows += self.all(sql.format(marks=",".join("?" * len(part))),
                             [*before, *(part * repeat)])
        return rows

    # -- health ----------------------------------------------------------------

    def integrity_check(self) -> str:
        """``ok`` or the first problem SQLite reports (integrity and foreign keys)."""
        result = self.scalar("PRAGMA integrity_check")
        if result != "ok":
            return str(result)
        bad = self.all("PRAGMA foreign_key_check")
        if bad:
            row = bad[0]
            return f"foreign key violation in {row[0]} rowid {row[1]} -> {row[2]}"
        return "ok"

    def table_counts(self, tables: Sequence[str] | None = None) -> dict[str, int]:
        names = list(tables) if tables else [
            t for t in self.db.table_names() if not t.startswith(("_", "sqlite_"))
        ]
        with self.read():
            return {t: self.scalar(f'SELECT count(*) FROM "{t}"') for t in names}

    # -- index source rows (matching bridge) -----------------------------------

    def max_rev(self) -> int:
        """The highest ``match_items.rev`` handed out so far (0 for none)."""
        return int(self.scalar("SELECT value FROM counters WHERE name = 'match_rev'") or 0)

    def match_items_since(self, rev: int, *, collection: str | None = None) -> list[MatchItem]:
        """Index source rows inserted or changed after ``rev``, oldest change first."""
        sql = "SELECT * FROM match_items WHERE rev > ?"
        params: list[Any] = [rev]
        if collection:
            sql += " AND collection = ?"
            params.append(collection)
        return [_match_item(r) for r in self.all(sql + " ORDER BY rev", params)]

    def match_items(self, collection: str, *, active_only: bool = True) -> list[MatchItem]:
        """Every row of one collection (what a full index rebuild embeds)."""
        sql = "SELECT * FROM match_items WHERE collection = ?"
        if active_only:
            sql += " AND active = 1"
        return [_match_item(r) for r in self.all(sql + " ORDER BY id", [collection])]

    def match_item_id(self, kind: str, ref_id: int) -> int | None:
        """The item (FAISS) id mirroring a fact, rebuttal or claim, if any."""
        value = self.scalar("SELECT id FROM match_items WHERE kind = ? AND ref_id = ?",
                            [kind, ref_id])
        return None if value is None else int(value)

    def index_epoch(self) -> int:
        """Bumped by every restore: a matching index built before it is stale."""
        raw = self.scalar("SELECT value FROM settings WHERE key = 'index_epoch'")
        return int(json.loads(raw)) if raw is not None else 0

    # -- index.cache.EmbeddingCache ----------------------------------------------

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for ``hashes`` (missing ones are simply absent)."""
        out: dict[str, np.ndarray] = {}
        for row in self.select_in(
            "SELECT content_hash, dim, vector FROM embeddings"
            " WHERE model_id = ? AND content_hash IN ({marks})", hashes, before=[model_id],
        ):
            vec = np.frombuffer(row["vector"], dtype="<f4")
            if vec.shape[0] == row["dim"]:
                out[row["content_hash"]] = vec
        return out

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        """Store vectors as little-endian float32 BLOBs, all in one transaction."""
        rows = []
        for h, v in items.items():
            arr = np.asarray(v, dtype="<f4").reshape(-1)
            rows.append((model_id, h, int(arr.shape[0]), arr.tobytes()))
        with self.write():
            self.executemany(
                "INSERT OR REPLACE INTO embeddings (model_id, content_hash, dim, vector) "
                "VALUES (?, ?, ?, ?)", rows,
            )

    # -- backup and restore -------------------------------------------------------

    def backup_to(self, dest: Path | str) -> Path:
        """Copy the live database to ``dest`` with SQLite's online backup API.

        The copy is one consistent point in time even while other connections
        write.  It is written to a temporary file, checked, fsynced and renamed,
        so ``dest`` is either the complete backup or untouched.
        """
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".partial")
        tmp.unlink(missing_ok=True)
        target = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            with self._lock:
                # pages=-1: one step, so the copy is a single snapshot.
                self.conn.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode = DELETE")
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise StoreError(f"backup failed its integrity check: {check}")
        finally:
            target.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        return dest

    def restore_from(self, src: Path | str) -> None:
        """Replace the whole database with the backup at ``src`` (online backup API).

        The backup is checked first (readable, integrity ok, a desk database);
        a bad file raises :class:`StoreError` and changes nothing.  Migrations
        newer than the backup are applied afterwards.  The caller (the admin
        service) bumps ``index_epoch`` and audits the restore.
        """
        src = Path(src)
        if not src.is_file():
            raise ValidationError(f"backup file not found: {src}")
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, isolation_level=None)
        try:
            try:
                check = source.execute("PRAGMA integrity_check").fetchone()[0]
                has_migrations = source.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name = '_sqlite_migrations'"
                ).fetchone()[0]
                desk_set = has_migrations and source.execute(
                    "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'factdesk'"
                ).fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{src} is not a readable SQLite database: {exc}") from exc
            if check != "ok":
                raise StoreError(f"{src} failed its integrity check: {check}")
            if not desk_set:
                raise StoreError(f"{src} is not a Fact Desk database")
            with self._lock:
                if self._depth:
                    raise RuntimeError("restore_from cannot run inside a transaction")
                source.backup(self.conn, pages=-1)
        finally:
            source.close()
        apply_migrations(self)


def _match_item(row: sqlite3.Row) -> MatchItem:
    return MatchItem(
        id=row["id"], collection=row["collection"], kind=row["kind"], ref_id=row["ref_id"],
        text=row["text"], lang=row["lang"], active=bool(row["active"]), rev=row["rev"],
    )
