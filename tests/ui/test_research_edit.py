"""Correcting a fact in the research library: statement, language, topic and sources are
saved with the version the researcher saw; a change made meanwhile is refused as "changed
by X" with the typed text kept; the near-duplicate check runs on the edited statement."""
from __future__ import annotations

from desk.domain import Source
from desk.services.facts import NewFact


def test_a_fact_is_corrected(desk, seeded):
    at = desk.app("researcher", page="research")
    assert at.text_area(key="research.edit_statement").value == \
        "Polling dates are announced only by the Election Commission."
    assert at.text_area(key="research.edit_sources").value == \
        "https://eci.gov.in/ | ECI | Election Commission | 2026-11-01"
    at.text_area(key="research.edit_statement").set_value(
        "Polling dates are announced only by the Election Commission of India.")
    at.selectbox(key="research.edit_lang").set_value("hi")
    at.selectbox(key="research.edit_topic").set_value("ration")
    at.text_area(key="research.edit_sources").set_value(
        "https://eci.gov.in/schedule/ | Schedule | Election Commission | 2026-11-05\n"
        "https://pib.gov.in/ | PIB")
    at.button(key="research.edit_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    fact = desk.svc.facts.get(desk.system, seeded.fact)
    assert fact.statement == "Polling dates are announced only by the Election Commission of India."
    assert (fact.lang, fact.topic) == ("hi", "ration")
    assert fact.sources == (
        Source("https://eci.gov.in/schedule/", "Schedule", "Election Commission", "2026-11-05"),
        Source("https://pib.gov.in/", "PIB", "", None))
    # The form shows what was saved, and the next correction goes through too.
    assert at.text_area(key="research.edit_statement").value == fact.statement
    at.selectbox(key="research.edit_topic").set_value("").run()
    at.button(key="research.edit_save").click().run()
    assert desk.svc.facts.get(desk.system, seeded.fact).topic is None


def test_a_change_made_meanwhile_is_refused_and_the_typed_text_kept(desk, seeded):
    at = desk.app("researcher", page="research")
    fact = desk.svc.facts.get(desk.system, seeded.fact)
    desk.svc.facts.update(desk.ids["admin"], fact.id, expected_version=fact.version,
                          valid_until="2027-01-31")
    typed = "Only the Election Commission announces polling dates (corrected)."
    at.text_area(key="research.edit_statement").set_value(typed)
    at.button(key="research.edit_save").click().run()
    assert not at.exception
    message = desk.shown(at.error[0].value)
    assert message.startswith("Changed by someone else — reload.") and "changed by admin" in message
    assert typed in [c.value for c in at.code]                    # shown for copying
    assert at.text_area(key="research.edit_statement").value == typed
    assert desk.svc.facts.get(desk.system, fact.id).statement == fact.statement
    # Now that the researcher has seen the other change, saving applies the correction.
    at.button(key="research.edit_save").click().run()
    assert not at.error
    after = desk.svc.facts.get(desk.system, fact.id)
    assert (after.statement, after.valid_until[:10]) == (typed, "2027-01-31")


def test_the_edited_statement_is_checked_for_near_duplicates(desk, seeded):
    other = desk.svc.facts.create(desk.ids["researcher"], NewFact(
        "Only the Election Commission announces the polling dates.", lang="en"))
    at = desk.app("researcher", page="research")
    at.selectbox(key="research.pick").set_value(seeded.fact).run()
    assert not any("similar facts" in desk.shown(w.value) for w in at.warning)
    at.text_area(key="research.edit_statement").set_value(
        "Polling dates are announced only by the Election Commission!").run()
    assert any("similar facts" in desk.shown(w.value) for w in at.warning)
    captions = [desk.shown(c.value) for c in at.caption]
    listed = [c.split(" ·")[0] for c in captions if c.startswith("#")]
    assert f"#{other.id}" in listed and f"#{seeded.fact}" not in listed    # not itself
