"""Claims, their topics and sightings, virality figures and the triage queue."""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable, Sequence

from desk.domain import (
    Channel, Claim, ClaimStatus, DismissReason, QueueFilter, QueueRow, Sighting, Verdict,
    Virality,
)
from desk.store.common import escape_like
from desk.store.db import Store
from desk.store.index_source import sync_claim
from desk.store.regions import path_range


def _claim(row: sqlite3.Row, topics: tuple[str, ...]) -> Claim:
    return Claim(
        id=row["id"], text=row["text"], match_key=row["match_key"], lang=row["lang"],
        script=row["script"], channel=Channel(row["channel"]), source_url=row["source_url"],
        source_group=row["source_group"], first_seen_at=row["first_seen_at"],
        last_seen_at=row["last_seen_at"], region_id=row["region_id"],
        status=ClaimStatus(row["status"]),
        dismiss_reason=DismissReason(row["dismiss_reason"]) if row["dismiss_reason"] else None,
        duplicate_of=row["duplicate_of"], answered_by=row["answered_by"],
        priority=float(row["priority"]), assignee_id=row["assignee_id"], due_at=row["due_at"],
        verdict=Verdict(row["verdict"]) if row["verdict"] else None,
        sighting_count=row["sighting_count"], group_count=row["group_count"],
        region_count=row["region_count"], sightings_24h=row["sightings_24h"], topics=topics,
        created_at=row["created_at"], updated_at=row["updated_at"], updated_by=row["updated_by"],
        version=row["version"],
    )


def _topics_for(store: Store, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {i: [] for i in ids}
    for r in store.select_in(
            "SELECT ct.claim_id, t.slug FROM claim_topics ct JOIN topics t ON t.id = ct.topic_id"
            " WHERE ct.claim_id IN ({marks}) ORDER BY t.slug", ids):
        out[r[0]].append(r[1])
    return {k: tuple(v) for k, v in out.items()}


def get(store: Store, claim_id: int) -> Claim | None:
    row = store.one("SELECT * FROM claims WHERE id = ?", [claim_id])
    return None if row is None else _claim(row, _topics_for(store, [claim_id])[claim_id])


def get_many(store: Store, ids: Sequence[int]) -> list[Claim]:
    ids = list(dict.fromkeys(ids))
    rows = {r["id"]: r for r in store.select_in("SELECT * FROM claims WHERE id IN ({marks})", ids)}
    topics = _topics_for(store, list(rows))
    return [_claim(rows[i], topics[i]) for i in ids if i in rows]


def ids_by_match_key(store: Store, keys: Iterable[str]) -> dict[str, list[int]]:
    """Claim ids (oldest first) per exact matching key, for intake deduplication."""
    out: dict[str, list[int]] = {}
    for r in store.select_in(
            "SELECT match_key, id FROM claims WHERE match_key IN ({marks}) ORDER BY id", keys):
        out.setdefault(r[0], []).append(r[1])
    return out


def insert(store: Store, *, text: str, match_key: str, lang: str | None, script: str | None,
           channel: Channel, source_url: str | None, source_group: str | None, seen_at: str,
           region_id: int | None, topic_ids: Sequence[int], at: str, actor_id: int | None,
           due_at: str | None = None) -> int:
    """Insert a new claim (status ``new``) and its index item; run in ``store.write()``."""
    cur = store.execute(
        "INSERT INTO claims (text, match_key, lang, script, channel, source_url, source_group,"
        " first_seen_at, last_seen_at, region_id, due_at, created_at, created_by, updated_at,"
        " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [text, match_key, lang, script, channel.value, source_url, source_group, seen_at,
         seen_at, region_id, due_at, at, actor_id, at, actor_id])
    claim_id = int(cur.lastrowid)
    set_topics(store, claim_id, topic_ids)
    sync_claim(store, claim_id)
    return claim_id


def set_topics(store: Store, claim_id: int, topic_ids: Sequence[int]) -> None:
    store.execute("DELETE FROM claim_topics WHERE claim_id = ?", [claim_id])
    store.executemany("INSERT OR IGNORE INTO claim_topics (claim_id, topic_id) VALUES (?, ?)",
                      [(claim_id, t) for t in topic_ids])


def claims_linked_to_rebuttal(store: Store, rebuttal_id: int) -> list[int]:
    return [r[0] for r in store.all(
        "SELECT claim_id FROM rebuttal_claims WHERE rebuttal_id = ? ORDER BY claim_id",
        [rebuttal_id])]


def set_system_fields(store: Store, claim_id: int, fields: dict[str, Any]) -> None:
    """Update derived columns (priority, virality) without bumping the version:
    nobody edited the claim, so forms loaded earlier stay valid."""
    assignments = ", ".join(f"{c} = ?" for c in fields)
    store.execute(f"UPDATE claims SET {assignments} WHERE id = ?", [*fields.values(), claim_id])


# -- sightings ----------------------------------------------------------------------

