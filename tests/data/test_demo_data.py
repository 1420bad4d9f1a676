"""The shipped demo data (``data/demo``) is what every newcomer sees first.

These tests read it with nothing but ``json``/``csv`` and check what the loader
(``desk/demo.py``) and the desk rely on: counts, field sets and allowed values,
referential integrity, a five-level region tree, workflow consistency between
rebuttals and their claims, the languages present, strict UTF-8/NFC, masked
phone numbers, https-only official source URLs, and the WhatsApp line formats.
``data/README.md`` documents the formats; a test keeps it in step.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
DEMO = DATA / "demo"
WRITTEN_AS_OF = date(2026, 11, 22)
MAX_SIGHTING_HOURS = 240  # "the last ~10 days"

LEVELS = ["state", "district", "ac", "block", "booth"]
ROLES = {"admin": 1, "editor": 2, "fact_checker": 4, "researcher": 2, "coordinator": 3}
CHANNELS = {"whatsapp", "facebook", "x", "youtube", "phone", "field_report"}
CLAIM_STATUSES = {"new", "triaged", "in_research", "in_review", "approved", "published",
                  "dismissed", "duplicate", "answered"}
DISMISS_REASONS = {"not_checkworthy", "spam", "opinion"}
REBUTTAL_STATUSES = ["draft", "in_review", "approved", "published", "retracted"]
VERDICTS = {"false", "misleading", "true", "partly_true", "unverified"}

# Claim status each live (non-retracted) rebuttal state allows for the claims it answers.
CLAIM_STATUS_FOR_REBUTTAL = {
    "draft": {"in_research"},
    "in_review": {"in_review"},
    "approved": {"approved", "answered"},
    "published": {"published", "answered"},
}
REBUTTAL_RANK = {"draft": 1, "in_review": 2, "approved": 3, "published": 4}
LINKED_ONLY = {"in_review", "approved", "published", "answered"}
NEVER_LINKED = {"new", "triaged", "dismissed", "duplicate"}
NEEDS_ASSIGNEE = {"in_research", "in_review", "approved", "published"}

FACT_FIELDS = {"key", "statement", "lang", "topic", "valid_until", "status", "sources"}
SOURCE_FIELDS = {"url", "title", "publisher", "date"}
CLAIM_FIELDS = {"key", "text", "channel", "source_group", "source_url", "region_code", "topics",
                "status", "dismiss_reason", "duplicate_of", "assignee", "due_in_hours", "sightings"}
SIGHTING_FIELDS = {"hours_ago", "channel", "group", "sender", "region_code"}
REBUTTAL_FIELDS = {"key", "claim_keys", "status", "verdict", "lang", "full_text", "whatsapp_text",
                   "translations", "fact_keys", "links", "author", "reviewer", "region_code",
                   "topics", "hours_ago"}
VERSION_FIELDS = {"hours_ago", "author", "note", "full_text", "whatsapp_text"}
# Official sources cite home pages or these well-known sections only, never invented deep links.
ALLOWED_SOURCE_PATHS = {"", "/", "/factcheck.aspx"}
OFFICIAL_SUFFIXES = (".gov.in", ".nic.in", ".edu.in")
# Official bodies whose sites live outside the government domains.
OFFICIAL_HOSTS = {"rbi.org.in", "rbikehtahai.rbi.org.in", "www.npci.org.in", "www.mylpg.in", "www.uppcl.org"}

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
PHONE_PLUS91 = re.compile(r"\+91[\s-]*(?:[0-9X][\s-]*){9}[0-9X]")
BARE_MOBILE = re.compile(r"(?<![\dX])[6-9]\d{9}(?![\dX])")
WORD = re.compile(r"[\w\u0900-\u097F]+")
HINGLISH_MARKERS = {"nahi", "nhi", "hai", "h", "kr", "karo", "kro", "bhej", "bhejo", "kya", "ka", "ke",
                    "ki", "ko", "me", "se", "ho", "gya", "gyi", "raha", "rha", "sab", "sabko", "jayega",
                    "jayenge", "milega", "wale", "walo", "bhai", "abhi", "dena", "denge"}
ENGLISH_MARKERS = {"the", "is", "are", "will", "to", "of", "and", "from", "for", "your", "this", "be"}

ANDROID_LINE = re.compile(
    r"^(?P<d>\d{2})/(?P<m>\d{2})/(?P<y>\d{2}), (?P<h>1[0-2]|[1-9]):(?P<mi>[0-5]\d) (?P<ap>am|pm) - (?P<rest>.*)$")
IOS_LINE = re.compile(
    r"^(?P<lrm>\u200e?)\[(?P<d>\d{2})/(?P<m>\d{2})/(?P<y>\d{2}), (?P<h>1[0-2]|[1-9]):(?P<mi>[0-5]\d):(?P<s>[0-5]\d)"
    r"\u202f(?P<ap>AM|PM)\] (?P<rest>.*)$")
# Anything that looks like the start of a message, in any export dialect, so a malformed
# stamp fails loudly instead of silently joining the previous message.
ANY_STAMP = re.compile(r"^\u200e?\[?\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4},?\s+\d{1,2}[:.]\d{2}")
ANDROID_SYSTEM = re.compile(
    r"^(Messages and calls are end-to-end encrypted\. .*"
    r"|.+ joined using this group's invite link|.+ left|.+ added .+|.+ removed .+"
    r"|.+ changed the subject from \".+\" to \".+\"|.+ changed this group's icon|.+ created group \".+\")$")
IOS_MEDIA = {"image omitted", "video omitted", "audio omitted", "sticker omitted", "document omitted",
             "GIF omitted"}


# ---------------------------------------------------------------- loading helpers

def _text(path: Path) -> str:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no BOM please"
    return raw.decode("utf-8")  # strict: raises on any invalid byte


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(DEMO / name), newline="")))


def _jsonl(name: str) -> list[dict]:
    rows = []
    for n, line in enumerate(_text(DEMO / name).split("\n"), 1):
        if line.strip():
            row = json.loads(line)
            assert isinstance(row, dict), f"{name}:{n} is not an object"
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(_text(DEMO / "manifest.json"))


@pytest.fixture(scope="module")
def regions() -> list[dict]:
    return _csv("regions.csv")


@pytest.fixture(scope="module")
def region_by_code(regions) -> dict[str, dict]:
    return {r["code"]: r for r in regions}


@pytest.fixture(scope="module")
def topics() -> set[str]:
    return {t["slug"] for t in _csv("topics.csv")}


@pytest.fixture(scope="module")
def users() -> dict[str, dict]:
    return {u["username"]: u for u in _csv("users.csv")}


@pytest.fixture(scope="module")
def facts() -> list[dict]:
    return _jsonl("facts.jsonl")


@pytest.fixture(scope="module")
def claims() -> list[dict]:
    return _jsonl("claims.jsonl")


@pytest.fixture(scope="module")
def claim_by_key(claims) -> dict[str, dict]:
    return {c["key"]: c for c in claims}


@pytest.fixture(scope="module")
def rebuttals() -> list[dict]:
    return _jsonl("rebuttals.jsonl")


def _all_files() -> list[Path]:
    return sorted(p for p in DATA.rglob("*") if p.is_file())


def _words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFC", text).lower())


def _is_hinglish(text: str) -> bool:
    if DEVANAGARI.search(text):
        return False
    words = set(_words(text))
    return len(words & HINGLISH_MARKERS) >= 2


def _is_english(text: str) -> bool:
    if DEVANAGARI.search(text):
        return False
    words = set(_words(text))
    return len(words & ENGLISH_MARKERS) >= 2 and len(words & HINGLISH_MARKERS) <= 1


# ---------------------------------------------------------------- files and encoding

def test_expected_files_exist(manifest):
    for name in manifest["files"].values():
        assert (DEMO / name).is_file(), name
    for export in manifest["whatsapp"]:
        assert (DEMO / export["file"]).is_file(), export["file"]
    assert (DATA / "README.md").is_file()


@pytest.mark.parametrize("path", _all_files(), ids=lambda p: p.relative_to(DATA).as_posix())
def test_every_file_is_strict_utf8_nfc_lf(path):
    text = _text(path)
    assert unicodedata.normalize("NFC", text) == text, f"{path.name} is not NFC"
    assert "\r" not in text, f"{path.name} has CR line endings"
    assert text.endswith("\n"), f"{path.name} lacks a final newline"
    assert "\ufffd" not in text


def test_manifest_marks_demo_and_counts_match(manifest, regions, topics, users, facts, claims, rebuttals):
    assert manifest["demo"] is True
    assert "not been verified" in manifest["disclaimer"]["en"].lower()
    assert DEVANAGARI.search(manifest["disclaimer"]["hi"])
    assert manifest["counts"] == {
        "regions": len(regions), "topics": len(topics), "users": len(users), "facts": len(facts),
        "claims": len(claims), "sightings": sum(len(c["sightings"]) for c in claims),
        "rebuttals": len(rebuttals),
    }


@pytest.mark.parametrize("path", _all_files(), ids=lambda p: p.relative_to(DATA).as_posix())
def test_no_real_phone_numbers(path):
    text = _text(path)
    for match in PHONE_PLUS91.finditer(text):
        assert "X" in match.group(), f"{path.name}: unmasked number {match.group()!r}"
    bare = BARE_MOBILE.findall(re.sub(r"\s", "", text))
    assert not bare, f"{path.name}: looks like a real mobile number: {bare[:3]}"


# ---------------------------------------------------------------- regions, topics, users

def test_regions_header_and_count():
    header = _text(DEMO / "regions.csv").split("\n", 1)[0]
    assert header == "code,name,name_hi,level,parent_code"
    assert 80 <= len(_csv("regions.csv")) <= 150


def test_region_tree_has_five_levels(regions, region_by_code):
    assert len(region_by_code) == len(regions), "duplicate region codes"
    assert {r["level"] for r in regions} == set(LEVELS)
    states = [r for r in regions if r["level"] == "state"]
    assert len(states) == 2
    for r in regions:
        assert r["name"].strip() and DEVANAGARI.search(r["name_hi"]), r["code"]
        assert re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]+)*", r["code"]), r["code"]
        if r["level"] == "state":
            assert r["parent_code"] == ""
            continue
        parent = region_by_code.get(r["parent_code"])
        assert parent is not None, f"{r['code']}: unknown parent {r['parent_code']!r}"
        # One level down at every step, so the tree has no cycles and no skipped levels.
        assert LEVELS.index(r["level"]) == LEVELS.index(parent["level"]) + 1, r["code"]
        assert r["code"].startswith(parent["code"] + "-"), "codes extend their parent's code"


@pytest.mark.parametrize("level,low,high", [("district", 3, 4), ("ac", 1, 3), ("block", 1, 2)])
def test_region_fan_out(regions, level, low, high):
    parent_level = LEVELS[LEVELS.index(level) - 1]
    children = Counter(r["parent_code"] for r in regions if r["level"] == level)
    for parent in (r["code"] for r in regions if r["level"] == parent_level):
        assert low <= children[parent] <= high, (parent, children[parent])


def test_booth_names_are_readable(regions):
    booths = [r for r in regions if r["level"] == "booth"]
    assert len(booths) >= 20
    for b in booths:
        assert re.match(r"Booth \d+ – .+, .+", b["name"]), b["name"]
        assert re.match(r"बूथ \d+ – .+", b["name_hi"]), b["name_hi"]


def test_topics():
    rows = _csv("topics.csv")
    assert list(rows[0]) == ["slug", "name_en", "name_hi"]
    assert 12 <= len(rows) <= 20
    slugs = [t["slug"] for t in rows]
    assert len(set(slugs)) == len(slugs)
    for t in rows:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", t["slug"])
        assert t["name_en"].strip() and DEVANAGARI.search(t["name_hi"])


def test_users_cover_every_role_without_passwords(users, region_by_code):
    rows = _csv("users.csv")
    assert list(rows[0]) == ["username", "display_name", "role", "language", "region_code", "email"]
    assert len(users) == len(rows)
    assert Counter(u["role"] for u in rows) == Counter(ROLES)
    emails = [u["email"] for u in rows]
    assert len(set(emails)) == len(emails)
    for u in rows:
        assert re.fullmatch(r"[a-z][a-z0-9_.]{2,31}", u["username"])
        assert u["language"] in {"hi", "en"}
        assert re.fullmatch(r"[a-z0-9._]+@factdesk\.example", u["email"])
        assert u["region_code"] == "" or u["region_code"] in region_by_code
        if u["role"] == "coordinator":
            assert region_by_code[u["region_code"]]["level"] in {"state", "district"}
    assert not any("pass" in column.lower() for column in rows[0])


# ---------------------------------------------------------------- facts

def test_facts_fields_and_values(facts, topics):
    assert len(facts) >= 60
    keys = [f["key"] for f in facts]
    assert len(set(keys)) == len(keys)
    for f in facts:
        assert set(f) == FACT_FIELDS, f["key"]
        assert re.fullmatch(r"FACT-\d{3}", f["key"])
        assert f["lang"] in {"hi", "en"} and f["topic"] in topics and f["status"] in {"active", "retired"}
        assert bool(DEVANAGARI.search(f["statement"])) == (f["lang"] == "hi"), f["key"]
        assert 20 <= len(f["statement"]) <= 600
        if f["valid_until"] is not None:
            date.fromisoformat(f["valid_until"])
        assert f["sources"], f["key"]
        for s in f["sources"]:
            assert set(s) == SOURCE_FIELDS
            assert s["title"].strip() and s["publisher"].strip()
            assert date.fromisoformat(s["date"]) <= WRITTEN_AS_OF


def test_fact_sources_are_official_home_pages(facts):
    for f in facts:
        for s in f["sources"]:
            url = urlsplit(s["url"])
            assert url.scheme == "https", s["url"]
            assert url.path in ALLOWED_SOURCE_PATHS and not url.query, f"deep link {s['url']}"
            assert url.hostname.endswith(OFFICIAL_SUFFIXES) or url.hostname in OFFICIAL_HOSTS, s["url"]


def test_facts_language_mix_and_lifecycle(facts):
    share_hi = sum(f["lang"] == "hi" for f in facts) / len(facts)
    assert 0.5 <= share_hi <= 0.7
    expired = [f for f in facts if f["status"] == "active" and f["valid_until"]
               and date.fromisoformat(f["valid_until"]) < WRITTEN_AS_OF]
    retired = [f for f in facts if f["status"] == "retired"]
    assert len(expired) >= 2
    assert 2 <= len(retired) <= 3


# ---------------------------------------------------------------- claims

def test_claims_fields_and_values(claims, topics, region_by_code, users):
    assert len(claims) >= 200
    keys = [c["key"] for c in claims]
    assert len(set(keys)) == len(keys)
    for c in claims:
        assert set(c) == CLAIM_FIELDS, c["key"]
        assert re.fullmatch(r"CLM-\d{4}", c["key"])
        assert c["text"].strip() and len(c["text"]) <= 2000
        assert c["channel"] in CHANNELS
        assert c["source_group"].strip()
        assert c["source_url"] is None or urlsplit(c["source_url"]).scheme == "https"
        assert c["region_code"] in region_by_code
        assert set(c["topics"]) <= topics and len(set(c["topics"])) == len(c["topics"])
        assert c["status"] in CLAIM_STATUSES
        assert c["due_in_hours"] is None or isinstance(c["due_in_hours"], int)
        if c["assignee"] is not None:
            assert users[c["assignee"]]["role"] in {"fact_checker", "researcher"}, c["key"]
        if c["status"] in NEEDS_ASSIGNEE:
            assert c["assignee"], f"{c['key']} ({c['status']}) needs an assignee"


def test_claim_status_mix(claims):
    counts = Counter(c["status"] for c in claims)
    assert set(counts) == CLAIM_STATUSES
    assert counts.most_common(1)[0][0] == "new"
    assert {c["dismiss_reason"] for c in claims if c["status"] == "dismissed"} == DISMISS_REASONS


def test_dismissals_and_duplicates(claims, claim_by_key):
    for c in claims:
        if c["status"] == "dismissed":
            assert c["dismiss_reason"] in DISMISS_REASONS, c["key"]
        else:
            assert c["dismiss_reason"] is None, c["key"]
        if c["status"] == "duplicate":
            canonical = claim_by_key.get(c["duplicate_of"])
            assert canonical is not None and canonical["key"] != c["key"], c["key"]
            assert canonical["status"] != "duplicate", "no duplicate chains"
            assert canonical["text"] != c["text"], "a duplicate is a re-worded forward, not a copy"
        else:
            assert c["duplicate_of"] is None, c["key"]
    assert sum(c["status"] == "duplicate" for c in claims) >= 8


def test_sightings(claims, region_by_code):
    for c in claims:
        s = c["sightings"]
        assert 1 <= len(s) <= 40, c["key"]
        hours = [x["hours_ago"] for x in s]
        assert hours == sorted(hours, reverse=True), f"{c['key']}: sightings oldest first"
        for x in s:
            assert set(x) == SIGHTING_FIELDS
            assert isinstance(x["hours_ago"], int) and 0 <= x["hours_ago"] <= MAX_SIGHTING_HOURS
            assert x["channel"] in CHANNELS
            assert x["group"].strip() and x["sender"].strip()
            assert x["region_code"] in region_by_code
        assert s[0]["channel"] == c["channel"] and s[0]["region_code"] == c["region_code"]
    total = [x for c in claims for x in c["sightings"]]
    assert len({x["group"] for x in total}) >= 20
    assert max(x["hours_ago"] for x in total) >= 200, "spread over about ten days"
    assert max(len(c["sightings"]) for c in claims) >= 30, "some claims are viral"


def test_claims_languages(claims):
    texts = [c["text"] for c in claims]
    assert sum(bool(DEVANAGARI.search(t)) for t in texts) >= 60
    assert sum(_is_hinglish(t) for t in texts) >= 40
    assert sum(_is_english(t) for t in texts) >= 40
    assert any("Forwarded as received" in t for t in texts)
    assert any(re.search(r"bit\.ly/\w+", t) for t in texts)


@pytest.mark.parametrize("needle,minimum", [
    ("<script>", 1), ("onerror=", 1), ("javascript:", 2), ("](", 1),
])
def test_hostile_claims_are_present_verbatim(claims, needle, minimum):
    assert sum(needle in c["text"] for c in claims) >= minimum


# ---------------------------------------------------------------- rebuttals

def test_rebuttals_fields_and_values(rebuttals, claim_by_key, users, region_by_code, topics, facts):
    fact_keys = {f["key"] for f in facts}
    assert len(rebuttals) >= 30
    keys = [r["key"] for r in rebuttals]
    assert len(set(keys)) == len(keys)
    for r in rebuttals:
        assert set(r) - {"versions"} == REBUTTAL_FIELDS, r["key"]
        assert re.fullmatch(r"RBT-\d{3}", r["key"])
        assert r["status"] in REBUTTAL_STATUSES and r["verdict"] in VERDICTS
        assert r["lang"] in {"hi", "en"}
        assert bool(DEVANAGARI.search(r["full_text"])) == (r["lang"] == "hi"), r["key"]
        assert r["claim_keys"] and set(r["claim_keys"]) <= set(claim_by_key), r["key"]
        assert set(r["fact_keys"]) <= fact_keys, r["key"]
        assert r["region_code"] in region_by_code and set(r["topics"]) <= topics and r["topics"]
        assert isinstance(r["hours_ago"], int) and 0 <= r["hours_ago"] <= MAX_SIGHTING_HOURS
        assert len(r["whatsapp_text"]) <= 700
        for link in r["links"]:
            assert set(link) == {"url", "title"} and urlsplit(link["url"]).scheme == "https"
            host = urlsplit(link["url"]).hostname
            assert host.endswith(OFFICIAL_SUFFIXES) or host in OFFICIAL_HOSTS, link["url"]
            assert urlsplit(link["url"]).path in ALLOWED_SOURCE_PATHS
        for lang, tr in r["translations"].items():
            assert lang in {"hi", "en"} and lang != r["lang"], r["key"]
            assert set(tr) == {"full_text", "whatsapp_text"} and len(tr["whatsapp_text"]) <= 700
            assert bool(DEVANAGARI.search(tr["full_text"])) == (lang == "hi"), r["key"]


def test_authors_and_four_eyes(rebuttals, users):
    for r in rebuttals:
        assert users[r["author"]]["role"] == "fact_checker", r["key"]
        if r["status"] == "draft":
            assert r["reviewer"] is None, r["key"]
        if r["status"] in {"approved", "published", "retracted"}:
            assert r["reviewer"] is not None, r["key"]
        if r["reviewer"] is not None:
            assert users[r["reviewer"]]["role"] == "editor", r["key"]
            assert r["reviewer"] != r["author"], f"{r['key']}: nobody reviews their own rebuttal"


def test_rebuttal_mix(rebuttals):
    assert {r["status"] for r in rebuttals} == set(REBUTTAL_STATUSES)
    assert {r["verdict"] for r in rebuttals} == VERDICTS
    assert {r["lang"] for r in rebuttals} == {"hi", "en"}
    with_translation = sum(bool(r["translations"]) for r in rebuttals) / len(rebuttals)
    assert 0.3 <= with_translation <= 0.7
    assert any("*" in r["whatsapp_text"] for r in rebuttals), "WhatsApp *bold* is used"


def test_versions_show_corrections(rebuttals):
    versioned = [r for r in rebuttals if r.get("versions")]
    assert 2 <= len(versioned) <= 4
    for r in versioned:
        for v in r["versions"]:
            assert set(v) == VERSION_FIELDS
            assert v["hours_ago"] > r["hours_ago"], "earlier versions are older"
            assert v["full_text"] != r["full_text"] and len(v["whatsapp_text"]) <= 700


def test_claim_status_agrees_with_rebuttals(claims, rebuttals):
    live: dict[str, str] = {}
    linked: set[str] = set()
    for r in rebuttals:
        for key in r["claim_keys"]:
            linked.add(key)
            if r["status"] != "retracted" and REBUTTAL_RANK[r["status"]] > REBUTTAL_RANK.get(live.get(key, ""), 0):
                live[key] = r["status"]
    for c in claims:
        key, status = c["key"], c["status"]
        if status in NEVER_LINKED:
            assert key not in linked, f"{key} is {status} but a rebuttal answers it"
        if status in LINKED_ONLY:
            assert key in live, f"{key} is {status} without a live rebuttal"
        if key in live:
            assert status in CLAIM_STATUS_FOR_REBUTTAL[live[key]], (key, status, live[key])
        elif key in linked:
            assert status == "in_research", f"{key}: only retracted rebuttals, back to research"


def test_rebuttals_follow_their_claims(rebuttals, claim_by_key):
    for r in rebuttals:
        first_seen = max(claim_by_key[k]["sightings"][0]["hours_ago"] for k in r["claim_keys"])
        assert first_seen > r["hours_ago"], f"{r['key']} predates every claim it answers"


# ---------------------------------------------------------------- both languages everywhere

def test_both_languages_present(facts, claims, rebuttals):
    assert {f["lang"] for f in facts} == {"hi", "en"}
    assert {r["lang"] for r in rebuttals} == {"hi", "en"}
    assert any(DEVANAGARI.search(c["text"]) for c in claims)
    assert any(_is_english(c["text"]) for c in claims)


# ---------------------------------------------------------------- WhatsApp exports

def _messages(lines: list[str], pattern: re.Pattern) -> list[tuple[datetime, str, list[str]]]:
    """Group an export into (timestamp, first-line rest, continuation lines)."""
    out: list[tuple[datetime, str, list[str]]] = []
    for n, line in enumerate(lines, 1):
        m = pattern.match(line)
        if m:
            hour = int(m["h"]) % 12 + (12 if m["ap"].lower() == "pm" else 0)
            ts = datetime(2000 + int(m["y"]), int(m["m"]), int(m["d"]), hour, int(m["mi"]),
                          int(m.groupdict().get("s") or 0))
            out.append((ts, m["rest"], []))
        else:
            assert not ANY_STAMP.match(line), f"line {n}: timestamp in an unexpected format: {line!r}"
            assert out, f"line {n}: continuation before the first message"
            out[-1][2].append(line)
    return out


@pytest.fixture(scope="module")
def exports(manifest) -> dict[str, tuple[dict, list[str]]]:
    return {e["platform"]: (e, _text(DEMO / e["file"]).rstrip("\n").split("\n")) for e in manifest["whatsapp"]}


def test_whatsapp_manifest(manifest, region_by_code):
    assert {e["platform"] for e in manifest["whatsapp"]} == {"android", "ios"}
    for e in manifest["whatsapp"]:
        assert e["region_code"] in region_by_code and e["group"] in e["file"]
        assert e["clock"] == "12h" and e["date_order"] == "dmy" and e["channel"] == "whatsapp"


@pytest.mark.parametrize("platform,low,high", [("android", 300, 600), ("ios", 60, 200)])
def test_whatsapp_line_formats(exports, platform, low, high):
    export, lines = exports[platform]
    assert low <= len(lines) <= high
    msgs = _messages(lines, ANDROID_LINE if platform == "android" else IOS_LINE)
    stamps = [ts for ts, _, _ in msgs]
    assert stamps == sorted(stamps), "messages are in time order"
    assert datetime(2026, 11, 8) <= stamps[0] and stamps[-1] < datetime(2026, 11, 23)
    assert any(ts.day > 12 for ts in stamps), "day-first order is detectable"
    assert sum(bool(cont) for _, _, cont in msgs) >= 3, "multi-line messages"
    rests = [rest for _, rest, _ in msgs]
    assert any("Messages and calls are end-to-end encrypted" in r for r in rests[:1])
    assert any("This message was deleted" in r for r in rests)
    assert any("You deleted this message" in r for r in rests)
    assert any("<This message was edited>" in r for r in rests)
    assert any("joined using this group's invite link" in r for r in rests)
    assert any(" left" in r for r in rests)


def test_android_specifics(exports):
    _, lines = exports["android"]
    msgs = _messages(lines, ANDROID_LINE)
    system = [r for _, r, _ in msgs if ANDROID_SYSTEM.match(r) and not re.match(r"[^:]{1,60}: ", r)]
    assert len(system) >= 5
    assert sum(r.endswith(": <Media omitted>") for _, r, _ in msgs) >= 15
    assert not any("\u202f" in line or "\u200e" in line for line in lines)
    for _, rest, _ in msgs:
        assert ANDROID_SYSTEM.match(rest) or re.match(r"[^:]{1,60}: ", rest), rest


def test_ios_specifics(exports):
    export, lines = exports["ios"]
    msgs = _messages(lines, IOS_LINE)
    media = 0
    for line in lines:
        m = IOS_LINE.match(line)
        if not m:
            continue
        body = m["rest"].split(": ", 1)[1]
        if body.lstrip("\u200e") in IOS_MEDIA or body.lstrip("\u200e").startswith("<attached: "):
            media += 1
            assert m["lrm"] == "\u200e" and body.startswith("\u200e"), f"media line lacks U+200E: {line!r}"
        if m["rest"].startswith(export["group"] + ": "):
            assert m["lrm"] == "\u200e" and body.startswith("\u200e"), f"system line lacks U+200E: {line!r}"
    assert media >= 8
    assert len({ts.second for ts, _, _ in msgs}) > 10, "iOS stamps carry real seconds"


def test_whatsapp_repeats_known_claims_with_variations(exports, claims):
    """An upload must have something to merge: forwards that re-word claims already on the desk."""
    claim_words = [set(_words(c["text"])) for c in claims]
    claim_texts = {c["text"] for c in claims}
    for platform, minimum in [("android", 15), ("ios", 6)]:
        _, lines = exports[platform]
        pattern = ANDROID_LINE if platform == "android" else IOS_LINE
        repeats = exact = 0
        for _, rest, cont in _messages(lines, pattern):
            body = "\n".join([rest.split(": ", 1)[-1], *cont]).strip()
            words = set(_words(body))
            if len(words) < 6:
                continue
            best = max(len(words & cw) / len(words | cw) for cw in claim_words)
            repeats += best >= 0.5
            exact += body in claim_texts
        assert repeats >= minimum, (platform, repeats)
        assert exact < repeats, "most repeats are small variations, not copies"


# ---------------------------------------------------------------- README and the held-out benchmark

def test_readme_documents_every_file_and_field(manifest):
    readme = _text(DATA / "README.md")
    for name in [*manifest["files"].values(), "manifest.json"]:
        assert f"`{name}`" in readme or name in readme, name
    for field in (FACT_FIELDS | SOURCE_FIELDS | CLAIM_FIELDS | SIGHTING_FIELDS | REBUTTAL_FIELDS
                  | VERSION_FIELDS | {"versions", "name_hi", "parent_code", "display_name", "slug"}):
        assert f"`{field}`" in readme, f"README does not document `{field}`"
    for count_name, count in manifest["counts"].items():
        assert str(count) in readme, f"README lacks the {count_name} count {count}"
    assert "not verified" in readme.lower()


def test_no_sentences_borrowed_from_the_benchmark(bench_dir, facts, claims, rebuttals):
    """hi-dev is held-out material: no 7-word run of ours may appear in it."""
    size = 7
    bench_shingles: set[tuple[str, ...]] = set()
    for name in ("facts.jsonl", "distractors.jsonl", "queries.jsonl"):
        path = bench_dir / "hi-dev" / name
        if not path.exists():
            pytest.skip(f"{path} not found")
        for line in path.read_text(encoding="utf-8").splitlines():
            w = _words(json.loads(line)["text"])
            bench_shingles.update(tuple(w[i:i + size]) for i in range(len(w) - size + 1))
    ours = [f["statement"] for f in facts] + [c["text"] for c in claims]
    for r in rebuttals:
        ours += [r["full_text"], r["whatsapp_text"]]
        ours += [t for tr in r["translations"].values() for t in tr.values()]
    for path in (DEMO / "whatsapp").glob("*.txt"):
        ours += _text(path).split("\n")
    for text in ours:
        w = _words(text)
        shared = [w[i:i + size] for i in range(len(w) - size + 1) if tuple(w[i:i + size]) in bench_shingles]
        assert not shared, f"shares {' '.join(shared[0])!r} with the benchmark"
