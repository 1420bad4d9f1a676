"""The claim workspace: literal text, workflow, assignment, details, notes,
candidates (confirm, reject, answer, fold), the rebuttal editor and conflicts."""
from __future__ import annotations

import datetime as dt

import pytest

from desk.domain import ClaimStatus, LinkDecision, NoteTarget, RebuttalStatus, SuggestedLink
from desk.services.rebuttals import RebuttalDraft


def _open(desk, who: str, claim_id: int):
    at = desk.app(who)
    at.session_state["claim.id"] = claim_id
    return desk.goto(at, "claim")


def test_claim_is_shown_as_plain_text_with_its_details(desk, seeded):
    at = _open(desk, "researcher", seeded.other_claim)
    assert not at.exception
    assert at.title[0].value == f"Claim #{seeded.other_claim}"
    assert "राशन कार्ड 30 नवंबर से बंद हो जाएंगे" in [t.value for t in at.text]
    details = desk.shown(" ".join(m.value for m in at.markdown))
    for line in ("**Status:** New", "**Language:** Hindi", "**Region:** Jaipur (RJ-JP)",
                 "**Topics:** Ration", "**Spread:** 0 sightings, 0 groups"):
        assert line in details


def test_deep_link_by_query_parameter(desk, seeded):
    at = desk.app("researcher")
    at.query_params["claim"] = str(seeded.other_claim)
    desk.goto(at, "claim")
    assert at.title[0].value == f"Claim #{seeded.other_claim}"


def test_unknown_claim_is_a_clear_error(desk, seeded):
    at = _open(desk, "researcher", 9999)
    assert not at.exception
    assert "does not exist" in desk.shown(at.error[0].value)


def test_take_move_dismiss_reopen(desk, seeded):
    at = _open(desk, "fact_checker", seeded.other_claim)
    me = desk.ids["fact_checker"]
    at.button(key="claim.take").click().run()
    assert desk.svc.claims.get(me, seeded.other_claim).assignee_id == me
    assert "claim.take" not in [b.key for b in at.button]        # already mine
    at.button(key="claim.to_in_research").click().run()
    assert desk.svc.claims.get(me, seeded.other_claim).status == ClaimStatus.IN_RESEARCH
    at.selectbox(key="claim.dismiss_reason").set_value("opinion")
    at.button(key="claim.dismiss").click().run()
    claim = desk.svc.claims.get(me, seeded.other_claim)
    assert (claim.status, claim.dismiss_reason.value) == (ClaimStatus.DISMISSED, "opinion")
    at.button(key="claim.reopen").click().run()
    assert desk.svc.claims.get(me, seeded.other_claim).status == ClaimStatus.NEW
    assert not at.exception and not at.error


def test_editor_assigns_and_marks_duplicate(desk, seeded):
    at = _open(desk, "editor", seeded.other_claim)
    at.selectbox(key="claim.assignee").set_value(desk.ids["researcher"])
    at.button(key="claim.assign").click().run()
    assert desk.svc.claims.get(desk.system, seeded.other_claim).assignee_id == \
        desk.ids["researcher"]
    at.number_input(key="claim.duplicate_id").set_value(seeded.published_claim)
    at.button(key="claim.mark_duplicate").click().run()
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    assert (claim.status, claim.duplicate_of) == (ClaimStatus.DUPLICATE, seeded.published_claim)
    assert "Duplicate of claim" in desk.shown(" ".join(c.value for c in at.caption))


