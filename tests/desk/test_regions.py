"""Region CSV import (strict, line-numbered, all-or-nothing, idempotent),
descendant filters and topics."""
from __future__ import annotations

import pytest

from desk.domain import NewClaim, QueueFilter, RegionLevel
from desk.errors import ImportFailed, ValidationError

HEADER = "code,name,name_hi,level,parent_code\n"
TREE = HEADER + (
    "UP,Uttar Pradesh,उत्तर प्रदेश,state,\n"
    "UP-LKO,Lucknow,लखनऊ,district,UP\n"
    "UP-LKO-AC172,Sarojini Nagar,सरोजिनी नगर,ac,UP-LKO\n"
    "UP-LKO-AC172-B1,Block One,,block,UP-LKO-AC172\n"
    "UP-LKO-AC172-112,Booth 112 – Govt. Primary School,,booth,UP-LKO-AC172\n"
    "UP-VNS,Varanasi,वाराणसी,district,UP\n"
    "RJ,Rajasthan,राजस्थान,state,\n"
    "RJ-JP,Jaipur,जयपुर,district,RJ\n"
)


@pytest.fixture
def regions(svc, system_id):
    report = svc.regions.import_csv(system_id, TREE.encode("utf-8"))
    assert (report.inserted, report.updated, report.unchanged) == (8, 0, 0)
    return {r.code: r for r in svc.regions.list(system_id)}


def test_import_builds_the_tree(svc, system_id, regions):
    booth = regions["UP-LKO-AC172-112"]
    assert booth.level == RegionLevel.BOOTH
    assert [r.code for r in svc.regions.ancestors(system_id, booth.id)] == [
        "UP", "UP-LKO", "UP-LKO-AC172", "UP-LKO-AC172-112"]
    lko = set(svc.regions.subtree_ids(system_id, regions["UP-LKO"].id))
    assert lko == {regions[c].id for c in ("UP-LKO", "UP-LKO-AC172", "UP-LKO-AC172-B1",
                                           "UP-LKO-AC172-112")}
    assert regions["UP"].name_hi == "उत्तर प्रदेश"


def test_reimport_is_idempotent_and_children_may_precede_parents(svc, system_id, regions):
    lines = TREE.splitlines()
    shuffled = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    report = svc.regions.import_csv(system_id, ("\ufeff" + shuffled).encode("utf-8"))
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 8)


def test_moving_a_region_moves_its_subtree(svc, system_id, regions):
    moved = HEADER + "UP-LKO-AC172,Sarojini Nagar,सरोजिनी नगर,ac,UP-VNS\n"
    assert svc.regions.import_csv(system_id, moved.encode()).updated == 1
    vns = set(svc.regions.subtree_ids(system_id, regions["UP-VNS"].id))
    assert regions["UP-LKO-AC172-112"].id in vns
    assert regions["UP-LKO-AC172-112"].id not in svc.regions.subtree_ids(
        system_id, regions["UP-LKO"].id)


@pytest.mark.parametrize("body,line,message", [
    ("UP,Uttar Pradesh,,state,\nUP,Again,,state,\n", 3, "already appears on line 3"),
    ("UP,Uttar Pradesh,,state,\nX,Somewhere,,district,NOPE\n", 3, "neither in the file"),
    ("UP,Uttar Pradesh,,state,\nUP-L,Lucknow,,county,UP\n", 3, "is not one of"),
    ("UP,Uttar Pradesh,,state,\nUP-L,,,district,UP\n", 3, "name of UP-L is empty"),
    ("UP,Uttar Pradesh,,state,\nUP-L,Lucknow,,district,\n", 3, "needs a parent_code"),
    ("UP,Uttar Pradesh,,state,UP\n", 2, "cannot have a parent"),
    ("UP,Uttar Pradesh,,state,\nUP-L,Lucknow,,district,UP\nUP-X,X,,state,UP-L\n", 4,
     "cannot have a parent"),
    ("UP,Uttar Pradesh,,state,\nB,Booth,,booth,UP\nA,AC,,ac,B\n", 4, "parent must be a higher"),
    ("UP,Uttar Pradesh,,state,\nUP L,Lucknow,,district,UP\n", 3, "may only use"),
    ("UP,Uttar Pradesh,,state,\nUP-L,Lucknow,,district,UP,extra\n", 3, "expected 5 fields"),
])
def test_bad_rows_name_the_line_and_write_nothing(svc, system_id, store, body, line, message):
    data = (HEADER + "OK1,Fine state,,state,\n" + body).encode("utf-8")
    with pytest.raises(ImportFailed, match=message) as exc:
        svc.regions.import_csv(system_id, data)
    assert exc.value.line == line + 1
    assert str(exc.value).startswith(f"line {line + 1}:")
    assert store.scalar("SELECT count(*) FROM regions") == 0


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"code,name\nUP,Uttar Pradesh\n", "header must be"),
    ((HEADER + "UP,Uttar \x92Pradesh,,state,\n").encode("latin-1"), "line 2: not valid UTF-8"),
    ((HEADER + "UP,U,,state,\n").encode("utf-16"), "UTF-16"),
])
def test_malformed_files_are_refused(svc, system_id, store, data, message):
    with pytest.raises(ImportFailed, match=message):
        svc.regions.import_csv(system_id, data)
    assert store.scalar("SELECT count(*) FROM regions") == 0


def test_a_region_cannot_move_under_a_lower_level(svc, system_id, regions, store):
    before = store.scalar("SELECT group_concat(path) FROM regions")
    bad = HEADER + "UP-LKO-AC172-B1,Block One,,block,UP-LKO-AC172-112\n"   # under a booth
    with pytest.raises(ImportFailed, match="block but its parent"):
        svc.regions.import_csv(system_id, bad.encode())
    assert store.scalar("SELECT group_concat(path) FROM regions") == before


def test_queue_region_filter_includes_descendants(svc, system_id, people, regions):
    fc = people["fact_checker"]
    ids = {code: svc.claims.create(fc, NewClaim(f"claim in {code}", region_code=code)).id
           for code in ("UP", "UP-LKO", "UP-LKO-AC172-112", "UP-VNS", "RJ-JP")}
    def queue_ids(code):
        page = svc.claims.queue(fc, QueueFilter(region_id=regions[code].id))
        return {row.id for row in page.rows}
    assert queue_ids("UP-LKO") == {ids["UP-LKO"], ids["UP-LKO-AC172-112"]}
    assert queue_ids("UP") == {ids[c] for c in ("UP", "UP-LKO", "UP-LKO-AC172-112", "UP-VNS")}
    assert queue_ids("RJ") == {ids["RJ-JP"]}
    assert queue_ids("UP-LKO-AC172-B1") == set()
    with pytest.raises(ValidationError, match="unknown region"):
        svc.claims.create(fc, NewClaim("x", region_code="NOWHERE"))


def test_topics_upsert_by_slug(svc, system_id, people):
    t = svc.regions.upsert_topic(system_id, "Ration", "Ration / PDS", "राशन")
    assert (t.slug, t.name_hi) == ("ration", "राशन")
    again = svc.regions.upsert_topic(people["editor"], "ration", "Ration (PDS)", "राशन")
    assert again.id == t.id and again.name_en == "Ration (PDS)"
    with pytest.raises(ValidationError, match="slug"):
        svc.regions.upsert_topic(system_id, "bad slug!", "Bad")
    assert [x.slug for x in svc.regions.topics(people["coordinator"])] == ["ration"]
