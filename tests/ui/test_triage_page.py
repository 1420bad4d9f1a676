"""The triage inbox: queue order and counts, filters, pagination, bulk actions,
conflicts, the new-claim form and opening a claim."""
from __future__ import annotations

import datetime as dt

import pytest

from desk.domain import ClaimStatus, NewClaim, NewSighting


def _ids(desk, at) -> list[int]:
    return [int(i) for i in desk.frame(at, "triage.table")["#"]]


def test_queue_is_sorted_by_priority_with_counts(desk, seeded):
    fc = desk.ids["fact_checker"]
    desk.svc.sightings.record(fc, [NewSighting(seeded.other_claim, f"m{i}", source_group=f"g{i}")
                                   for i in range(6)])
    at = desk.app("fact_checker")
    assert not at.exception
    ids = _ids(desk, at)
    assert ids[0] == seeded.other_claim                   # the viral one first
    assert set(ids) == {seeded.claim, seeded.other_claim}  # open claims by default
    table = desk.frame(at, "triage.table")
    assert list(table.columns[:4]) == ["#", "Priority", "Status", "Claim"]
    assert table["Priority"].is_monotonic_decreasing
    counts = desk.shown(at.caption[0].value)
    assert "New: 1" in counts and "In review: 1" in counts and "Published: 1" in counts
    assert at.metric[0].value == "2"


@pytest.mark.parametrize("widget,value,expected", [
    ("triage.filter_region", "UP", {"claim"}),                  # the Lucknow claim, via UP
    ("triage.filter_lang", "hi", {"other_claim"}),
    ("triage.filter_topic", "ration", {"other_claim"}),
    ("triage.filter_text", "30 नवंबर", {"other_claim"}),
    ("triage.filter_text", "%", set()),                         # literal, not a wildcard
    ("triage.filter_status", ["published"], {"published_claim"}),
    ("triage.filter_assignee", "none", {"claim", "other_claim"}),
    ("triage.filter_channel", "facebook", set()),
])
def test_filters(desk, seeded, widget, value, expected):
    at = desk.app("editor")
    if widget == "triage.filter_region":
        region = desk.svc.regions.by_code(desk.system, value)
        at.selectbox(key=widget).set_value(region.id)
    elif isinstance(value, list):
        at.multiselect(key=widget).set_value(value)
    elif widget == "triage.filter_text":
        at.text_input(key=widget).set_value(value)
    else:
        at.selectbox(key=widget).set_value(value)
    at.run()
    assert not at.exception
    want = {getattr(seeded, name) for name in expected}
    if want:
        assert set(_ids(desk, at)) == want
    else:
        assert desk.frame(at, "triage.table").empty


def test_date_filter_bounds_last_seen(desk, seeded):
    desk.svc.sightings.record(desk.ids["fact_checker"], [
        NewSighting(seeded.claim, "old", seen_at="2026-01-05T10:00:00Z")])
    at = desk.app("editor")
    at.date_input(key="triage.filter_dates").set_value(
        (dt.date(2020, 1, 1), dt.date(2020, 12, 31))).run()
    assert not at.exception
    assert desk.frame(at, "triage.table").empty


def test_pagination(desk, seeded):
    fc = desk.ids["fact_checker"]
    desk.svc.claims.create_many(fc, [NewClaim(f"Filler claim {i:03d}") for i in range(118)])
    at = desk.app("fact_checker")
    assert at.metric[0].value == "120"
    first = _ids(desk, at)
    assert len(first) == 50
    at.pagination(key="triage.page").set_value(3).run()
    assert not at.exception
    third = _ids(desk, at)
    assert len(third) == 20 and not set(third) & set(first)
    # New filters start again on page 1.
    at.text_input(key="triage.filter_text").set_value("Filler").run()
    assert len(_ids(desk, at)) == 50 and at.metric[0].value == "118"


