"""Facts and rebuttals (with their immutable versions)."""
from __future__ import annotations

import sqlite3
from typing import Any, Sequence

from desk.domain import (
    Fact, FactStatus, Rebuttal, RebuttalStatus, RebuttalVersion, Source, Verdict,
)
from desk.store.common import dumps, loads
from desk.store.db import Store
from desk.store.index_source import sync_fact
from desk.store.regions import path_range


def _sources(raw: str) -> tuple[Source, ...]:
    return tuple(Source(url=s.get("url", ""), title=s.get("title", "") or "",
                        publisher=s.get("publisher", "") or "", date=s.get("date"))
                 for s in loads(raw, []))


# -- facts ------------------------------------------------------------------------------

def _fact(row: sqlite3.Row) -> Fact:
    return Fact(id=row["id"], statement=row["statement"], lang=row["lang"], topic=row["slug"],
                valid_until=row["valid_until"], status=FactStatus(row["status"]),
                sources=_sources(row["sources"]), created_by=row["created_by"],
                created_at=row["created_at"], updated_at=row["updated_at"],
                updated_by=row["updated_by"], version=row["version"])


_FACT_SELECT = "SELECT f.*, t.slug FROM facts f LEFT JOIN topics t ON t.id = f.topic_id"


def get_fact(store: Store, fact_id: int) -> Fact | None:
    row = store.one(_FACT_SELECT + " WHERE f.id = ?", [fact_id])
    return None if row is None else _fact(row)


def get_facts(store: Store, ids: Sequence[int]) -> list[Fact]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = {r["id"]: _fact(r) for r in store.all(
        _FACT_SELECT + f" WHERE f.id IN ({','.join('?' * len(ids))})", ids)}
    return [rows[i] for i in ids if i in rows]


def list_facts(store: Store, *, status: str | None = None, topic_id: int | None = None,
               lang: str | None = None, text_pattern: str | None = None, limit: int = 100,
               offset: int = 0) -> list[Fact]:
    where, params = ["1 = 1"], []
    if status:
        where.append("f.status = ?")
        params.append(status)
    if topic_id is not None:
        where.append("f.topic_id = ?")
        params.append(topic_id)
    if lang:
        where.append("f.lang = ?")
        params.append(lang)
    if text_pattern:
        where.append("f.statement LIKE ? ESCAPE '\\'")
        params.append(text_pattern)
    return [_fact(r) for r in store.all(
        _FACT_SELECT + " WHERE " + " AND ".join(where) + " ORDER BY f.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset])]


def insert_fact(store: Store, *, statement: str, lang: str | None, topic_id: int | None,
                valid_until: str | None, status: FactStatus, sources: Sequence[Source], at: str,
                actor_id: int | None) -> int:
    cur = store.execute(
        "INSERT INTO facts (statement, lang, topic_id, valid_until, status, sources, created_by,"
        " created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [statement, lang, topic_id, valid_until, status.value,
         dumps([s.to_dict() for s in sources]), actor_id, at, at, actor_id])
    fact_id = int(cur.lastrowid)
    sync_fact(store, fact_id)
    return fact_id


# -- rebuttals ------------------------------------------------------------------------------

def _version(row: sqlite3.Row) -> RebuttalVersion:
    return RebuttalVersion(
        rebuttal_id=row["rebuttal_id"], version_no=row["version_no"],
        verdict=Verdict(row["verdict"]), title=row["title"], full_text=row["full_text"],
        whatsapp_text=row["whatsapp_text"], lang=row["lang"],
        translations=loads(row["translations"], {}), fact_ids=tuple(loads(row["fact_ids"], [])),
        links=_sources(row["links"]), author_id=row["author_id"], change_note=row["change_note"],
        created_at=row["created_at"], approved_by=row["approved_by"],
        approved_at=row["approved_at"], published_at=row["published_at"])


def get_version(store: Store, rebuttal_id: int, version_no: int) -> RebuttalVersion | None:
    row = store.one("SELECT * FROM rebuttal_versions WHERE rebuttal_id = ? AND version_no = ?",
                    [rebuttal_id, version_no])
    return None if row is None else _version(row)


def versions(store: Store, rebuttal_id: int) -> list[RebuttalVersion]:
    return [_version(r) for r in store.all(
        "SELECT * FROM rebuttal_versions WHERE rebuttal_id = ? ORDER BY version_no",
        [rebuttal_id])]


def _rebuttal(store: Store, row: sqlite3.Row) -> Rebuttal:
    rid = row["id"]
    claim_ids = tuple(r[0] for r in store.all(
        "SELECT claim_id FROM rebuttal_claims WHERE rebuttal_id = ? ORDER BY claim_id", [rid]))
    topics = tuple(r[0] for r in store.all(
        "SELECT t.slug FROM rebuttal_topics rt JOIN topics t ON t.id = rt.topic_id"
        " WHERE rt.rebuttal_id = ? ORDER BY t.slug", [rid]))
    return Rebuttal(
        id=rid, status=RebuttalStatus(row["status"]), verdict=Verdict(row["verdict"]),
        lang=row["lang"], region_id=row["region_id"], author_id=row["author_id"],
        reviewer_id=row["reviewer_id"], current_version_no=row["current_version_no"],
        published_version_no=row["published_version_no"], claim_ids=claim_ids, topics=topics,
        created_at=row["created_at"], updated_at=row["updated_at"], updated_by=row["updated_by"],
        version=row["version"], current=get_version(store, rid, row["current_version_no"]),
        retract_reason=row["retract_reason"])


def get_rebuttal(store: Store, rebuttal_id: int) -> Rebuttal | None:
    row = store.one("SELECT * FROM rebuttals WHERE id = ?", [rebuttal_id])
    return None if row is None else _rebuttal(store, row)


def insert_rebuttal(store: Store, *, verdict: Verdict, lang: str | None, region_id: int | None,
                    author_id: int, at: str) -> int:
    cur = store.execute(
        "INSERT INTO rebuttals (status, verdict, lang, region_id, author_id, current_version_no,"
        " created_at, updated_at, updated_by) VALUES ('draft', ?, ?, ?, ?, 1, ?, ?, ?)",
        [verdict.value, lang, region_id, author_id, at, at, author_id])
    return int(cur.lastrowid)


def insert_version(store: Store, *, rebuttal_id: int, version_no: int, verdict: Verdict,
                   title: str, full_text: str, whatsapp_text: str, lang: str | None,
                   translations: dict[str, dict[str, str]], fact_ids: Sequence[int],
                   links: Sequence[Source], author_id: int, change_note: str, at: str) -> None:
    store.execute(
        "INSERT INTO rebuttal_versions (rebuttal_id, version_no, verdict, title, full_text,"
        " whatsapp_text, lang, translations, fact_ids, links, author_id, change_note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [rebuttal_id, version_no, verdict.value, title, full_text, whatsapp_text, lang,
         dumps(translations), dumps(list(fact_ids)), dumps([s.to_dict() for s in links]),
         author_id, change_note, at])


