"""Regions (state > district > assembly constituency > block > booth) and topics.

Regions are imported from CSV with the columns ``code,name,name_hi,level,parent_code``.
The import is strict and all-or-nothing: the first bad row stops it with
``ImportFailed`` naming the line, and nothing is written.  Rows are upserted by
code, so importing the same file twice changes nothing the second time.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from desk.domain import REGION_DEPTH, Region, RegionLevel, Topic
from desk.errors import ImportFailed, NotFound, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.store import regions as regions_repo
from desk.store.regions import RegionInput

REGION_COLUMNS = ("code", "name", "name_hi", "level", "parent_code")
MAX_CSV_BYTES = 5_000_000
MAX_REGION_ROWS = 200_000
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_\-]{0,63}")


@dataclass(frozen=True)
class RegionImportReport:
    rows: int
    inserted: int
    updated: int
    unchanged: int


def decode_csv_bytes(data: bytes, *, max_bytes: int = MAX_CSV_BYTES) -> str:
    """Strict UTF-8 (a BOM is fine); the error names the line of the first bad byte."""
    if len(data) > max_bytes:
        raise ImportFailed(f"file is larger than {max_bytes} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed("file is UTF-16; save it as UTF-8 CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line=line) from None


def parse_regions_csv(data: bytes) -> list[tuple[int, RegionInput]]:
    """Parse and check a regions CSV on its own (no database): ``(line, row)`` pairs.

    Checks the header, required values, code syntax, levels, duplicate codes and
    that every parent named *in the file* sits at a higher level.
    """
    text = decode_csv_bytes(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed("the file is empty") from None
    except csv.Error as exc:
        raise ImportFailed(f"not a valid CSV file: {exc}", line=1) from None
    header = [h.strip().lower() for h in header]
    if sorted(header) != sorted(REGION_COLUMNS):
        raise ImportFailed(f"the header must be {','.join(REGION_COLUMNS)}; got {','.join(header)[:200]}",
                           line=1)
    pos = {name: header.index(name) for name in REGION_COLUMNS}
    out: list[tuple[int, RegionInput]] = []
    seen: dict[str, tuple[int, RegionLevel]] = {}
    line = 1
    try:
        for raw in reader:
            line = reader.line_num
            if not raw or all(not c.strip() for c in raw):
                continue
            if len(raw) != len(header):
                raise ImportFailed(f"expected {len(header)} fields, found {len(raw)}", line=line)
            if len(out) >= MAX_REGION_ROWS:
                raise ImportFailed(f"more than {MAX_REGION_ROWS} rows", line=line)
            item = _region_row({k: raw[i].strip() for k, i in pos.items()}, line)
            if item.code in seen:
                raise ImportFailed(f"code {item.code} already appears on line {seen[item.code][0]}",
                                   line=line)
            seen[item.code] = (line, item.level)
            out.append((line, item))
    except csv.Error as exc:
        raise ImportFailed(f"not a valid CSV row: {exc}", line=reader.line_num) from None
    for line, item in out:
        if item.parent_code in seen:
            parent_level = seen[item.parent_code][1]
            if REGION_DEPTH[parent_level] >= REGION_DEPTH[item.level]:
                raise ImportFailed(
                    f"{item.code} is a {item.level.value} but its parent {item.parent_code} is a "
                    f"{parent_level.value}; a parent must be a higher level", line=line)
    return out


def _region_row(cells: dict[str, str], line: int) -> RegionInput:
    code = cells["code"]
    if not code:
        raise ImportFailed("code is empty", line=line)
    if not _CODE.fullmatch(code):
        raise ImportFailed(f"code {code[:40]!r} may only use letters, digits, '.', '_' and '-'",
                           line=line)
    name = cells["name"]
    if not name:
        raise ImportFailed(f"name of {code} is empty", line=line)
    if len(name) > 200 or len(cells["name_hi"]) > 200:
        raise ImportFailed(f"name of {code} is longer than 200 characters", line=line)
    try:
        level = RegionLevel(cells["level"].lower())
    except ValueError:
        options = ", ".join(lvl.value for lvl in RegionLevel)
        raise ImportFailed(f"level {cells['level'][:20]!r} is not one of {options}",
                           line=line) from None
    parent = cells["parent_code"] or None
    if level == RegionLevel.STATE and parent:
        raise ImportFailed(f"{code} is a state and cannot have a parent", line=line)
    if level != RegionLevel.STATE and not parent:
        raise ImportFailed(f"{code} is a {level.value} and needs a parent_code", line=line)
    if parent == code:
        raise ImportFailed(f"{code} cannot be its own parent", line=line)
    return RegionInput(code=code, name=name, name_hi=cells["name_hi"] or None, level=level,
                       parent_code=parent)


class RegionService(Service):
    """The region tree and the topic list."""

    def import_csv(self, actor_id: int, data: bytes) -> RegionImportReport:
        """Upsert regions from CSV bytes, all or nothing (see module docstring)."""
        actor = self.require(actor_id, "region.import", entity="region")
        rows = parse_regions_csv(data)
        in_file = {item.code for _, item in rows}
        with self.store.write():
            for line, item in rows:
                if item.parent_code and item.parent_code not in in_file:
                    parent = regions_repo.by_code(self.store, item.parent_code)
                    if parent is None:
                        raise ImportFailed(f"parent_code {item.parent_code} of {item.code} is "
                                           f"neither in the file nor in the database", line=line)
                    if REGION_DEPTH[parent.level] >= REGION_DEPTH[item.level]:
                        raise ImportFailed(
                            f"{item.code} is a {item.level.value} but its parent "
                            f"{item.parent_code} is a {parent.level.value}", line=line)
            counts = regions_repo.upsert_many(self.store, [item for _, item in rows],
                                              at=self.now(), actor_id=actor.id)
            problems = regions_repo.level_violations(self.store)
            if problems:
                raise ImportFailed("the import would put regions under a lower level: "
                                   + ", ".join(problems[:5]))
            report = RegionImportReport(rows=len(rows), **counts)
            self.audit(actor, "region.import", entity="region", detail=report.__dict__)
        return report

    def list(self, actor_id: int) -> list[Region]:
        """Every region, parents before their children."""
        self.require(actor_id, "region.view")
        return regions_repo.list_regions(self.store)

    def get(self, actor_id: int, region_id: int) -> Region:
        self.require(actor_id, "region.view")
        region = regions_repo.get(self.store, region_id)
        if region is None:
            raise NotFound(f"region {region_id} does not exist")
        return region

    def by_code(self, actor_id: int, code: str) -> Region:
        self.require(actor_id, "region.view")
        region = regions_repo.by_code(self.store, code.strip()) if isinstance(code, str) else None
        if region is None:
            raise NotFound(f"no region with code {str(code)[:40]!r}")
        return region

    def ancestors(self, actor_id: int, region_id: int) -> list[Region]:
        """The chain from the state down to this region (for breadcrumbs)."""
        self.require(actor_id, "region.view")
        return regions_repo.ancestors(self.store, region_id)

    def subtree_ids(self, actor_id: int, region_id: int) -> list[int]:
        """The region and all its descendants."""
        self.require(actor_id, "region.view")
        return regions_repo.subtree_ids(self.store, region_id)

    # -- topics --------------------------------------------------------------------

    def topics(self, actor_id: int) -> list[Topic]:
        self.require(actor_id, "topic.view")
        return regions_repo.list_topics(self.store)

    def upsert_topic(self, actor_id: int, slug: str, name_en: str,
                     name_hi: str | None = None) -> Topic:
        """Create a topic, or rename an existing one with the same slug."""
        actor = self.require(actor_id, "topic.manage", entity="topic")
        slug = validate.required_text(slug, "slug", max_chars=64).lower()
        if not _SLUG.fullmatch(slug):
            raise ValidationError("slug may only use a-z, digits, '_' and '-'")
        name_en = validate.required_text(name_en, "English name", max_chars=200)
        name_hi = validate.text(name_hi, "Hindi name", max_chars=200, required=False)
        with self.store.write():
            existing = regions_repo.topic_by_slug(self.store, slug)
            if existing is None:
                tid = regions_repo.insert_topic(self.store, slug=slug, name_en=name_en,
                                                name_hi=name_hi, at=self.now(), actor_id=actor.id)
                self.audit(actor, "topic.create", entity="topic", entity_id=tid,
                           after={"slug": slug, "name_en": name_en, "name_hi": name_hi})
            else:
                tid = existing.id
                if (existing.name_en, existing.name_hi) != (name_en, name_hi):
                    regions_repo.rename_topic(self.store, tid, name_en=name_en, name_hi=name_hi,
                                              at=self.now(), actor_id=actor.id)
                    self.audit(actor, "topic.rename", entity="topic", entity_id=tid,
                               before={"name_en": existing.name_en, "name_hi": existing.name_hi},
                               after={"name_en": name_en, "name_hi": name_hi})
            topic = regions_repo.topic(self.store, tid)
        assert topic is not None
        return topic
