"""The whole desk in one story, across pages and roles: a researcher adds a fact, a
claim arrives and is matched, a fact-checker drafts a rebuttal citing the fact,
an editor reviews and publishes it, a coordinator copies and downloads it."""
from __future__ import annotations

from desk.domain import ClaimStatus, LinkDecision, RebuttalStatus

CLAIM = "EVM machines in Lucknow are connected to the internet and can be hacked, forward fast"
FACT = "EVMs are standalone machines; they are not connected to any network, wired or wireless."


def test_claim_to_published_rebuttal_to_coordinator(desk, reference):
    # 1. A researcher adds the fact to the library.
    researcher = desk.app("researcher", page="research")
    researcher.text_area(key="research.new_statement").set_value(FACT)
    researcher.selectbox(key="research.new_lang").set_value("en")
    researcher.selectbox(key="research.new_topic").set_value("polling")
    researcher.text_area(key="research.new_sources").set_value(
        "https://eci.gov.in/evm/ | EVM FAQ | Election Commission of India | 2026-10-01")
    researcher.button(key="research.new_submit").click().run()
    assert not researcher.exception and not researcher.error
    [fact] = desk.svc.facts.list(desk.system, text="standalone machines")

    # 2. A claim arrives through the triage form and is matched against the library.
    fc = desk.app("fact_checker")
    fc.text_area(key="triage.new_text").set_value(CLAIM)
    fc.selectbox(key="triage.new_region").set_value("UP-LKO")
    fc.multiselect(key="triage.new_topics").set_value(["polling"])
    fc.button(key="triage.new_submit").click().run()
    assert not fc.exception and not fc.error, [e.value for e in fc.error]
    [row] = desk.svc.claims.queue(desk.system).rows
    links = desk.svc.links.for_claim(desk.system, row.id)
    assert [(link.target_kind.value, link.target_id) for link in links] == [("fact", fact.id)]

    # 3. The fact-checker opens it, confirms the match and drafts a rebuttal citing the fact.
    fc.selectbox(key="triage.open_id").set_value(row.id)
    fc.button(key="triage.open").click().run()
    assert fc.title[0].value == f"Claim #{row.id}"
    assert CLAIM in [t.value for t in fc.text] and FACT in [t.value for t in fc.text]
    if links[0].decision != LinkDecision.CONFIRMED:
        fc.button(key=f"claim.confirm_{links[0].id}").click().run()
    assert desk.svc.links.for_claim(desk.system, row.id)[0].decision in (
        LinkDecision.CONFIRMED, LinkDecision.AUTO)
    fc.button(key="claim.take").click().run()
    fc.selectbox(key="claim.rb_verdict").set_value("false")
    fc.selectbox(key="claim.rb_lang").set_value("en")
    fc.text_input(key="claim.rb_title").set_value("EVMs are not online")
    fc.text_area(key="claim.rb_full").set_value(
        "EVMs used in Indian elections are standalone machines with no network connection.")
    fc.text_area(key="claim.rb_whatsapp").set_value(
        "*FALSE*: EVMs are not connected to the internet. Source: Election Commission.")
    fc.multiselect(key="claim.rb_facts").set_value([fact.id])
    fc.button(key="claim.rb_save").click().run()
    assert not fc.exception and not fc.error, [e.value for e in fc.error]
    fc.button(key="claim.rb_submit").click().run()
    [rebuttal] = desk.svc.rebuttals.for_claim(desk.system, row.id)
    assert rebuttal.status == RebuttalStatus.IN_REVIEW and rebuttal.current.fact_ids == (fact.id,)
    assert desk.svc.claims.get(desk.system, row.id).status == ClaimStatus.IN_REVIEW

    # 4. The author cannot approve it; an editor does, then publishes it.
    editor = desk.app("editor", page="review")
    assert "EVMs are not online" in desk.shown(" ".join(m.value for m in editor.markdown))
    editor.button(key="review.approve").click().run()
    editor.selectbox(key="review.publish_pick").set_value(rebuttal.id)
    editor.button(key="review.publish").click().run()
    assert not editor.exception and not editor.error
    assert desk.svc.rebuttals.get(desk.system, rebuttal.id).status == RebuttalStatus.PUBLISHED
    assert desk.svc.claims.get(desk.system, row.id).status == ClaimStatus.PUBLISHED

    # 5. A coordinator in Lucknow finds it, copies the WhatsApp text and downloads a CSV.
    coordinator = desk.app("coordinator")
    coordinator.selectbox(key="library.filter_region").set_value("UP-LKO").run()
    assert list(desk.frame(coordinator, "library.table")["#"]) == [rebuttal.id]
    coordinator.button(key="library.copy").click().run()
    copied = [c.value for c in coordinator.code if "EVMs are not connected" in c.value]
    assert copied, [c.value for c in coordinator.code]
    coordinator.selectbox(key="library.export_format").set_value("csv")
    coordinator.button(key="library.export_go").click().run()
    assert coordinator.download_button(key="library.download").label.endswith(".csv")
    pulls = desk.svc.pulls.mine(desk.ids["coordinator"])
    assert sorted(p.format for p in pulls) == ["copy", "csv"]
    assert {(p.rebuttal_id, p.version_no) for p in pulls} == {(rebuttal.id, 1)}