def _sighting(row: sqlite3.Row) -> Sighting:
    return Sighting(id=row["id"], claim_id=row["claim_id"], seen_at=row["seen_at"],
                    channel=Channel(row["channel"]), source_group=row["source_group"],
                    sender_hash=row["sender_hash"], region_id=row["region_id"],
                    message_key=row["message_key"])


def insert_sighting(store: Store, *, claim_id: int, seen_at: str, channel: Channel,
                    source_group: str | None, sender_hash: str | None, region_id: int | None,
                    message_key: str, at: str, actor_id: int | None) -> int | None:
    """Insert one sighting; None when its ``message_key`` is already stored."""
    cur = store.execute(
        "INSERT INTO sightings (claim_id, seen_at, channel, source_group, sender_hash, region_id,"
        " message_key, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (message_key) DO NOTHING",
        [claim_id, seen_at, channel.value, source_group, sender_hash, region_id, message_key,
         at, actor_id])
    return int(cur.lastrowid) if cur.rowcount == 1 else None


def known_message_keys(store: Store, keys: Iterable[str]) -> dict[str, int]:
    """message_key -> claim id for keys already stored."""
    return {r[0]: r[1] for r in store.select_in(
        "SELECT message_key, claim_id FROM sightings WHERE message_key IN ({marks})", keys)}


def sightings_for(store: Store, claim_id: int, *, limit: int = 500) -> list[Sighting]:
    return [_sighting(r) for r in store.all(
        "SELECT * FROM sightings WHERE claim_id = ? ORDER BY seen_at DESC, id DESC LIMIT ?",
        [claim_id, limit])]


VIRALITY_CHUNK = 400  # claim ids per query (each is bound twice; SQLite caps parameters)


def virality(store: Store, claim_ids: Sequence[int], *, since_24h: str) -> dict[int, Virality]:
    """Sighting figures per claim, counting the sightings of its duplicates too
    (claims without sightings get zeros)."""
    out = {cid: Virality() for cid in claim_ids}
    ids = list(out)
    for start in range(0, len(ids), VIRALITY_CHUNK):
        chunk = ids[start:start + VIRALITY_CHUNK]
        marks = ",".join("?" * len(chunk))
        for r in store.all(
            "SELECT coalesce(c.duplicate_of, c.id) AS cid, count(*),"
            " count(DISTINCT s.source_group), count(DISTINCT s.region_id),"
            " sum(s.seen_at >= ?), min(s.seen_at), max(s.seen_at)"
            " FROM sightings s JOIN claims c ON c.id = s.claim_id"
            f" WHERE s.claim_id IN (SELECT id FROM claims WHERE id IN ({marks})"
            f"   OR duplicate_of IN ({marks}))"
            " GROUP BY cid", [since_24h, *chunk, *chunk]):
            # A group is complete only in the chunk holding the canonical claim itself; a
            # chunk holding just one of its duplicates sees part of the sightings.
            if r[0] in chunk:
                out[r[0]] = Virality(sightings=r[1], groups=r[2], regions=r[3],
                                     last_24h=r[4] or 0, first_seen_at=r[5], last_seen_at=r[6])
    return out


def repoint_duplicates(store: Store, old_canonical: int, new_canonical: int) -> list[int]:
    """Claims marked as duplicates of ``old_canonical`` now point at ``new_canonical``."""
    ids = [r[0] for r in store.all("SELECT id FROM claims WHERE duplicate_of = ?",
                                   [old_canonical])]
    store.execute("UPDATE claims SET duplicate_of = ? WHERE duplicate_of = ?",
                  [new_canonical, old_canonical])
    return ids


_REFRESH_COLS = ("id, first_seen_at, last_seen_at, due_at, sighting_count, group_count,"
                 " region_count, sightings_24h, priority")


def claims_for_refresh(store: Store, statuses: Sequence[str]) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(statuses))
    return store.all(f"SELECT {_REFRESH_COLS} FROM claims WHERE status IN ({marks})",
                     list(statuses))


def refresh_rows(store: Store, claim_ids: Sequence[int]) -> list[sqlite3.Row]:
    return store.select_in(f"SELECT {_REFRESH_COLS} FROM claims WHERE id IN ({{marks}})",
                           claim_ids)


# -- triage queue --------------------------------------------------------------------

_QUEUE_COLS = ("id, text, status, priority, lang, channel, region_id, assignee_id, due_at,"
               " last_seen_at, sighting_count, group_count, version")


