"""Bulk intake: WhatsApp exports and CSV/JSON files, deduplicated, idempotent,
all or nothing."""
from __future__ import annotations

import json

import pytest

from desk.errors import ImportFailed, PermissionDenied, ValidationError
from desk.store import claims as claims_repo

from .conftest import JAIPUR, LUCKNOW, open_flow, seed

GROUP = "Test Mohalla Group"
RATION = ("Sarkar ne 1 December se un sabhi parivaron ke ration card radd karne ka aadesh diya "
          "hai jinhone e-KYC nahi karaya")
PETROL = "कल सुबह से पेट्रोल 15 रुपये लीटर सस्ता मिलेगा, आज टंकी फुल मत कराना।"


def android(messages: list[tuple[str, str, str]]) -> bytes:
    """An Android export: (``dd/mm/yy, h:mm am``, sender, text) per message."""
    lines = ["08/11/26, 7:02 am - Messages and calls are end-to-end encrypted. No one outside "
             "of this chat, not even WhatsApp, can read or listen to them. Tap to learn more."]
    lines += [f"{when} - {sender}: {text}" for when, sender, text in messages]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _import(svc, actor, data, **kw):
    return svc.intake.import_whatsapp(actor, data, filename=f"WhatsApp Chat with {GROUP}.txt",
                                      **kw)


def _counts(svc, actor):
    stats = svc.admin.stats(actor)
    return sum(stats["claims"].values()), stats["sightings"]


def test_demo_export_report_and_idempotent_reimport(svc, system_id):
    data = LUCKNOW.read_bytes()
    first = svc.intake.import_whatsapp(system_id, data, filename=LUCKNOW.name,
                                       region_code="UP-LKO")
    assert first.messages == 319
    assert first.group == "Lucknow Nagrik Suchna Manch"
    assert first.skipped["system"] >= 5 and first.skipped["chatter"] > 50
    assert first.skipped.get("deleted", 0) >= 2
    assert first.claims_created > 0 and first.folded_within_import > 0
    assert first.sightings_added == first.claims_created + first.folded_within_import
    claims, sightings = _counts(svc, system_id)
    assert (claims, sightings) == (first.claims_created, first.sightings_added)
    again = svc.intake.import_whatsapp(system_id, data, filename=LUCKNOW.name,
                                       region_code="UP-LKO")
    assert (again.claims_created, again.sightings_added) == (0, 0)
    assert again.already_imported == first.sightings_added
    assert _counts(svc, system_id) == (claims, sightings)
    assert svc.admin.check(system_id)["index_problems"] == []


def test_overlapping_exports_are_recognised_not_doubled(svc, system_id, settings, engines,
                                                        tmp_path):
    lines = LUCKNOW.read_text(encoding="utf-8").splitlines(keepends=True)
    cut_a, cut_b = int(len(lines) * 0.6), int(len(lines) * 0.4)
    # Cut at message boundaries (a header line starts with a date).
    while not lines[cut_a][:2].isdigit():
        cut_a += 1
    while not lines[cut_b][:2].isdigit():
        cut_b -= 1
    early, late = "".join(lines[:cut_a]).encode(), "".join(lines[cut_b:]).encode()
    a = svc.intake.import_whatsapp(system_id, early, filename=LUCKNOW.name)
    b = svc.intake.import_whatsapp(system_id, late, filename=LUCKNOW.name)
    assert b.already_imported > 0
    total = _counts(svc, system_id)[1]
    # The whole export in a fresh desk gives exactly the same sightings.
    fresh_settings = settings.with_home(tmp_path / "fresh")
    from desk.services.installation import init_runtime
    init_runtime(fresh_settings)
    other = open_flow(fresh_settings, None)
    try:
        seed(other, facts=False)
        whole = other.intake.import_whatsapp(other.system_user_id(), LUCKNOW.read_bytes(),
                                             filename=LUCKNOW.name)
    finally:
        other.close()
    assert total == a.sightings_added + b.sightings_added == whole.sightings_added


