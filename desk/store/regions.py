"""Regions (a tree with a materialised path of ids) and topics."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from desk.domain import REGION_DEPTH, Region, RegionLevel, Topic
from desk.store.db import Store


@dataclass(frozen=True)
class RegionInput:
    code: str
    name: str
    name_hi: str | None
    level: RegionLevel
    parent_code: str | None


def _region(row: sqlite3.Row) -> Region:
    return Region(id=row["id"], code=row["code"], name=row["name"], name_hi=row["name_hi"],
                  level=RegionLevel(row["level"]), parent_id=row["parent_id"], path=row["path"],
                  version=row["version"])


def get(store: Store, region_id: int) -> Region | None:
    row = store.one("SELECT * FROM regions WHERE id = ?", [region_id])
    return None if row is None else _region(row)


def by_code(store: Store, code: str) -> Region | None:
    row = store.one("SELECT * FROM regions WHERE code = ?", [code])
    return None if row is None else _region(row)


def list_regions(store: Store) -> list[Region]:
    """Every region, parents before children (ordered by path)."""
    return [_region(r) for r in store.all("SELECT * FROM regions ORDER BY path")]


def path_range(path: str) -> tuple[str, str]:
    """[low, high) bounds of every path in the subtree rooted at ``path``.

    Paths look like ``/3/17/``; '0' follows '/' in ASCII, so replacing the
    final '/' with '0' gives an exclusive upper bound that an index can use.
    """
    return path, path[:-1] + "0"


def subtree_ids(store: Store, region_id: int) -> list[int]:
    """The region and all its descendants."""
    path = store.scalar("SELECT path FROM regions WHERE id = ?", [region_id])
    if path is None:
        return []
    lo, hi = path_range(path)
    return [r[0] for r in store.all("SELECT id FROM regions WHERE path >= ? AND path < ?", [lo, hi])]


def ancestors(store: Store, region_id: int) -> list[Region]:
    """Root first, ending with the region itself."""
    path = store.scalar("SELECT path FROM regions WHERE id = ?", [region_id])
    if path is None:
        return []
    ids = [int(p) for p in path.strip("/").split("/")]
    rows = {r["id"]: _region(r) for r in store.all(
        f"SELECT * FROM regions WHERE id IN ({','.join('?' * len(ids))})", ids)}
    return [rows[i] for i in ids]


def upsert_many(store: Store, rows: list[RegionInput], *, at: str,
                actor_id: int | None) -> dict[str, int]:
    """Insert or update regions by code; run inside ``store.write()``.

    Rows are applied parents first (levels are strictly ordered, so sorting by
    depth is a topological order).  Moving a region rewrites the paths of its
    whole subtree.  Returns counts: inserted, updated, unchanged.
    """
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for item in sorted(rows, key=lambda r: REGION_DEPTH[r.level]):
        parent = by_code(store, item.parent_code) if item.parent_code else None
        parent_id = parent.id if parent else None
        existing = by_code(store, item.code)
        if existing is None:
            cur = store.execute(
                "INSERT INTO regions (code, name, name_hi, level, parent_id, path, created_at,"
                " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)",
                [item.code, item.name, item.name_hi, item.level.value, parent_id, at, at,
                 actor_id])
            new_id = int(cur.lastrowid)
            path = (parent.path if parent else "/") + f"{new_id}/"
            store.execute("UPDATE regions SET path = ? WHERE id = ?", [path, new_id])
            counts["inserted"] += 1
            continue
        same = (existing.name, existing.name_hi, existing.level, existing.parent_id) == (
            item.name, item.name_hi, item.level, parent_id)
        if same:
            counts["unchanged"] += 1
            continue
        new_path = (parent.path if parent else "/") + f"{existing.id}/"
        store.execute(
            "UPDATE regions SET name = ?, name_hi = ?, level = ?, parent_id = ?, updated_at = ?,"
            " updated_by = ?, version = version + 1 WHERE id = ?",
            [item.name, item.name_hi, item.level.value, parent_id, at, actor_id, existing.id])
        if new_path != existing.path:
            lo, hi = path_range(existing.path)
            store.execute(
                "UPDATE regions SET path = ? || substr(path, ?) WHERE path >= ? AND path < ?",
                [new_path, len(existing.path) + 1, lo, hi])
        counts["updated"] += 1
    return counts


def level_violations(store: Store) -> list[str]:
    """Codes of regions whose parent is not at a higher level (after a move)."""
    depth_case = " ".join(f"WHEN '{lvl.value}' THEN {d}" for lvl, d in REGION_DEPTH.items())
    rows = store.all(
        f"SELECT c.code, p.code AS parent FROM regions c JOIN regions p ON p.id = c.parent_id"
        f" WHERE (CASE p.level {depth_case} END) >= (CASE c.level {depth_case} END)")
    return [f"{r['code']} (parent {r['parent']})" for r in rows]


# -- topics ------------------------------------------------------------------------

def _topic(row: sqlite3.Row) -> Topic:
    return Topic(id=row["id"], slug=row["slug"], name_en=row["name_en"], name_hi=row["name_hi"],
                 version=row["version"])


def topic_by_slug(store: Store, slug: str) -> Topic | None:
    row = store.one("SELECT * FROM topics WHERE slug = ?", [slug])
    return None if row is None else _topic(row)


def topic(store: Store, topic_id: int) -> Topic | None:
    row = store.one("SELECT * FROM topics WHERE id = ?", [topic_id])
    return None if row is None else _topic(row)


def list_topics(store: Store) -> list[Topic]:
    return [_topic(r) for r in store.all("SELECT * FROM topics ORDER BY slug")]


def insert_topic(store: Store, *, slug: str, name_en: str, name_hi: str | None, at: str,
                 actor_id: int | None) -> int:
    cur = store.execute(
        "INSERT INTO topics (slug, name_en, name_hi, created_at, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?)", [slug, name_en, name_hi, at, at, actor_id])
    return int(cur.lastrowid)


def rename_topic(store: Store, topic_id: int, *, name_en: str, name_hi: str | None, at: str,
                 actor_id: int | None) -> None:
    store.execute(
        "UPDATE topics SET name_en = ?, name_hi = ?, updated_at = ?, updated_by = ?,"
        " version = version + 1 WHERE id = ?", [name_en, name_hi, at, actor_id, topic_id])


def topic_ids_for_slugs(store: Store, slugs: list[str]) -> dict[str, int]:
    if not slugs:
        return {}
    return {r[0]: r[1] for r in store.all(
        f"SELECT slug, id FROM topics WHERE slug IN ({','.join('?' * len(slugs))})", slugs)}
