"""Index source rows (``match_items``) kept in step with facts, rebuttals and claims.

Every write that changes what should be searchable calls one ``sync_*``
function inside the same transaction, so the table is never out of step with
its sources.  ``rev`` comes from a global counter: a process that last synced
at rev N asks ``Store.match_items_since(N)`` for everything newer.

* an active fact -> a ``library`` item (its statement);
* an approved or published rebuttal -> a ``library`` item (the full text of the
  live version; a correction in progress keeps the published text live);
* an open claim (not dismissed or duplicate) -> a ``claims`` item;
* otherwise an existing item is kept with ``active = 0``.
"""
from __future__ import annotations

from desk.domain import RebuttalStatus, UNINDEXED_CLAIM_STATUSES, ClaimStatus
from desk.store.db import Store


def next_rev(store: Store) -> int:
    return int(store.scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'match_rev' RETURNING value"))


def sync_item(store: Store, *, collection: str, kind: str, ref_id: int, text: str | None,
              lang: str | None, active: bool) -> int | None:
    """Upsert one item; bumps ``rev`` only when something visible changed.

    Returns the item id (the FAISS id), or None when there is no item and the
    source is inactive (nothing to index, nothing to remove).
    """
    existing = store.one("SELECT * FROM match_items WHERE kind = ? AND ref_id = ?",
                         [kind, ref_id])
    if existing is None:
        if not active or text is None:
            return None
        cur = store.execute(
            "INSERT INTO match_items (collection, kind, ref_id, text, lang, active, rev)"
            " VALUES (?, ?, ?, ?, ?, 1, ?)",
            [collection, kind, ref_id, text, lang, next_rev(store)],
        )
        return int(cur.lastrowid)
    new_text = existing["text"] if text is None else text
    if (existing["text"], existing["lang"], bool(existing["active"])) == (new_text, lang, active):
        return int(existing["id"])
    store.execute(
        "UPDATE match_items SET text = ?, lang = ?, active = ?, rev = ? WHERE id = ?",
        [new_text, lang, int(active), next_rev(store), existing["id"]],
    )
    return int(existing["id"])


def sync_fact(store: Store, fact_id: int) -> int | None:
    row = store.one("SELECT statement, lang, status FROM facts WHERE id = ?", [fact_id])
    assert row is not None
    return sync_item(store, collection="library", kind="fact", ref_id=fact_id,
                     text=row["statement"], lang=row["lang"], active=row["status"] == "active")


def sync_claim(store: Store, claim_id: int) -> int | None:
    row = store.one("SELECT text, lang, status FROM claims WHERE id = ?", [claim_id])
    assert row is not None
    active = ClaimStatus(row["status"]) not in UNINDEXED_CLAIM_STATUSES
    return sync_item(store, collection="claims", kind="claim", ref_id=claim_id,
                     text=row["text"], lang=row["lang"], active=active)


def live_version_no(status: str, current_version_no: int,
                    published_version_no: int | None) -> int | None:
    """The version coordinators may get: see :attr:`desk.domain.Rebuttal.live_version_no`."""
    st = RebuttalStatus(status)
    if st in (RebuttalStatus.APPROVED, RebuttalStatus.PUBLISHED):
        return current_version_no
    if st == RebuttalStatus.RETRACTED:
        return None
    return published_version_no


def sync_rebuttal(store: Store, rebuttal_id: int) -> int | None:
    row = store.one(
        "SELECT status, current_version_no, published_version_no FROM rebuttals WHERE id = ?",
        [rebuttal_id])
    assert row is not None
    live = live_version_no(row["status"], row["current_version_no"], row["published_version_no"])
    if live is None:
        return sync_item(store, collection="library", kind="rebuttal", ref_id=rebuttal_id,
                         text=None, lang=None, active=False)
    ver = store.one(
        "SELECT full_text, lang FROM rebuttal_versions WHERE rebuttal_id = ? AND version_no = ?",
        [rebuttal_id, live])
    assert ver is not None
    return sync_item(store, collection="library", kind="rebuttal", ref_id=rebuttal_id,
                     text=ver["full_text"], lang=ver["lang"], active=True)


def inconsistencies(store: Store) -> list[str]:
    """Differences between ``match_items`` and what the sources say (empty = consistent).

    Used by tests and by ``desk stats`` after a restore.
    """
    problems: list[str] = []
    expected: dict[tuple[str, int], tuple[str, bool]] = {}
    for r in store.all("SELECT id, statement, status FROM facts"):
        expected[("fact", r["id"])] = (r["statement"], r["status"] == "active")
    for r in store.all("SELECT id, text, status FROM claims"):
        expected[("claim", r["id"])] = (
            r["text"], ClaimStatus(r["status"]) not in UNINDEXED_CLAIM_STATUSES)
    for r in store.all(
        "SELECT r.id, r.status, r.current_version_no, r.published_version_no FROM rebuttals r"
    ):
        live = live_version_no(r["status"], r["current_version_no"], r["published_version_no"])
        text = None if live is None else store.scalar(
            "SELECT full_text FROM rebuttal_versions WHERE rebuttal_id = ? AND version_no = ?",
            [r["id"], live])
        expected[("rebuttal", r["id"])] = (text or "", live is not None)
    items = {(r["kind"], r["ref_id"]): r for r in store.all("SELECT * FROM match_items")}
    for key, (text, active) in expected.items():
        item = items.get(key)
        if item is None:
            if active:
                problems.append(f"{key[0]} {key[1]} is active but has no match item")
            continue
        if bool(item["active"]) != active:
            problems.append(f"{key[0]} {key[1]}: item active={item['active']}, source {active}")
        elif active and item["text"] != text:
            problems.append(f"{key[0]} {key[1]}: item text differs from its source")
    for key in items.keys() - expected.keys():
        problems.append(f"match item for missing {key[0]} {key[1]}")
    return problems