def _filters(store: Store, f: QueueFilter, key_text: str | None, *,
             by_topic: bool = False) -> tuple[list[str], list[Any]]:
    """WHERE clauses on the queue columns.  ``by_topic``: they run on ``claim_topics``
    (which carries those columns, migration m005) and the topic is one of them."""
    where: list[str] = []
    params: list[Any] = []
    if f.topic and by_topic:
        where.append("topic_id = (SELECT id FROM topics WHERE slug = ?)")
        params.append(f.topic)
    elif f.topic:
        where.append("id IN (SELECT ct.claim_id FROM claim_topics ct JOIN topics t"
                     " ON t.id = ct.topic_id WHERE t.slug = ?)")
        params.append(f.topic)
    if f.region_id is not None:
        path = store.scalar("SELECT path FROM regions WHERE id = ?", [f.region_id]) or "/none/"
        lo, hi = path_range(path)
        where.append("region_id IN (SELECT id FROM regions WHERE path >= ? AND path < ?)")
        params += [lo, hi]
    if f.lang:
        where.append("lang = ?")
        params.append(f.lang)
    if f.unassigned:
        where.append("assignee_id IS NULL")
    elif f.assignee_id is not None:
        where.append("assignee_id = ?")
        params.append(f.assignee_id)
    if f.channel:
        where.append("channel = ?")
        params.append(Channel(f.channel).value)
    if f.seen_from:
        where.append("last_seen_at >= ?")
        params.append(f.seen_from)
    if f.seen_to:
        where.append("last_seen_at <= ?")
        params.append(f.seen_to)
    if f.text:
        needles = [f.text] + ([key_text] if key_text else [])
        if all(len(n) >= 3 for n in needles):
            # Trigram index first (phrase queries are literal: only '"' needs escaping).
            phrases = [f'text : "{f.text.replace(chr(34), chr(34) * 2)}"']
            if key_text:
                phrases.append(f'match_key : "{key_text.replace(chr(34), chr(34) * 2)}"')
            where.append("id IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?)")
            params.append(" OR ".join(phrases))
        clause = "text LIKE ? ESCAPE '\\'"
        params.append("%" + escape_like(f.text) + "%")
        if key_text:
            clause = f"({clause} OR match_key LIKE ? ESCAPE '\\')"
            params.append("%" + escape_like(key_text) + "%")
        where.append(clause)
    return where, params


def queue(store: Store, f: QueueFilter, *, page: int, page_size: int,
          key_text: str | None = None) -> tuple[list[QueueRow], int, dict[str, int]]:
    """One page of claims by priority, the total, and counts per status.

    ``key_text`` is the normalised form of ``f.text`` (also matched against
    ``match_key``, so a Hinglish spelling finds the Devanagari claim).
    """
    # A topic filter without a text filter reads claim_topics' covering index; the text
    # filter needs the claim's text, so it keeps the claims table.
    by_topic = bool(f.topic) and not f.text
    where, params = _filters(store, f, key_text, by_topic=by_topic)
    statuses = [ClaimStatus(s).value for s in f.statuses] or [s.value for s in ClaimStatus]
    base_where = " AND ".join(where) if where else "1 = 1"
    table, id_col = ("claim_topics", "claim_id") if by_topic else ("claims", "id")
    with store.read():
        counts = {r[0]: r[1] for r in store.all(
            f"SELECT status, count(*) FROM {table} WHERE {base_where} GROUP BY status", params)}
        total = sum(counts.get(s, 0) for s in statuses)
        marks = ",".join("?" * len(statuses))
        if by_topic:
            ids = [r[0] for r in store.all(
                f"SELECT claim_id FROM claim_topics WHERE status IN ({marks}) AND {base_where}"
                " ORDER BY priority DESC, claim_id DESC LIMIT ? OFFSET ?",
                [*statuses, *params, page_size, (page - 1) * page_size])]
            found = {r["id"]: r for r in store.select_in(
                f"SELECT {_QUEUE_COLS} FROM claims WHERE id IN ({{marks}})", ids)}
            rows = [found[i] for i in ids if i in found]
        else:
            rows = store.all(
                f"SELECT {_QUEUE_COLS} FROM {table} WHERE status IN ({marks}) AND {base_where}"
                f" ORDER BY priority DESC, {id_col} DESC LIMIT ? OFFSET ?",
                [*statuses, *params, page_size, (page - 1) * page_size])
    items = [QueueRow(
        id=r["id"], text=r["text"], status=ClaimStatus(r["status"]), priority=float(r["priority"]),
        lang=r["lang"], channel=Channel(r["channel"]), region_id=r["region_id"],
        assignee_id=r["assignee_id"], due_at=r["due_at"], last_seen_at=r["last_seen_at"],
        sighting_count=r["sighting_count"], group_count=r["group_count"], version=r["version"],
    ) for r in rows]
    return items, total, {s.value: counts.get(s.value, 0) for s in ClaimStatus}


def existing_ids(store: Store, claim_ids: Iterable[int]) -> list[int]:
    return [r[0] for r in store.select_in("SELECT id FROM claims WHERE id IN ({marks})",
                                          claim_ids)]


def canonical_ids(store: Store, claim_ids: Sequence[int]) -> list[int]:
    """The canonical claims of those among ``claim_ids`` that are duplicates."""
    rows = store.select_in("SELECT DISTINCT duplicate_of FROM claims"
                           " WHERE duplicate_of IS NOT NULL AND id IN ({marks})", claim_ids)
    return list(dict.fromkeys(r[0] for r in rows))
