"""Review (diff, approve with four eyes, request changes, publish) and the research
library (expired facts, new facts, retire, valid-until)."""
from __future__ import annotations

import datetime as dt

from desk.domain import ClaimStatus, FactStatus, NoteTarget, RebuttalStatus, Source
from desk.services.facts import NewFact
from desk.services.rebuttals import RebuttalDraft


def test_review_shows_the_rebuttal_and_a_diff(desk, seeded):
    fc = desk.ids["fact_checker"]
    r = desk.svc.rebuttals.get(fc, seeded.in_review)
    desk.svc.rebuttals.save_version(fc, r.id, RebuttalDraft(
        "false", "The poll date has not changed. The Commission confirmed it.",
        "FALSE: the poll date has not changed.", title="Poll date unchanged", lang="en",
        fact_ids=(seeded.fact,)), expected_version=r.version)
    at = desk.app("editor", page="review")
    assert not at.exception
    assert at.metric[0].value == "1"
    texts = [t.value for t in at.text]
    assert "Polling in Lucknow moved to Monday, forward to all" in texts          # the claim
    assert "The poll date has not changed. The Commission confirmed it." in texts
    diff = [c.value for c in at.code if c.language == "diff"][0]
    assert "--- v1" in diff and "+++ v2" in diff
    assert "-The poll date has not changed." in diff
    assert "+The poll date has not changed. The Commission confirmed it." in diff
    assert at.link_button[0].url == "https://eci.gov.in/"


def test_approve_then_publish(desk, seeded):
    at = desk.app("editor", page="review")
    at.button(key="review.approve").click().run()
    assert not at.exception
    r = desk.svc.rebuttals.get(desk.system, seeded.in_review)
    assert (r.status, r.reviewer_id) == (RebuttalStatus.APPROVED, desk.ids["editor"])
    assert desk.svc.claims.get(desk.system, seeded.claim).status == ClaimStatus.APPROVED
    assert at.metric[0].value == "0"
    at.selectbox(key="review.publish_pick").set_value(seeded.in_review)
    at.button(key="review.publish").click().run()
    assert desk.svc.rebuttals.get(desk.system, seeded.in_review).status == \
        RebuttalStatus.PUBLISHED
    assert desk.svc.claims.get(desk.system, seeded.claim).status == ClaimStatus.PUBLISHED


def test_four_eyes_an_editor_cannot_approve_their_own(desk, seeded):
    ed = desk.ids["editor"]
    r = desk.svc.rebuttals.get(ed, seeded.in_review)
    # The editor writes the current version: they may no longer approve it.
    r = desk.svc.rebuttals.save_version(ed, r.id, RebuttalDraft(
        "false", "Edited by the editor.", "Edited."), expected_version=r.version)
    assert r.status == RebuttalStatus.IN_REVIEW
    at = desk.app("editor", page="review")
    assert "review.approve" not in [b.key for b in at.button]
    assert "four eyes" in desk.shown(at.info[0].value)
    other = desk.app("editor2", page="review")
    other.button(key="review.approve").click().run()
    assert desk.svc.rebuttals.get(ed, r.id).status == RebuttalStatus.APPROVED


def test_request_changes_needs_a_comment_and_tells_the_author(desk, seeded):
    at = desk.app("editor", page="review")
    at.button(key="review.send_back").click().run()
    assert desk.shown(at.warning[0].value) == "Write what needs to change first."
    assert desk.svc.rebuttals.get(desk.system, seeded.in_review).status == \
        RebuttalStatus.IN_REVIEW
    at.text_area(key="review.comment").set_value("Cite the ECI notice, please.")
    at.button(key="review.send_back").click().run()
    assert not at.exception
    assert desk.svc.rebuttals.get(desk.system, seeded.in_review).status == RebuttalStatus.DRAFT
    [note] = desk.svc.notes.list(desk.system, NoteTarget.REBUTTAL, seeded.in_review)
    assert note.body == "Cite the ECI notice, please." and note.author_id == desk.ids["editor"]
    claim_notes = desk.svc.notes.list(desk.system, NoteTarget.CLAIM, seeded.claim)
    assert "Cite the ECI notice" in claim_notes[0].body
    # The author sees it on the claim.
    author = desk.app("fact_checker")
    author.session_state["claim.id"] = seeded.claim
    desk.goto(author, "claim")
    assert any("Cite the ECI notice" in t.value for t in author.text)


def test_research_library_flags_expired_facts(desk, seeded):
    desk.svc.facts.create(desk.ids["researcher"], NewFact(
        "The helpline number was 1950 until last year.", lang="en", valid_until="2020-12-31"))
    at = desk.app("fact_checker", page="research")
    assert not at.exception
    table = desk.frame(at, "research.table")
    by_statement = dict(zip(table["Fact"], table["Status"]))
    assert by_statement["The helpline number was 1950 until last year."] == "Expired"
    assert by_statement["Polling dates are announced only by the Election Commission."] == \
        "Active"
    assert "Election Commission" in set(table["Publisher"])
    assert "research.new_submit" not in [b.key for b in at.button]     # fact-checkers read only


def test_new_fact_with_sources(desk, seeded):
    at = desk.app("researcher", page="research")
    at.text_area(key="research.new_statement").set_value("EVMs are not connected to any network.")
    at.selectbox(key="research.new_lang").set_value("en")
    at.selectbox(key="research.new_topic").set_value("polling")
    at.date_input(key="research.new_valid_until").set_value(dt.date(2027, 6, 30))
    at.text_area(key="research.new_sources").set_value(
        "https://eci.gov.in/evm/ | EVM FAQ | Election Commission | 2026-10-01")
    at.button(key="research.new_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [fact] = desk.svc.facts.list(desk.system, text="EVMs are not connected")
    assert fact.sources == (Source("https://eci.gov.in/evm/", "EVM FAQ", "Election Commission",
                                   "2026-10-01"),)
    assert (fact.topic, fact.valid_until[:10]) == ("polling", "2027-06-30")
    assert at.text_area(key="research.new_statement").value == ""


def test_new_fact_with_a_bad_source_is_refused_and_kept(desk, seeded):
    at = desk.app("researcher", page="research")
    at.text_area(key="research.new_statement").set_value("A fact with a bad source.")
    at.text_area(key="research.new_sources").set_value("javascript:alert(1) | x")
    at.button(key="research.new_submit").click().run()
    assert not at.exception
    assert "http" in desk.shown(at.error[0].value)
    assert at.text_area(key="research.new_statement").value == "A fact with a bad source."


def test_retire_reactivate_and_valid_until(desk, seeded):
    at = desk.app("researcher", page="research")
    at.button(key="research.retire").click().run()
    assert desk.svc.facts.get(desk.system, seeded.fact).status == FactStatus.RETIRED
    at.selectbox(key="research.filter_status").set_value("retired").run()
    at.button(key="research.reactivate").click().run()
    assert desk.svc.facts.get(desk.system, seeded.fact).status == FactStatus.ACTIVE
    at.selectbox(key="research.filter_status").set_value("active").run()
    at.date_input(key="research.edit_valid_until").set_value(dt.date(2026, 12, 31))
    at.button(key="research.save_valid_until").click().run()
    assert not at.exception
    assert desk.svc.facts.get(desk.system, seeded.fact).valid_until.startswith("2026-12-31")