def test_forwards_fold_within_one_import(svc, system_id):
    data = android([
        ("09/11/26, 9:00 am", "Ramesh", RATION),
        ("09/11/26, 9:05 am", "+91 98765 43210", "Forwarded as received\n" + RATION),
        ("09/11/26, 9:10 am", "Suresh", "URGENT!!! " + RATION + "\nSabhi group me share karo"),
        ("09/11/26, 9:20 am", "Geeta", RATION.replace("aadesh", "aadseh")),  # a typo
        ("09/11/26, 9:30 am", "Geeta", PETROL),
        ("09/11/26, 9:31 am", "Ramesh", "Good morning ji 🙏"),
    ])
    report = _import(svc, system_id, data)
    assert report.claims_created == 2
    assert report.folded_within_import == 3
    assert report.sightings_added == 5
    assert report.skipped.get("chatter", 0) + report.skipped.get("too_short", 0) == 1
    ration = [c for c in svc.claims.get_many(system_id, report.claim_ids) if "ration" in c.text]
    assert len(ration) == 1 and ration[0].sighting_count == 4
    assert ration[0].text == RATION  # the first message is the claim's text, verbatim


def test_later_export_merges_into_existing_claims(svc, system_id):
    first = _import(svc, system_id, android([("09/11/26, 9:00 am", "Ramesh", RATION)]))
    later = _import(svc, system_id, android([
        ("12/11/26, 6:00 pm", "Anita", "*Forwarded as received*\n" + RATION),
        ("12/11/26, 6:02 pm", "Anita", RATION),
    ]))
    assert later.claims_created == 0
    assert later.merged_into_existing == 2
    claim = svc.claims.get(system_id, first.claim_ids[0])
    assert claim.sighting_count == 3
    assert claim.first_seen_at == "2026-11-09T03:30:00Z"   # 9:00 IST
    assert claim.last_seen_at == "2026-11-12T12:32:00Z"


def test_new_claims_get_library_suggestions(svc, system_id):
    report = svc.intake.import_whatsapp(system_id, JAIPUR.read_bytes(), filename=JAIPUR.name,
                                        region_code="RJ-JPR")
    assert report.matched and report.suggestions >= 0
    links = [link for cid in report.claim_ids for link in svc.links.for_claim(system_id, cid)]
    assert report.suggestions == len(links)
    assert all(link.tier in ("same", "related") for link in links)
    assert all((link.decision == "auto") == (link.tier == "same") for link in links)


def test_without_engines_exact_duplicates_still_fold(settings, svc, system_id):
    bare = open_flow(settings, None)
    try:
        data = android([("09/11/26, 9:00 am", "Ramesh", RATION),
                        ("09/11/26, 9:01 am", "Geeta", RATION + " 🙏")])
        report = bare.intake.import_whatsapp(system_id, data, filename="chat.txt", group=GROUP)
    finally:
        bare.close()
    assert (report.claims_created, report.sightings_added, report.matched) == (1, 2, False)
    assert any("matching is not available" in w for w in report.warnings)


