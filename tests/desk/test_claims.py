"""Claims, sightings, priority and the triage queue; hostile and bad input."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.clock import iso, parse_iso
from desk.domain import ClaimStatus, NewClaim, NewSighting, QueueFilter, Virality
from desk.services.claims import AGED_AT
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import settings as settings_repo
from desk.errors import NotFound, ValidationError
from desk.services.priority import priority
from desk.services.sightings import SenderHasher, sender_key

NOW = parse_iso("2026-11-22T10:00:00Z")


@pytest.mark.parametrize("text,message", [
    ("", "empty"), ("   \n ", "empty"), (None, "empty"), (42, "must be text"),
    ("x" * 20_001, "too long"), ("bad \ud800 surrogate", "not valid Unicode"),
    ("nul \x00 char", "NUL"),
])
def test_bad_claim_text_is_refused_and_nothing_is_written(svc, people, store, text, message):
    with pytest.raises(ValidationError, match=message):
        svc.claims.create(people["fact_checker"], NewClaim(text))
    assert store.scalar("SELECT count(*) FROM claims") == 0


@pytest.mark.parametrize("field,value,message", [
    ("source_url", "javascript:alert(1)", "http or https"),
    ("source_url", "data:text/html,<b>x</b>", "http or https"),
    ("channel", "telegram", "channel must be one of"),
    ("seen_at", "yesterday", "ISO-8601"),
    ("topics", ("no-such-topic",), "unknown topic"),
])
def test_bad_claim_fields_are_refused(svc, people, store, field, value, message):
    with pytest.raises(ValidationError, match=message):
        svc.claims.create(people["fact_checker"], NewClaim("Valid text", **{field: value}))
    assert store.scalar("SELECT count(*) FROM claims") == 0


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script> सरकार ने राशन बंद किया",
    '<img src=x onerror=alert(1)> FREE RECHARGE',
    "[click here](javascript:alert(1)) bhej do sabko",
    "100% सच है, ₹5,00,000 मिलेंगे — share karo 🙏🙏",
])
def test_hostile_text_is_kept_verbatim(svc, people, text):
    claim = svc.claims.create(people["fact_checker"], NewClaim(text))
    assert svc.claims.get(people["coordinator"], claim.id).text == text


def test_create_many_is_all_or_nothing(svc, people, store):
    good = [NewClaim(f"claim {n}") for n in range(5)]
    with pytest.raises(ValidationError, match="claim 6: text is empty"):
        svc.claims.create_many(people["fact_checker"], [*good, NewClaim("")])
    with pytest.raises(ValidationError, match="unknown region"):
        svc.claims.create_many(people["fact_checker"], [*good, NewClaim("x", region_code="ZZ")])
    assert store.scalar("SELECT count(*) FROM claims") == 0
    ids = svc.claims.create_many(people["fact_checker"], good)
    assert len(ids) == 5 and len(store.match_items("claims")) == 5


def test_real_normalizer_keys_claims_when_available(store, clock, tmp_path):
    normalize = pytest.importorskip("index.normalize").normalize
    from desk.services import build_services

    svc = build_services(store, sender_secret=b"s" * 32, backup_dir=tmp_path, clock=clock,
                         normalizer=normalize)
    claim = svc.claims.create(svc.system_user_id(), NewClaim("राशन कार्ड बंद नहीं होगा"))
    expected = normalize("राशन कार्ड बंद नहीं होगा")
    assert (claim.match_key, claim.lang, claim.script) == (expected.key, expected.lang,
                                                           expected.script)


# -- sightings -----------------------------------------------------------------------------

def test_sightings_are_idempotent_and_drive_virality(svc, people, store, clock):
    fc = people["fact_checker"]
    claim = svc.claims.create(fc, NewClaim("Free gas cylinder for everyone",
                                           seen_at="2026-11-20T08:00:00Z"))
    base_priority = claim.priority
    batch = [
        NewSighting(claim.id, "m1", seen_at="2026-11-22T09:00:00Z", source_group="g1",
                    sender="+91 98765 43210"),
        NewSighting(claim.id, "m2", seen_at="2026-11-22T09:30:00Z", source_group="g2",
                    sender="09876543210"),
        NewSighting(claim.id, "m3", seen_at="2026-11-18T09:30:00Z", source_group="g2",
                    sender="Ramesh Ji"),
    ]
    report = svc.sightings.record(fc, batch)
    assert (report.inserted, report.duplicates, report.claim_ids) == (3, 0, (claim.id,))
    again = svc.sightings.record(fc, batch)
    assert (again.inserted, again.duplicates) == (0, 3)
    after = svc.claims.get(fc, claim.id)
    assert (after.sighting_count, after.group_count, after.sightings_24h) == (3, 2, 2)
    assert (after.first_seen_at, after.last_seen_at) == ("2026-11-18T09:30:00Z",
                                                         "2026-11-22T09:30:00Z")
    assert after.priority > base_priority
    assert after.version == claim.version, "derived figures are not an edit"
    hashes = [s.sender_hash for s in svc.claims.sightings(fc, claim.id)]
    assert hashes[0] == hashes[1] != hashes[2], "one phone number, written two ways"
    raw = " ".join(str(v) for r in store.all("SELECT * FROM sightings") for v in tuple(r))
    assert "98765" not in raw and "Ramesh" not in raw


def test_sighting_batch_with_an_unknown_claim_writes_nothing(svc, people, store):
    fc = people["fact_checker"]
    claim = svc.claims.create(fc, NewClaim("x"))
    with pytest.raises(NotFound):
        svc.sightings.record(fc, [NewSighting(claim.id, "a"), NewSighting(999, "b")])
    assert store.scalar("SELECT count(*) FROM sightings") == 0


def test_duplicate_sightings_count_for_the_canonical_claim(svc, people):
    fc = people["fact_checker"]
    a = svc.claims.create(fc, NewClaim("Exam postponed"))
    b = svc.claims.create(fc, NewClaim("exam postpone ho gaya"))
    svc.sightings.record(fc, [NewSighting(b.id, f"k{n}", source_group=f"g{n}") for n in range(4)])
    svc.claims.mark_duplicate(fc, b.id, a.id, expected_version=b.version)
    assert svc.claims.get(fc, a.id).sighting_count == 4
    svc.sightings.record(fc, [NewSighting(b.id, "k9", source_group="g9")])
    assert svc.claims.get(fc, a.id).sighting_count == 5


@pytest.mark.parametrize("order", ["canonical_first", "duplicate_first"])
def test_virality_is_complete_when_a_duplicate_is_queried_in_another_chunk(
        svc, people, store, monkeypatch, order):
    fc = people["fact_checker"]
    a = svc.claims.create(fc, NewClaim("Exam postponed"))
    b = svc.claims.create(fc, NewClaim("exam postpone ho gaya"))
    svc.sightings.record(fc, [NewSighting(a.id, "a1", source_group="g1"),
                              NewSighting(b.id, "b1", source_group="g2"),
                              NewSighting(b.id, "b2", source_group="g3")])
    svc.claims.mark_duplicate(fc, b.id, a.id, expected_version=b.version)
    monkeypatch.setattr(claims_repo, "VIRALITY_CHUNK", 1)  # a and b in separate queries
    ids = [a.id, b.id] if order == "canonical_first" else [b.id, a.id]
    figures = claims_repo.virality(store, ids, since_24h="2000-01-01T00:00:00Z")
    assert (figures[a.id].sightings, figures[a.id].groups) == (3, 3)


def test_select_in_chunks_drops_duplicates_and_binds_before_and_repeat(store):
    store.execute("CREATE TABLE t (k INTEGER, tag TEXT)")
    store.executemany("INSERT INTO t VALUES (?, ?)", [(i, "x" if i % 2 else "y") for i in range(7)])
    rows = store.select_in("SELECT k FROM t WHERE tag = ? AND (k IN ({marks}) OR k IN ({marks}))"
                           " ORDER BY k", [1, 3, 3, 5, 6, 2], before=["x"], repeat=2, chunk=2)
    assert [r[0] for r in rows] == [1, 3, 5]
    assert store.select_in("SELECT k FROM t WHERE k IN ({marks})", []) == []


@pytest.mark.parametrize("a,b,same", [
    ("+91 98765 43210", "9876543210", True),
    ("+91-98765-43210", "098765 43210", True),
    ("Ramesh Ji", "  ramesh   ji ", True),
    ("रमेश", "रमेश", True),
    ("+91 98765 43210", "+91 98765 43211", False),
])
def test_sender_keys(a, b, same):
    assert (sender_key(a) == sender_key(b)) is same
    hasher = SenderHasher(b"k" * 32)
    assert (hasher(a) == hasher(b)) is same
    assert hasher(a) != SenderHasher(b"j" * 32)(a), "the hash is keyed per installation"


# -- priority --------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10_000)
hours = st.floats(min_value=0, max_value=24 * 60, allow_nan=False)


def _v(sightings, groups, regions, last_24h, hours_ago):
    return Virality(sightings=sightings, groups=groups, regions=regions, last_24h=last_24h,
                    last_seen_at=iso(NOW - timedelta(hours=hours_ago)))


@settings(max_examples=200, deadline=None)
@given(counts, counts, counts, counts, hours, st.integers(0, 4), st.integers(1, 50),
       st.one_of(st.none(), st.floats(min_value=-100, max_value=500, allow_nan=False)))
def test_priority_is_bounded_and_monotonic(s, g, r, d, h, which, more, due_h):
    due = None if due_h is None else iso(NOW + timedelta(hours=due_h))
    base = [s, g, r, d]
    p = priority(_v(*base, h), now=NOW, due_at=due)
    assert 0.0 <= p <= 100.0
    bigger = list(base)
    if which < 4:
        bigger[which] += more
    p_more = priority(_v(*bigger, h if which < 4 else max(0.0, h - more)), now=NOW, due_at=due)
    assert p_more >= p
    if due_h is not None:
        sooner = iso(NOW + timedelta(hours=due_h - more))
        assert priority(_v(*base, h), now=NOW, due_at=sooner) >= p


def test_priority_examples():
    quiet = priority(_v(1, 1, 1, 0, 72), now=NOW)
    viral = priority(_v(40, 15, 6, 25, 1), now=NOW)
    overdue = priority(_v(1, 1, 1, 0, 72), now=NOW, due_at="2026-11-22T09:00:00Z")
    assert quiet < overdue < viral
    assert priority(Virality(), now=NOW) == 0.0


# -- queue ----------------------------------------------------------------------------------------

@pytest.fixture
def queue_data(svc, people, system_id):
    fc, rs = people["fact_checker"], people["researcher"]
    svc.regions.upsert_topic(system_id, "ration", "Ration")
    svc.regions.upsert_topic(system_id, "exam", "Exams")
    made = {}
    specs = [
        ("a", "Ration card 100% band", "whatsapp", ("ration",), 5),
        ("b", "Ration card 10_0 band hoga", "facebook", ("ration",), 1),
        ("c", "राशन कार्ड बंद", "whatsapp", ("ration", "exam"), 3),
        ("d", "Board exam paper leaked", "x", ("exam",), 0),
        ("e", "Exam date moved\\ to May", "whatsapp", (), 2),
    ]
    for key, text, channel, topics, n_sightings in specs:
        c = svc.claims.create(fc, NewClaim(text, channel=channel, topics=topics))
        if n_sightings:
            svc.sightings.record(fc, [NewSighting(c.id, f"{key}{i}", source_group=f"g{i}")
                                      for i in range(n_sightings)])
        made[key] = svc.claims.get(fc, c.id)
    svc.claims.assign(fc, made["c"].id, fc, expected_version=made["c"].version)
    d = made["d"]
    svc.claims.dismiss(fc, d.id, "spam", expected_version=d.version)
    svc.claims.assign(rs, made["e"].id, rs, expected_version=made["e"].version)
    return made


def _ids(svc, people, **kw):
    page = svc.claims.queue(people["coordinator"], QueueFilter(**kw))
    return [row.id for row in page.rows]


def test_queue_sorts_by_priority_and_counts(svc, people, queue_data):
    m = queue_data
    page = svc.claims.queue(people["coordinator"])
    assert [r.id for r in page.rows] == [m["a"].id, m["c"].id, m["e"].id, m["b"].id]
    assert page.total == 4 and page.status_counts["dismissed"] == 1
    assert page.status_counts["new"] == 4
    two = svc.claims.queue(people["coordinator"], page=2, page_size=3)
    assert [r.id for r in two.rows] == [m["b"].id] and two.pages == 2 and two.total == 4


@pytest.mark.parametrize("filters,expected", [
    ({"topic": "ration"}, ["a", "c", "b"]),
    ({"topic": "ration", "channel": "whatsapp"}, ["a", "c"]),
    ({"lang": "hi"}, ["c"]),
    ({"unassigned": True}, ["a", "b"]),
    ({"text": "100%"}, ["a"]),                 # % is literal...
    ({"text": "10_"}, ["b"]),                  # ..._ is literal...
    ({"text": "%"}, ["a"]),
    ({"text": "_"}, ["b"]),
    ({"text": "\\"}, ["e"]),                   # ...and so is the escape character
    ({"text": "RATION CARD"}, ["a", "b"]),
    ({"statuses": ("dismissed",)}, ["d"]),
    ({"statuses": ("new", "dismissed"), "channel": "x"}, ["d"]),
    ({"seen_from": "2026-11-23T00:00:00Z"}, []),
])
def test_queue_filters(svc, people, queue_data, filters, expected):
    assert _ids(svc, people, **filters) == [queue_data[k].id for k in expected]


def test_queue_assignee_filter_and_bad_paging(svc, people, queue_data):
    assert _ids(svc, people, assignee_id=people["fact_checker"]) == [queue_data["c"].id]
    with pytest.raises(ValidationError):
        svc.claims.queue(people["coordinator"], page=0)
    with pytest.raises(ValidationError):
        svc.claims.queue(people["coordinator"], page_size=10_000)
    with pytest.raises(ValidationError, match="status must be one of"):
        svc.claims.queue(people["coordinator"], QueueFilter(statuses=("nonsense",)))


def test_refresh_priorities_ages_claims(svc, people, queue_data, clock):
    a = svc.claims.get(people["fact_checker"], queue_data["a"].id)
    clock.advance(days=3)
    changed = svc.claims.refresh_priorities(people["fact_checker"])
    assert changed == 4          # every open claim aged; the dismissed one is left alone
    aged = svc.claims.get(people["fact_checker"], a.id)
    assert aged.priority < a.priority and aged.sightings_24h == 0
    assert aged.status == ClaimStatus.NEW and aged.version == a.version


def test_priorities_age_when_due(svc, people, queue_data, clock, store):
    co = people["coordinator"]
    a = queue_data["a"]
    assert svc.claims.ageing_due()                         # never refreshed
    assert svc.claims.age_if_due() == 0                    # nothing changed yet
    stamp = settings_repo.get(store, AGED_AT)
    assert stamp is not None and stamp[0] == "2026-11-22T10:00:00Z"
    fresh = svc.claims.get(co, a.id).priority
    clock.advance(minutes=4)
    assert not svc.claims.ageing_due() and svc.claims.age_if_due() is None
    assert settings_repo.get(store, AGED_AT) == stamp
    clock.advance(days=3)
    assert svc.claims.age_if_due(chunk=2) == 4             # the four open claims, two at a time
    aged = svc.claims.get(co, a.id)
    assert aged.priority < fresh and aged.sightings_24h == 0 and aged.version == a.version
    assert {r.id: r.priority for r in svc.claims.queue(co).rows}[a.id] == aged.priority
    assert settings_repo.get(store, AGED_AT)[0] == "2026-11-25T10:04:00Z"
    # A manual refresh counts as one too.
    clock.advance(minutes=10)
    svc.claims.refresh_priorities(people["fact_checker"])
    assert svc.claims.age_if_due() is None


def test_only_one_process_ages_the_claims(svc, people, queue_data, clock, db_path, services_for):
    clock.advance(days=1)
    stores = [Store.open(db_path) for _ in range(3)]
    services = [services_for(s) for s in stores]
    start = threading.Barrier(len(services))
    results: list = []

    def read(service) -> None:
        start.wait()
        results.append(service.claims.age_if_due())

    threads = [threading.Thread(target=read, args=(s,)) for s in services]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    for s in stores:
        s.close()
    assert len(results) == 3 and sorted(r is None for r in results) == [False, True, True]
    assert [r for r in results if r is not None] == [4]   # the four open claims


def test_no_ageing_inside_the_callers_transaction(svc, people, queue_data, store):
    with store.read():
        assert svc.claims.age_if_due() is None
    assert settings_repo.get(store, AGED_AT) is None


def test_due_date_change_reprioritises(svc, people):
    fc = people["fact_checker"]
    c = svc.claims.create(fc, NewClaim("Booth changed for ward 12"))
    c2 = svc.claims.update(fc, c.id, expected_version=c.version, due_at="2026-11-22T11:00:00Z")
    assert c2.priority > c.priority and c2.due_at == "2026-11-22T11:00:00Z"


@pytest.mark.parametrize("needle", ['"band', 'band" OR "x', "card*", "NEAR(a b)", "a:b", "ca"])
def test_search_syntax_in_text_filter_is_literal(svc, people, queue_data, needle):
    page = svc.claims.queue(people["coordinator"], QueueFilter(text=needle))
    expected = [r for r in ("Ration card 100% band", "Ration card 10_0 band hoga")
                if needle.casefold() in r.casefold()]
    assert [row.text for row in page.rows] == expected
