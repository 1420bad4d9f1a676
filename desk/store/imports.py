"""Queries bulk intake needs, and storage failures turned into readable errors."""
from __future__ import annotations

import contextlib
import sqlite3
from typing import Iterable, Iterator, Sequence

from desk.store.db import Store, StoreError

# SQLite's wording for storage that refuses to be written.
_STORAGE_FAILURES = ("disk i/o error", "database or disk is full", "disk full",
                     "unable to open database file", "attempt to write a readonly database")


@contextlib.contextmanager
def storage_errors(what: str) -> Iterator[None]:
    """Turn SQLite storage failures inside the block into one clear :class:`StoreError`.

    Use it around a whole ``store.write()`` block: the transaction has rolled back
    by the time the error reaches the caller, so the message can say so.
    """
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if any(marker in text.lower() for marker in _STORAGE_FAILURES):
            raise StoreError(f"{what} failed: the database could not be written ({text}); "
                             "nothing was saved. Free disk space or check the disk, then "
                             "run it again") from exc
        raise


def claim_roots(store: Store, claim_ids: Sequence[int]) -> dict[int, int]:
    """claim id -> the claim its sightings should go to (the canonical of a duplicate)."""
    return {int(r[0]): int(r[1]) for r in store.select_in(
        "SELECT id, coalesce(duplicate_of, id) FROM claims WHERE id IN ({marks})", claim_ids)}


def fact_ids_by_statement(store: Store, statements: Iterable[str]) -> dict[str, int]:
    """statement -> id of an existing fact with exactly that statement (oldest first)."""
    return {r[0]: int(r[1]) for r in store.select_in(
        "SELECT statement, min(id) FROM facts WHERE statement IN ({marks}) GROUP BY statement",
        statements)}