@pytest.mark.parametrize("data,message", [
    (b"\xff\xfe1\x002\x00", "UTF-16"),
    ("08/11/26, 9:00 am - A: ok\n08/11/26, 9:01 am - B: caf\xe9".encode("latin-1"), "line 2"),
    (b"", "empty"),
    (b"just some text that is not a chat export\nat all\n", "WhatsApp"),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_written(svc, system_id, data, message):
    before = _counts(svc, system_id)
    with pytest.raises(ImportFailed, match=message):
        _import(svc, system_id, data)
    assert _counts(svc, system_id) == before


def test_upload_size_limit(settings, system_id, tmp_path):
    small = open_flow(settings.__class__(**{**settings.__dict__, "max_upload_bytes": 1000}), None)
    try:
        with pytest.raises(ImportFailed, match="1000|limit|large"):
            small.intake.import_whatsapp(system_id, LUCKNOW.read_bytes(), filename="x.txt")
    finally:
        small.close()


def test_hostile_text_is_kept_verbatim(svc, system_id):
    hostile = ("BREAKING: <script>alert('x')</script> EVM me gadbad, 200 booth pe vote dusri "
               "party ko ja raha hai [dekho](javascript:alert(1)) sabko bhejo")
    report = _import(svc, system_id, android([("09/11/26, 9:00 am", "X", hostile)]))
    assert svc.claims.get(system_id, report.claim_ids[0]).text == hostile


def test_coordinators_and_researchers_cannot_bulk_import(svc, system_id, people):
    for actor in (people.coordinator, people.researcher):
        with pytest.raises(PermissionDenied):
            _import(svc, actor, android([("09/11/26, 9:00 am", "X", RATION)]))


def test_senders_are_hashed_never_stored(svc, system_id):
    _import(svc, system_id, android([("09/11/26, 9:00 am", "+91 98765 43210", RATION),
                                     ("09/11/26, 9:05 am", "Ramesh Kumar", PETROL)]))
    rows = svc.store.all("SELECT * FROM sightings")
    dump = json.dumps([dict(r) for r in rows], ensure_ascii=False)
    assert "9876543210" not in dump and "Ramesh" not in dump
    assert all(len(r["sender_hash"]) == 64 for r in rows)


# -- CSV / JSON ---------------------------------------------------------------------------

CSV = ("दावा,Date,Group,State,Channel\n"
       f"\"{RATION}\",22/11/2026 10:15,Helpline log,UP,phone\n"
       f"\"{PETROL}\",21/11/2026 09:00,Field team,RJ,field report\n"
       "Good morning,21/11/2026 09:00,Field team,RJ,phone\n").encode("utf-8")


def test_csv_import_with_detected_mapping_and_idempotency(svc, system_id):
    preview = svc.intake.preview_tabular(system_id, CSV, fmt="csv")
    assert preview["mapping"]["text"] == "दावा" and preview["mapping"]["seen_at"] == "Date"
    assert preview["mapping"]["sender"] is None
    assert preview["row_count"] == 3 and preview["rows"][0]["region_code"] == "UP"
    report = svc.intake.import_tabular(system_id, CSV, fmt="csv")
    assert (report.messages, report.claims_created, report.sightings_added) == (3, 2, 2)
    assert sum(report.skipped.values()) == 1
    claims = {c.text: c for c in svc.claims.get_many(system_id, report.claim_ids)}
    assert claims[RATION].channel == "phone" and claims[PETROL].channel == "field_report"
    assert claims[RATION].first_seen_at == "2026-11-22T04:45:00Z"   # 10:15 IST
    again = svc.intake.import_tabular(system_id, CSV, fmt="csv")
    assert (again.claims_created, again.sightings_added, again.already_imported) == (0, 0, 2)


def test_csv_with_bad_rows_is_refused_unless_asked(svc, system_id):
    bad = CSV + "\"Some claim text about a 500 rupee fine for voters\",sometime,X,ZZ-NOPE,fax\n".encode()
    with pytest.raises(ImportFailed, match="1 row.*line 5: .*nothing was imported|line 5"):
        svc.intake.import_tabular(system_id, bad, fmt="csv")
    with pytest.raises(ImportFailed) as refused:
        svc.intake.import_tabular(system_id, bad, fmt="csv")
    assert refused.value.line == 5 and "region" in str(refused.value)
    assert _counts(svc, system_id) == (0, 0)
    report = svc.intake.import_tabular(system_id, bad, fmt="csv", skip_invalid=True)
    assert report.skipped["invalid"] == 1 and report.claims_created == 2
    assert any("line 5" in w for w in report.warnings)


def test_json_import_with_explicit_mapping(svc, system_id):
    data = json.dumps({"claims": [{"msg": RATION, "when": "2026-11-20T10:00:00+05:30",
                                   "topic": "ration"}]}).encode()
    report = svc.intake.import_tabular(system_id, data, fmt="json",
                                       mapping={"text": "msg", "seen_at": "when"})
    claim = svc.claims.get(system_id, report.claim_ids[0])
    assert claim.first_seen_at == "2026-11-20T04:30:00Z" and claim.topics == ("ration",)


def test_unknown_format_is_a_validation_error(svc, system_id):
    with pytest.raises(ValidationError):
        svc.intake.import_tabular(system_id, CSV, fmt="xlsx")


# -- facts -----------------------------------------------------------------------------------

FACTS_CSV = ("statement,lang,topic,source_url,source_title\n"
             "Voting is voluntary in India.,en,polling,https://eci.gov.in,ECI\n"
             "Voting is voluntary in India.,en,polling,https://voters.eci.gov.in,Voters portal\n"
             "e-KYC for ration cards is free at the ration shop.,en,ration,https://nfsa.gov.in,"
             "NFSA\n").encode()


def test_fact_import_merges_sources_and_is_idempotent(settings, engines, clock):
    from desk.services.installation import init_runtime
    init_runtime(settings)
    svc = open_flow(settings, engines, clock)
    try:
        actor = seed(svc, facts=False)
        report = svc.intake.import_facts(actor, FACTS_CSV, filename="facts.csv")
        assert (report.rows, report.created, report.already_present) == (2, 2, 0)
        facts = {f.statement: f for f in svc.facts.get_many(actor, report.fact_ids)}
        assert [s.url for s in facts["Voting is voluntary in India."].sources] == [
            "https://eci.gov.in", "https://voters.eci.gov.in"]
        again = svc.intake.import_facts(actor, FACTS_CSV, filename="facts.csv")
        assert (again.created, again.already_present) == (0, 2)
        hits = svc.matching.similar_facts(actor, "Voting is voluntary in India", k=3)
        assert hits and hits[0].ref_id == facts["Voting is voluntary in India."].id
    finally:
        svc.close()


@pytest.mark.parametrize("data,line", [
    (b"statement,lang,topic\nok fact,en,no-such-topic\n", 2),
    (b'{"statement": "x"}\n{"statement": "y", "sources": [{"url": "javascript:alert(1)"}]}\n', 2),
    (b"statement,colour\nfact,red\n", 2),
])
def test_bad_fact_files_name_the_line_and_write_nothing(svc, system_id, data, line):
    before = svc.admin.stats(system_id)["facts"]
    fmt = "csv" if data.startswith(b"statement") else "jsonl"
    with pytest.raises(ImportFailed, match=f"line {line}"):
        svc.intake.import_facts(system_id, data, fmt=fmt)
    assert svc.admin.stats(system_id)["facts"] == before


def test_known_message_keys_point_at_their_claims(svc, system_id):
    report = _import(svc, system_id, android([("09/11/26, 9:00 am", "Ramesh", RATION)]))
    keys = [r["message_key"] for r in svc.store.all("SELECT message_key FROM sightings")]
    assert claims_repo.known_message_keys(svc.store, keys) == {keys[0]: report.claim_ids[0]}


def test_unrelated_claims_in_a_fresh_desk_stay_apart(settings, engines, clock):
    svc = open_flow(settings, engines, clock)
    try:
        actor = seed(svc, facts=False, same=0.9, related=0.5)
        report = _import(svc, actor, android([
            ("09/11/26, 9:00 am", "A", RATION),
            ("09/11/26, 9:10 am", "B", PETROL),
            ("09/11/26, 9:20 am", "C", "Jaipur me 3 din tak internet band rahega, police ne "
                                      "aadesh jari kiya hai"),
            ("09/11/26, 9:30 am", "D", "Free laptop scheme for all 12th pass students, register "
                                      "at free-laptop-yojana.in before 30 November"),
        ]))
    finally:
        svc.close()
    assert (report.claims_created, report.folded_within_import) == (4, 0)
