"""Match links (claim <-> fact/rebuttal/claim), notes and pulls."""
from __future__ import annotations

import sqlite3
from typing import Sequence

from desk.domain import (
    CorrectionNotice, LinkDecision, LinkKind, MatchLink, Note, NoteTarget, Pull, RebuttalStatus,
    SuggestedLink, Tier,
)
from desk.store.common import dumps, loads
from desk.store.db import Store
from desk.store.index_source import live_version_no


def _link(row: sqlite3.Row) -> MatchLink:
    return MatchLink(
        id=row["id"], claim_id=row["claim_id"], target_kind=LinkKind(row["target_kind"]),
        target_id=row["target_id"], score=float(row["score"]), tier=Tier(row["tier"]),
        decision=LinkDecision(row["decision"]), signals=loads(row["signals"], {}),
        decided_by=row["decided_by"], decided_at=row["decided_at"], created_at=row["created_at"],
        version=row["version"])


def get_link(store: Store, link_id: int) -> MatchLink | None:
    row = store.one("SELECT * FROM match_links WHERE id = ?", [link_id])
    return None if row is None else _link(row)


def links_for_claim(store: Store, claim_id: int) -> list[MatchLink]:
    return [_link(r) for r in store.all(
        "SELECT * FROM match_links WHERE claim_id = ? ORDER BY score DESC, id", [claim_id])]


def upsert_suggestions(store: Store, claim_id: int, suggestions: Sequence[SuggestedLink], *,
                       at: str, actor_id: int | None) -> list[int]:
    """Record matcher candidates.  A person's decision is never overwritten: for a
    confirmed or rejected pair only the score, tier and signals are refreshed."""
    ids = []
    for s in suggestions:
        decision = LinkDecision.AUTO if s.auto else LinkDecision.SUGGESTED
        cur = store.execute(
            "INSERT INTO match_links (claim_id, target_kind, target_id, score, tier, signals,"
            " decision, decided_by, decided_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (claim_id, target_kind, target_id) DO UPDATE SET score = excluded.score,"
            " tier = excluded.tier, signals = excluded.signals, updated_at = excluded.updated_at,"
            " decision = CASE WHEN decision IN ('confirmed', 'rejected') THEN decision"
            "                 ELSE excluded.decision END"
            " RETURNING id",
            [claim_id, LinkKind(s.target_kind).value, s.target_id, float(s.score),
             Tier(s.tier).value, dumps(dict(s.signals)), decision.value,
             actor_id if s.auto else None, at if s.auto else None, at, at])
        ids.append(int(cur.fetchone()[0]))
    return ids


def labelled_pairs(store: Store) -> list[tuple[float, int]]:
    """(score, 1 for confirmed / 0 for rejected) for every human decision."""
    return [(float(r[0]), 1 if r[1] == "confirmed" else 0) for r in store.all(
        "SELECT score, decision FROM match_links WHERE decision IN ('confirmed', 'rejected')"
        " ORDER BY id")]


# -- notes ---------------------------------------------------------------------------------

def add_note(store: Store, *, target: NoteTarget, target_id: int, author_id: int, body: str,
             at: str) -> int:
    cur = store.execute(
        "INSERT INTO notes (target, target_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
        [NoteTarget(target).value, target_id, author_id, body, at])
    return int(cur.lastrowid)


def notes_for(store: Store, target: NoteTarget, target_id: int) -> list[Note]:
    return [Note(id=r["id"], target=NoteTarget(r["target"]), target_id=r["target_id"],
                 author_id=r["author_id"], body=r["body"], created_at=r["created_at"])
            for r in store.all("SELECT * FROM notes WHERE target = ? AND target_id = ?"
                               " ORDER BY id", [NoteTarget(target).value, target_id])]


# -- pulls -----------------------------------------------------------------------------------

def add_pull(store: Store, *, user_id: int, rebuttal_id: int, version_no: int,
             region_id: int | None, fmt: str, at: str) -> int:
    cur = store.execute(
        "INSERT INTO pulls (user_id, rebuttal_id, version_no, region_id, format, pulled_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", [user_id, rebuttal_id, version_no, region_id, fmt, at])
    return int(cur.lastrowid)


def pulls_of(store: Store, user_id: int, *, limit: int = 200) -> list[Pull]:
    return [Pull(id=r["id"], user_id=r["user_id"], rebuttal_id=r["rebuttal_id"],
                 version_no=r["version_no"], region_id=r["region_id"], format=r["format"],
                 pulled_at=r["pulled_at"])
            for r in store.all("SELECT * FROM pulls WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                               [user_id, limit])]


def corrections_for(store: Store, user_id: int) -> list[CorrectionNotice]:
    """Rebuttals the user pulled whose handed-out version has changed since.

    For each rebuttal, the user's latest pull is compared with what is live
    now: a newer published/approved version, or a retraction.
    """
    rows = store.all(
        "SELECT p.rebuttal_id, p.version_no, p.pulled_at, r.status, r.current_version_no,"
        " r.published_version_no, r.updated_at"
        " FROM pulls p JOIN rebuttals r ON r.id = p.rebuttal_id"
        " WHERE p.user_id = ? AND p.id = (SELECT max(id) FROM pulls q"
        "   WHERE q.user_id = p.user_id AND q.rebuttal_id = p.rebuttal_id)"
        " ORDER BY p.rebuttal_id", [user_id])
    out = []
    for r in rows:
        status = RebuttalStatus(r["status"])
        live = live_version_no(status, r["current_version_no"], r["published_version_no"])
        if live is None and status != RebuttalStatus.RETRACTED:
            continue
        if live is not None and live <= r["version_no"]:
            continue
        out.append(CorrectionNotice(
            rebuttal_id=r["rebuttal_id"], pulled_version_no=r["version_no"],
            pulled_at=r["pulled_at"], current_version_no=live, status=status,
            changed_at=r["updated_at"]))
    return out