def test_bulk_take_and_dismiss(desk, seeded):
    at = desk.app("fact_checker")
    at.multiselect(key="triage.selected").set_value([seeded.claim, seeded.other_claim]).run()
    at.button(key="triage.bulk_take").click().run()
    assert not at.exception
    assert at.success[0].value == "Done for 2 claims\\."
    me = desk.ids["fact_checker"]
    assert {c.assignee_id for c in desk.svc.claims.get_many(
        me, [seeded.claim, seeded.other_claim])} == {me}
    at.multiselect(key="triage.selected").set_value([seeded.other_claim]).run()
    at.selectbox(key="triage.bulk_reason").set_value("spam")
    at.button(key="triage.bulk_dismiss").click().run()
    claim = desk.svc.claims.get(me, seeded.other_claim)
    assert (claim.status, claim.dismiss_reason.value) == (ClaimStatus.DISMISSED, "spam")
    assert seeded.other_claim not in _ids(desk, at)


def test_bulk_assign_and_duplicate(desk, seeded):
    at = desk.app("editor")
    at.multiselect(key="triage.selected").set_value([seeded.other_claim]).run()
    at.selectbox(key="triage.bulk_assignee").set_value(desk.ids["researcher"])
    at.button(key="triage.bulk_assign").click().run()
    assert not at.exception
    assert desk.svc.claims.get(desk.system, seeded.other_claim).assignee_id == \
        desk.ids["researcher"]
    at.multiselect(key="triage.selected").set_value([seeded.other_claim]).run()
    at.number_input(key="triage.bulk_canonical").set_value(seeded.claim)
    at.button(key="triage.bulk_duplicate").click().run()
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    assert (claim.status, claim.duplicate_of) == (ClaimStatus.DUPLICATE, seeded.claim)


def test_bulk_action_needs_a_selection(desk, seeded):
    at = desk.app("fact_checker")
    at.button(key="triage.bulk_take").click().run()
    assert at.warning[0].value == "Select claims first\\."


def test_a_claim_changed_meanwhile_is_refused_and_reported(desk, seeded):
    at = desk.app("fact_checker")
    at.multiselect(key="triage.selected").set_value([seeded.claim, seeded.other_claim]).run()
    # Someone else assigns one of them after this page was drawn.
    other = desk.svc.claims.get(desk.system, seeded.other_claim)
    desk.svc.claims.assign(desk.ids["editor"], other.id, desk.ids["researcher"],
                           expected_version=other.version)
    at.button(key="triage.bulk_take").click().run()
    assert not at.exception
    assert at.success[0].value == "Done for 1 claims\\."
    assert any("changed by editor" in e.value for e in at.error)
    assert desk.svc.claims.get(desk.system, seeded.other_claim).assignee_id == \
        desk.ids["researcher"]                             # the other person's change is kept


def test_new_claim_form_stores_the_text_verbatim(desk, reference):
    # An empty desk: nothing to merge into, so the claim itself is stored.
    hostile = "<b>Free laptops</b> for every student\n[apply here](javascript:alert(1)) 100%_"
    at = desk.app("researcher")
    at.text_area(key="triage.new_text").set_value(hostile)
    at.selectbox(key="triage.new_channel").set_value("phone")
    at.selectbox(key="triage.new_region").set_value("UP-VNS")
    at.multiselect(key="triage.new_topics").set_value(["polling"])
    at.button(key="triage.new_submit").click().run()
    assert not at.exception
    assert desk.shown(at.success[0].value).startswith("Claim #"), [e.value for e in at.error]
    [row] = desk.svc.claims.queue(desk.system).rows
    claim = desk.svc.claims.get(desk.system, row.id)
    assert claim.text == hostile
    assert (claim.channel.value, claim.topics) == ("phone", ("polling",))
    assert at.text_area(key="triage.new_text").value == ""        # the form is cleared


def test_new_claim_form_keeps_the_text_when_refused(desk, seeded):
    at = desk.app("researcher")
    at.text_area(key="triage.new_text").set_value("A claim with a bad link")
    at.text_input(key="triage.new_url").set_value("javascript:alert(1)")
    at.button(key="triage.new_submit").click().run()
    assert not at.exception
    assert "http" in at.error[0].value
    assert at.text_area(key="triage.new_text").value == "A claim with a bad link"


def test_open_claim_goes_to_the_workspace(desk, seeded):
    at = desk.app("fact_checker")
    at.selectbox(key="triage.open_id").set_value(seeded.other_claim)
    at.button(key="triage.open").click().run()
    assert not at.exception
    assert at.title[0].value == f"Claim #{seeded.other_claim}"
    assert "राशन कार्ड 30 नवंबर से बंद हो जाएंगे" in [t.value for t in at.text]
