"""Aggregate queries for the dashboard (read-only).

Each query is a single ``GROUP BY`` over an indexed column or a bounded scan of
``claims``; on a desk with 10,000 claims each runs in a few milliseconds.  The
service (:mod:`desk.services.dashboard`) checks permissions and shapes the results.
"""
from __future__ import annotations

from typing import Sequence

from desk.store.db import Store


def intake_per_day(store: Store, *, since: str) -> list[tuple[str, str, str, int]]:
    """``(day, lang, channel, claims)`` for claims first seen on or after ``since``."""
    return [(r[0], r[1], r[2], int(r[3])) for r in store.all(
        "SELECT substr(first_seen_at, 1, 10) AS day, coalesce(lang, '') AS lang, channel,"
        " count(*) FROM claims WHERE first_seen_at >= ?"
        " GROUP BY day, lang, channel ORDER BY day, lang, channel", [since])]


def sightings_per_day(store: Store, *, since: str) -> list[tuple[str, str, int]]:
    """``(day, channel, forwards)``: every sighting (forward) seen on or after ``since``."""
    return [(r[0], r[1], int(r[2])) for r in store.all(
        "SELECT substr(seen_at, 1, 10) AS day, channel, count(*) FROM sightings"
        " WHERE seen_at >= ? GROUP BY day, channel ORDER BY day, channel", [since])]


def status_counts(store: Store) -> dict[str, int]:
    return {r[0]: int(r[1]) for r in store.all(
        "SELECT status, count(*) FROM claims GROUP BY status")}


def first_publication(store: Store, *, since: str | None = None) -> list[tuple[int, str, str]]:
    """``(claim_id, first_seen_at, first_published_at)`` for every claim answered
    by a published rebuttal (the earliest publication of any linked rebuttal)."""
    sql = ("SELECT rc.claim_id, c.first_seen_at, min(v.published_at) AS published"
           " FROM rebuttal_claims rc JOIN claims c ON c.id = rc.claim_id"
           " JOIN rebuttal_versions v ON v.rebuttal_id = rc.rebuttal_id"
           " WHERE v.published_at IS NOT NULL GROUP BY rc.claim_id")
    params: list[str] = []
    if since:
        sql += " HAVING published >= ?"
        params.append(since)
    return [(int(r[0]), r[1], r[2]) for r in store.all(sql, params)]


def viral_claims(store: Store, *, statuses: Sequence[str], limit: int) -> list[dict]:
    """Claims in ``statuses`` with the most forwards in the last 24 h, then overall."""
    marks = ",".join("?" * len(statuses))
    rows = store.all(
        "SELECT id, text, status, lang, region_id, sightings_24h, sighting_count, group_count,"
        f" region_count, priority FROM claims WHERE status IN ({marks})"
        " ORDER BY sightings_24h DESC, sighting_count DESC, priority DESC, id DESC LIMIT ?",
        [*statuses, limit])
    return [{k: r[k] for k in r.keys()} for r in rows]


def claims_per_region(store: Store, *, statuses: Sequence[str] | None = None) -> dict[int | None, int]:
    """Claim counts per region id (``None``: no region), optionally for some statuses."""
    sql, params = "SELECT region_id, count(*) FROM claims", []
    if statuses:
        sql += f" WHERE status IN ({','.join('?' * len(statuses))})"
        params = list(statuses)
    return {r[0]: int(r[1]) for r in store.all(sql + " GROUP BY region_id", params)}


def region_paths(store: Store) -> list[tuple[int, str, str, str | None, str, str]]:
    """``(id, code, name, name_hi, level, path)`` for every region."""
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in store.all(
        "SELECT id, code, name, name_hi, level, path FROM regions ORDER BY path")]


def review_actions(store: Store, *, since: str) -> list[tuple[int, str, int]]:
    """``(actor_id, action, count)`` of approvals and send-backs since ``since``."""
    return [(int(r[0]), r[1], int(r[2])) for r in store.all(
        "SELECT actor_id, action, count(*) FROM audit_log"
        " WHERE action IN ('rebuttal.approve', 'rebuttal.send_back') AND outcome = 'ok'"
        " AND at >= ? AND actor_id IS NOT NULL GROUP BY actor_id, action", [since])]


def open_assignments(store: Store, *, statuses: Sequence[str]) -> dict[int, int]:
    """Open claims per assignee."""
    marks = ",".join("?" * len(statuses))
    return {int(r[0]): int(r[1]) for r in store.all(
        f"SELECT assignee_id, count(*) FROM claims WHERE assignee_id IS NOT NULL"
        f" AND status IN ({marks}) GROUP BY assignee_id", list(statuses))}


def rebuttal_status_counts(store: Store) -> dict[str, int]:
    return {r[0]: int(r[1]) for r in store.all(
        "SELECT status, count(*) FROM rebuttals GROUP BY status")}


def team(store: Store) -> list[tuple[int, str, str]]:
    """``(id, display_name, role)`` of every active person (not the system actor)."""
    return [(int(r[0]), r[1], r[2]) for r in store.all(
        "SELECT id, display_name, role FROM users WHERE active = 1 AND is_system = 0"
        " ORDER BY display_name COLLATE NOCASE, id")]


def link_decisions(store: Store) -> list[tuple[str, str, int]]:
    """``(tier, decision, count)`` over every match link."""
    return [(r[0], r[1], int(r[2])) for r in store.all(
        "SELECT tier, decision, count(*) FROM match_links GROUP BY tier, decision")]