def stamp_version(store: Store, rebuttal_id: int, version_no: int, **stamps: Any) -> None:
    """Set approval/publication stamps (the content columns are immutable)."""
    assert set(stamps) <= {"approved_by", "approved_at", "published_at"}
    assignments = ", ".join(f"{k} = ?" for k in stamps)
    store.execute(
        f"UPDATE rebuttal_versions SET {assignments} WHERE rebuttal_id = ? AND version_no = ?",
        [*stamps.values(), rebuttal_id, version_no])


def link_claims(store: Store, rebuttal_id: int, claim_ids: Sequence[int]) -> None:
    store.executemany("INSERT OR IGNORE INTO rebuttal_claims (rebuttal_id, claim_id) VALUES (?, ?)",
                      [(rebuttal_id, c) for c in claim_ids])


def set_topics(store: Store, rebuttal_id: int, topic_ids: Sequence[int]) -> None:
    store.execute("DELETE FROM rebuttal_topics WHERE rebuttal_id = ?", [rebuttal_id])
    store.executemany("INSERT OR IGNORE INTO rebuttal_topics (rebuttal_id, topic_id) VALUES (?, ?)",
                      [(rebuttal_id, t) for t in topic_ids])


def rebuttals_for_claim(store: Store, claim_id: int) -> list[int]:
    return [r[0] for r in store.all(
        "SELECT rebuttal_id FROM rebuttal_claims WHERE claim_id = ? ORDER BY rebuttal_id",
        [claim_id])]


def list_rebuttals(store: Store, *, statuses: Sequence[str], region_path: str | None = None,
                   topic_id: int | None = None, lang: str | None = None,
                   since: str | None = None, until: str | None = None,
                   author_id: int | None = None, live_only: bool = False, limit: int = 200,
                   offset: int = 0) -> list[Rebuttal]:
    """Rebuttals by status, newest change first.

    ``region_path`` keeps rebuttals of that region, its descendants, its
    ancestors (a state-wide rebuttal applies to a district) and those with no
    region (nation-wide).  ``since``/``until`` bound ``updated_at``.  ``live_only``
    keeps rebuttals with a version that may be handed out (approved, published,
    or a correction in progress whose published version is still live).
    """
    where = [f"r.status IN ({','.join('?' * len(statuses))})"]
    params: list[Any] = list(statuses)
    if live_only:
        where.append("(r.status IN ('approved', 'published') OR"
                     " (r.published_version_no IS NOT NULL AND r.status != 'retracted'))")
    if region_path is not None:
        lo, hi = path_range(region_path)
        ancestors = [int(p) for p in region_path.strip("/").split("/") if p]
        where.append(
            "(r.region_id IS NULL OR r.region_id IN (SELECT id FROM regions WHERE path >= ?"
            f" AND path < ?) OR r.region_id IN ({','.join('?' * len(ancestors)) or 'NULL'}))")
        params += [lo, hi, *ancestors]
    if topic_id is not None:
        where.append("r.id IN (SELECT rebuttal_id FROM rebuttal_topics WHERE topic_id = ?)")
        params.append(topic_id)
    if lang:
        where.append("r.lang = ?")
        params.append(lang)
    if since:
        where.append("r.updated_at >= ?")
        params.append(since)
    if until:
        where.append("r.updated_at <= ?")
        params.append(until)
    if author_id is not None:
        where.append("r.author_id = ?")
        params.append(author_id)
    rows = store.all(
        "SELECT r.* FROM rebuttals r WHERE " + " AND ".join(where)
        + " ORDER BY r.updated_at DESC, r.id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return [_rebuttal(store, r) for r in rows]