def test_edit_details(desk, seeded):
    at = _open(desk, "fact_checker", seeded.other_claim)
    at.selectbox(key="claim.edit_region").set_value("UP-VNS")
    at.multiselect(key="claim.edit_topics").set_value(["polling", "ration"])
    at.date_input(key="claim.edit_due_day").set_value(dt.date(2026, 11, 30))
    at.time_input(key="claim.edit_due_time").set_value(dt.time(9, 30))
    at.selectbox(key="claim.edit_verdict").set_value("misleading")
    at.button(key="claim.edit_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    region = desk.svc.regions.by_code(desk.system, "UP-VNS")
    assert (claim.region_id, claim.topics) == (region.id, ("polling", "ration"))
    assert (claim.due_at, claim.verdict.value) == ("2026-11-30T09:30:00Z", "misleading")
    assert at.selectbox(key="claim.edit_region").value == "UP-VNS"   # reloaded from the save


def test_a_change_made_meanwhile_is_refused_with_who_changed_it(desk, seeded):
    at = _open(desk, "fact_checker", seeded.other_claim)
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    desk.svc.claims.assign(desk.ids["editor"], claim.id, desk.ids["researcher"],
                           expected_version=claim.version)
    at.button(key="claim.take").click().run()
    assert not at.exception
    message = desk.shown(at.error[0].value)
    assert message.startswith("Changed by someone else — reload.")
    assert "changed by editor" in message
    assert desk.svc.claims.get(desk.system, claim.id).assignee_id == desk.ids["researcher"]
    # The page now shows the current version; the next click works.
    at.button(key="claim.take").click().run()
    assert desk.svc.claims.get(desk.system, claim.id).assignee_id == desk.ids["fact_checker"]


def test_notes_are_added_and_shown_as_text(desk, seeded):
    at = _open(desk, "researcher", seeded.other_claim)
    body = "**Not bold** [link](javascript:alert(1)) <i>x</i>"
    at.text_area(key="claim.note").set_value(body)
    at.button(key="claim.note_add").click().run()
    assert not at.exception
    [note] = desk.svc.notes.list(desk.system, NoteTarget.CLAIM, seeded.other_claim)
    assert note.body == body and note.author_id == desk.ids["researcher"]
    assert body in [t.value for t in at.text]
    assert at.text_area(key="claim.note").value == ""


def _fill(at, **values):
    for name, value in values.items():
        key = f"claim.rb_{name}"
        if name in ("verdict", "lang"):
            at.selectbox(key=key).set_value(value)
        elif name == "facts":
            at.multiselect(key=key).set_value(value)
        elif name in ("title", "note"):
            at.text_input(key=key).set_value(value)
        else:
            at.text_area(key=key).set_value(value)
    return at


def test_rebuttal_is_drafted_saved_as_versions_and_submitted(desk, seeded):
    at = _open(desk, "fact_checker", seeded.other_claim)
    assert at.button(key="claim.rb_save").label == "Save draft"
    wa = "*FALSE*: ration cards are not being cancelled."
    _fill(at, verdict="false", lang="hi", title="Ration cards continue",
          full="राशन कार्ड बंद नहीं हो रहे हैं।", whatsapp=wa,
          links="https://nfsa.gov.in/ | NFSA | Food Ministry | 2026-11-01",
          tr_full="Ration cards are not being cancelled.").run()
    assert f"{len(wa)} of 1000 characters" in desk.shown(" ".join(c.value for c in at.caption))
    assert wa in [c.value for c in at.code]                          # the preview
    at.multiselect(key="claim.rb_facts").set_value([seeded.fact]).run()
    at.button(key="claim.rb_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [rebuttal] = desk.svc.rebuttals.for_claim(desk.system, seeded.other_claim)
    v1 = rebuttal.current
    assert (rebuttal.status, v1.version_no, v1.whatsapp_text) == (RebuttalStatus.DRAFT, 1, wa)
    assert v1.fact_ids == (seeded.fact,) and v1.links[0].url == "https://nfsa.gov.in/"
    assert v1.translations == {"en": {"full_text": "Ration cards are not being cancelled.",
                                      "whatsapp_text": ""}}
    # Edit and save a second version with a change note.
    _fill(at, full="राशन कार्ड बंद नहीं हो रहे। स्रोत: खाद्य मंत्रालय।",
          note="added the source").run()
    assert at.button(key="claim.rb_submit").disabled            # unsaved changes
    at.button(key="claim.rb_save").click().run()
    rebuttal = desk.svc.rebuttals.get(desk.system, rebuttal.id)
    assert (rebuttal.current_version_no, rebuttal.current.change_note) == (2, "added the source")
    assert not at.button(key="claim.rb_submit").disabled
    at.button(key="claim.rb_submit").click().run()
    assert not at.exception
    assert desk.svc.rebuttals.get(desk.system, rebuttal.id).status == RebuttalStatus.IN_REVIEW
    assert desk.svc.claims.get(desk.system, seeded.other_claim).status == ClaimStatus.IN_REVIEW


def test_a_refused_save_keeps_the_typed_text(desk, seeded):
    at = _open(desk, "fact_checker", seeded.claim)           # has the rebuttal in review
    rebuttal = desk.svc.rebuttals.get(desk.system, seeded.in_review)
    assert at.text_area(key="claim.rb_full").value == rebuttal.current.full_text
    # Another editor saves a version while this form is open.
    desk.svc.rebuttals.save_version(desk.ids["editor2"], rebuttal.id, RebuttalDraft(
        "false", "Their version.", "Their WhatsApp text."), expected_version=rebuttal.version)
    typed = "My careful rewrite that must not be lost."
    _fill(at, full=typed).run()
    at.button(key="claim.rb_save").click().run()
    assert not at.exception
    assert "changed by editor2" in desk.shown(at.error[0].value)
    assert typed in [c.value for c in at.code]                 # shown to copy
    assert at.text_area(key="claim.rb_full").value == typed    # and still in the editor
    assert desk.svc.rebuttals.get(desk.system, rebuttal.id).current.full_text == "Their version."
    assert any("Someone changed this rebuttal" in desk.shown(w.value) for w in at.warning)
    at.button(key="claim.rb_reload").click().run()
    assert at.text_area(key="claim.rb_full").value == "Their version."


def _suggest(desk, seeded):
    fc = desk.ids["fact_checker"]
    links = desk.svc.links.record_suggestions(fc, seeded.other_claim, [
        SuggestedLink("fact", seeded.fact, 0.62, "related", {"dense": 0.7}),
        SuggestedLink("rebuttal", seeded.published, 0.91, "same", {"dense": 0.9}),
        SuggestedLink("claim", seeded.claim, 0.55, "related"),
    ])
    return {link.target_kind.value: link for link in links}


def test_candidates_show_tier_score_and_can_be_confirmed_or_rejected(desk, seeded):
    links = _suggest(desk, seeded)
    at = _open(desk, "researcher", seeded.other_claim)
    heads = [desk.shown(m.value) for m in at.markdown if "score" in m.value]
    assert heads[0] == (f"Rebuttal #{seeded.published} · Same claim · score 0.91 · Suggested")
    assert "FALSE: no free cylinders for voting." in [t.value for t in at.text]
    at.button(key=f"claim.confirm_{links['fact'].id}").click().run()
    at.button(key=f"claim.reject_{links['claim'].id}").click().run()
    assert not at.exception
    decided = {link.target_kind.value: link.decision
               for link in desk.svc.links.for_claim(desk.system, seeded.other_claim)}
    assert decided == {"fact": LinkDecision.CONFIRMED, "claim": LinkDecision.REJECTED,
                       "rebuttal": LinkDecision.SUGGESTED}
    assert desk.svc.dashboard.matching_quality(desk.system).share_confirmed == 0.5


def test_answer_with_a_live_rebuttal(desk, seeded):
    links = _suggest(desk, seeded)
    at = _open(desk, "fact_checker", seeded.other_claim)
    assert f"claim.answer_{links['fact'].id}" not in [b.key for b in at.button]
    at.button(key=f"claim.answer_{links['rebuttal'].id}").click().run()
    assert not at.exception
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    assert (claim.status, claim.answered_by) == (ClaimStatus.ANSWERED, seeded.published)


def test_fold_into_the_same_claim(desk, seeded):
    links = _suggest(desk, seeded)
    at = _open(desk, "fact_checker", seeded.other_claim)
    at.button(key=f"claim.fold_{links['claim'].id}").click().run()
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    assert (claim.status, claim.duplicate_of) == (ClaimStatus.DUPLICATE, seeded.claim)


@pytest.mark.parametrize("who", ["researcher"])
def test_answer_and_fold_need_the_dismiss_permission(desk, seeded, who):
    links = _suggest(desk, seeded)
    at = _open(desk, who, seeded.other_claim)
    keys = [b.key for b in at.button]
    assert f"claim.answer_{links['rebuttal'].id}" not in keys
    assert f"claim.fold_{links['claim'].id}" not in keys
    assert f"claim.confirm_{links['claim'].id}" in keys      # but may judge the match
