"""Intake through the screens: WhatsApp and CSV uploads with progress and a report,
re-imports, bad files, field reports, search by meaning, fact imports, reindex."""
from __future__ import annotations

from pathlib import Path

from desk.domain import Channel, NewSighting, SuggestedLink

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
LUCKNOW = DEMO / "whatsapp" / "WhatsApp Chat with Lucknow Nagrik Suchna Manch.txt"


def _upload(at, name: str, data: bytes, mime: str = "text/plain"):
    at.file_uploader(key="triage.upload").upload(name, data, mime)
    return at.run()


def _report(desk, at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_whatsapp_export_is_imported_with_a_report(desk, reference):
    at = desk.app("fact_checker")
    _upload(at, LUCKNOW.name, LUCKNOW.read_bytes())
    assert at.radio(key="triage.upload_format").value == "whatsapp"
    at.text_input(key="triage.upload_group").set_value("Lucknow Nagrik Suchna Manch")
    at.selectbox(key="triage.upload_region").set_value("UP-LKO")
    at.button(key="triage.upload_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    report = _report(desk, at)
    created = int(report["New claims"])
    assert int(report["Messages read"]) > 100 and created > 0
    skipped = desk.frame(at, "triage.import_skipped")
    assert skipped["Count"].sum() > 0                      # chatter, media, system lines
    assert desk.svc.claims.queue(desk.system).total == created
    # The same file again adds nothing.
    at.button(key="triage.upload_go").click().run()
    again = _report(desk, at)
    assert again["New claims"] == "0" and int(again["Already imported"]) > 0
    assert desk.svc.claims.queue(desk.system).total == created


def test_a_broken_file_names_the_line_and_imports_nothing(desk, reference):
    at = desk.app("fact_checker")
    bad = "08/11/26, 7:04 am - Ravi: राशन कार्ड बंद\n".encode() + b"\xff\xfe broken\n"
    _upload(at, "WhatsApp Chat with Broken.txt", bad)
    at.button(key="triage.upload_go").click().run()
    assert not at.exception
    assert "line 2" in desk.shown(at.error[0].value)
    assert desk.svc.claims.queue(desk.system).total == 0


def test_csv_upload_shows_the_mapping_and_imports(desk, reference):
    at = desk.app("editor")
    rows = ("message,group,when\n"
            "\"राशन कार्ड 30 नवंबर से बंद, सरकार का नया आदेश\",Aliganj,2026-11-20T08:00:00Z\n"
            "\"EVM hacked in Varanasi, results fixed already\",Sigra,2026-11-21T09:30:00Z\n")
    _upload(at, "claims.csv", rows.encode(), "text/csv")
    assert at.radio(key="triage.upload_format").value == "csv"
    preview = desk.frame(at, "triage.upload_preview")
    assert len(preview) == 2
    assert at.selectbox(key="triage.map_text").value == "message"
    at.button(key="triage.upload_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    report = _report(desk, at)
    assert report["Messages read"] == "2"
    # Two claims, unless the engine judged them the same (then one is folded into the other).
    assert int(report["New claims"]) + int(report["Folded within the file"]) == 2


def test_only_importing_roles_see_the_upload(desk, reference):
    assert "triage.upload" not in [w.key for w in desk.app("researcher").file_uploader]
    assert "triage.upload" in [w.key for w in desk.app("fact_checker").file_uploader]


def test_coordinator_reports_a_claim_from_the_field(desk, reference):
    region = desk.svc.regions.by_code(desk.system, "UP-LKO")
    coordinator = desk.add_user("field", "coordinator", region_code="UP-LKO")
    assert desk.svc.users.get(desk.system, coordinator).region_id == region.id
    at = desk.app("field")
    desk.goto(at, "report")
    assert at.selectbox(key="report.new_region").value == "UP-LKO"     # their own region
    assert at.selectbox(key="report.new_channel").value == "field_report"
    at.text_area(key="report.new_text").set_value("Loudspeaker in Aliganj says polling is "
                                                  "cancelled in ward 12")
    at.button(key="report.new_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [row] = desk.svc.claims.queue(desk.system).rows
    claim = desk.svc.claims.get(desk.system, row.id)
    assert (claim.channel, claim.region_id) == (Channel.FIELD_REPORT, region.id)
    assert f"#{claim.id}" in desk.shown(at.success[-1].value)


def test_search_by_meaning_finds_claims_and_facts(desk, seeded):
    at = desk.app("fact_checker")
    at.text_input(key="triage.semantic").set_value("ration card band ho jayenge")
    at.button(key="triage.semantic_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    hits = desk.frame(at, "triage.semantic_table")
    assert seeded.other_claim in set(hits["#"])
    assert set(hits["Kind"]) <= {"Claim", "Fact", "Rebuttal"}
    assert seeded.other_claim in at.selectbox(key="triage.open_id").options or \
        any(f"#{seeded.other_claim}" in o for o in at.selectbox(key="triage.open_id").options)


def test_candidates_show_the_engines_explanation(desk, seeded):
    desk.svc.links.record_suggestions(desk.ids["fact_checker"], seeded.claim, [
        SuggestedLink("fact", seeded.fact, 0.7, "related")])
    at = desk.app("fact_checker")
    at.session_state["claim.id"] = seeded.claim
    desk.goto(at, "claim")
    assert not at.exception
    [link] = desk.svc.links.for_claim(desk.system, seeded.claim)
    candidate = desk.block(at, f"claim.candidate_{link.id}")
    assert len(candidate.text) >= 2                     # the fact, then the engine's summary
    at.button(key="claim.match").click().run()
    assert not at.exception and "matches recorded" in desk.shown(at.success[0].value)


def test_fact_file_import_with_a_report(desk, reference):
    at = desk.app("researcher", page="research")
    data = ("statement,lang,topic,source_url,source_title,source_publisher,source_date\n"
            "EVMs are never connected to the internet.,en,polling,https://eci.gov.in/evm/,"
            "EVM FAQ,Election Commission,2026-10-01\n"
            "राशन कार्ड रद्द करने का कोई आदेश नहीं है।,hi,ration,https://nfsa.gov.in/,NFSA,"
            "Food Ministry,2026-11-01\n").encode()
    at.file_uploader(key="research.import_file").upload("facts.csv", data, "text/csv")
    at.run()
    at.button(key="research.import_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["New facts"] == "2"
    assert len(desk.svc.facts.list(desk.system)) == 2


def test_admin_rebuilds_the_index_with_progress(desk, seeded):
    at = desk.app("admin", page="admin")
    at.button(key="admin.reindex").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert desk.shown(at.success[0].value) == "Index rebuilt."
    assert at.get("progress")


def test_calibration_is_proposed_from_reviewer_decisions(desk, seeded):
    from desk.domain import NewClaim

    fc = desk.ids["fact_checker"]
    claims = desk.svc.claims.create_many(fc, [NewClaim(f"Claim for calibration {i}")
                                              for i in range(12)])
    for i, cid in enumerate(claims):
        [link] = desk.svc.links.record_suggestions(fc, cid, [
            SuggestedLink("fact", seeded.fact, 0.3 + 0.05 * i, "related")])
        desk.svc.links.decide(fc, link.id, "confirmed" if i >= 6 else "rejected",
                              expected_version=link.version)
    at = desk.app("editor", page="admin")
    proposal = [desk.shown(i.value) for i in at.info if "Calibrated" in desk.shown(i.value)]
    assert proposal and "same" in proposal[0]
    assert "From 6 confirmed and 6 rejected" in desk.shown(" ".join(c.value for c in at.caption))


def test_new_fact_shows_near_duplicates_from_the_engine(desk, seeded):
    at = desk.app("researcher", page="research")
    at.text_area(key="research.new_statement").set_value(
        "Only the Election Commission announces polling dates.")
    at.run()
    assert not at.exception
    warning = [desk.shown(w.value) for w in at.warning if "similar facts" in desk.shown(w.value)]
    assert warning, [w.value for w in at.warning]
    assert "Polling dates are announced only by the Election Commission." in \
        [t.value for t in at.text]


def test_sightings_by_group_and_region(desk, seeded):
    fc = desk.ids["fact_checker"]
    desk.svc.sightings.record(fc, [
        NewSighting(seeded.other_claim, f"g{i}", source_group="Aliganj RWA" if i % 2 else
                    "Sigra Samachar", region_code="UP-LKO" if i < 3 else "RJ-JP")
        for i in range(5)])
    at = desk.app("fact_checker")
    at.session_state["claim.id"] = seeded.other_claim
    desk.goto(at, "claim")
    groups = desk.frame(at, "claim.by_group")
    assert dict(zip(groups["Group"], groups["Sightings"])) == {"Sigra Samachar": 3,
                                                               "Aliganj RWA": 2}
    regions = desk.frame(at, "claim.by_region")
    assert dict(zip(regions["Region"], regions["Sightings"])) == {"Lucknow (UP-LKO)": 3,
                                                                  "Jaipur (RJ-JP)": 2}
