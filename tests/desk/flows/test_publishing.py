"""Publishing: every export re-parsed and checked, pulls recorded, corrections flagged."""
from __future__ import annotations

import csv
import io
import json

import pytest
from markdown_it import MarkdownIt

from desk.domain import NewClaim, RebuttalStatus
from desk.errors import NotFound, PermissionDenied, ValidationError
from desk.publish import validate_claimreview
from desk.services.rebuttals import RebuttalDraft

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _user(svc, name: str) -> int:
    return svc.users.by_username(svc.system_user_id(), name).id


def _pulled(svc, actor: int) -> set[tuple[int, int, str]]:
    return {(p.rebuttal_id, p.version_no, p.format) for p in svc.pulls.mine(actor)}


def test_whatsapp_export_fits_and_records_a_pull_per_version(demo):
    shalini = _user(demo, "shalini")          # coordinator for Lucknow
    made = demo.publishing.export(shalini, "whatsapp")
    text = made.data.decode("utf-8")
    messages = text.strip().split("――――――――――")
    assert made.count == len(messages) == len(made.rebuttal_ids) > 3
    assert all(len(m.strip()) <= 1000 for m in messages)
    available = {r.id: r.live_version_no for r in demo.pulls.available(shalini, limit=1000)}
    assert set(made.rebuttal_ids) == set(available)
    assert _pulled(demo, shalini) == {(i, available[i], "whatsapp") for i in made.rebuttal_ids}
    assert made.filename.endswith(".txt") and made.mime.startswith("text/plain")


def test_region_filter_keeps_other_states_out(demo):
    mahesh = _user(demo, "mahesh")            # coordinator for Jaipur
    made = demo.publishing.export(mahesh, "json")
    doc = json.loads(made.data)
    assert doc["count"] == made.count > 0
    assert all(not r["region"]["code"].startswith("UP") for r in doc["rebuttals"])


def test_claimreview_export_is_valid_and_script_safe(demo):
    farah = _user(demo, "farah")
    ankit = _user(demo, "ankit")
    claim = demo.claims.create(ankit, NewClaim(text="Hostile </script><script>alert(1)</script>"
                                                    " claim\u2028with a line separator"))
    rebuttal = demo.rebuttals.create(ankit, RebuttalDraft(
        verdict="false", full_text="This is false </script> and here is why.",
        whatsapp_text="*False.*", lang="en", title="A </script> title"),
        claim_ids=[claim.id], region_code="UP")
    vikram = _user(demo, "vikram")
    for step, actor in (("submit", ankit), ("approve", vikram), ("publish", vikram)):
        current = demo.rebuttals.get(actor, rebuttal.id)
        getattr(demo.rebuttals, step)(actor, rebuttal.id, expected_version=current.version)
    made = demo.publishing.export(farah, "claimreview", region_code="UP")
    raw = made.data.decode("utf-8")
    assert "</script" not in raw.lower() and "\u2028" not in raw
    objects = json.loads(raw)
    assert len(objects) == made.count
    for obj in objects:
        assert validate_claimreview(obj) == []
        for field in ("@context", "@type", "url", "claimReviewed", "reviewRating", "author",
                      "datePublished"):
            assert obj[field], field
        assert obj["url"].startswith("https://factdesk.example/fact-checks/")
    mine = next(o for o in objects if o["url"].endswith(f"/{rebuttal.id}"))
    assert "</script>" in mine["claimReviewed"]   # data kept, only escaped in the file


def test_claimreview_needs_a_public_address(demo):
    system = demo.system_user_id()
    _, version = demo.settings.get(system, "publish.base_url")
    demo.settings.set(system, "publish.base_url", "", expected_version=version)
    with pytest.raises(ValidationError, match="publish.base_url"):
        demo.publishing.export(system, "claimreview")
    assert demo.pulls.mine(system) == []   # nothing handed out, nothing recorded


def test_csv_export_neutralises_formula_cells(demo):
    ankit, vikram = _user(demo, "ankit"), _user(demo, "vikram")
    claim = demo.claims.create(ankit, NewClaim(text='=HYPERLINK("http://evil.example","click")'))
    rebuttal = demo.rebuttals.create(ankit, RebuttalDraft(
        verdict="misleading", full_text="+SUM(A1:A9) is not a fact check", whatsapp_text="@x",
        lang="en", title="-1+1"), claim_ids=[claim.id], region_code="RJ")
    for step, actor in (("submit", ankit), ("approve", vikram)):
        current = demo.rebuttals.get(actor, rebuttal.id)
        getattr(demo.rebuttals, step)(actor, rebuttal.id, expected_version=current.version)
    made = demo.publishing.export(vikram, "csv", region_code="RJ")
    rows = list(csv.reader(io.StringIO(made.data.decode("utf-8-sig"), newline="")))
    assert len(rows) == made.count + 1
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" \u200b").startswith(FORMULA_START), cell
    assert any("formula" in w.code for w in made.warnings)


def test_bulletin_names_region_and_dates_and_parses(demo):
    rajesh = _user(demo, "rajesh")            # coordinator for the state of UP
    made = demo.publishing.export(rajesh, "bulletin", since="2026-11-10", until="2026-11-22")
    text = made.data.decode("utf-8")
    assert "Uttar Pradesh" in text.splitlines()[0]
    assert "2026-11-10" in text and "2026-11-22" in text
    html = MarkdownIt("commonmark", {"html": False}).render(text)
    assert "<script" not in html
    empty = demo.publishing.export(rajesh, "bulletin", since="2020-01-01", until="2020-01-02")
    assert empty.count == 0 and empty.data


def test_language_filter_keeps_translated_rebuttals(demo):
    farah = _user(demo, "farah")
    made = demo.publishing.export(farah, "json", lang="en")
    doc = json.loads(made.data)
    assert doc["rebuttals"]
    for r in doc["rebuttals"]:
        assert r["lang"] == "en" or "en" in r["translations"]


def test_only_live_rebuttals_leave_the_desk(demo):
    farah = _user(demo, "farah")
    drafts = demo.rebuttals.list(farah, statuses=["draft", "in_review", "retracted"])
    assert drafts
    with pytest.raises(ValidationError, match="cannot be exported"):
        demo.publishing.export(farah, "json", rebuttal_ids=[drafts[0].id])
    with pytest.raises(NotFound):
        demo.publishing.whatsapp_text(farah, drafts[0].id)
    with pytest.raises(ValidationError, match="unknown export format"):
        demo.publishing.export(farah, "pdf")


def test_copying_a_text_records_a_pull_and_a_correction_reaches_the_puller(demo):
    shalini, farah, vikram, ankit = (_user(demo, n) for n in ("shalini", "farah", "vikram",
                                                               "ankit"))
    published = [r for r in demo.pulls.available(shalini, limit=1000)
                 if r.status == RebuttalStatus.PUBLISHED]
    target = published[0]
    text = demo.publishing.whatsapp_text(shalini, target.id, lang="en")
    assert text and (target.id, target.live_version_no, "copy") in _pulled(demo, shalini)
    assert demo.pulls.corrections(shalini) == []
    # The desk corrects the text: a new version, reviewed by another editor, published.
    current = demo.rebuttals.get(ankit, target.id)
    draft = RebuttalDraft(verdict=current.current.verdict, full_text=current.current.full_text
                          + "\n\nCorrection: the helpline is 1950.",
                          whatsapp_text=current.current.whatsapp_text, lang=current.current.lang,
                          translations=current.current.translations,
                          links=current.current.links)
    demo.rebuttals.save_version(ankit, target.id, draft, expected_version=current.version,
                                change_note="helpline")
    # Until the correction is published, the old version stays live and exportable.
    assert demo.publishing.whatsapp_text(shalini, target.id)
    for step, actor in (("submit", ankit), ("approve", vikram), ("publish", farah)):
        current = demo.rebuttals.get(actor, target.id)
        getattr(demo.rebuttals, step)(actor, target.id, expected_version=current.version)
    notices = demo.pulls.corrections(shalini)
    assert [(n.rebuttal_id, n.pulled_version_no) for n in notices] == [
        (target.id, target.live_version_no)]


def test_retraction_reaches_whoever_exported_it(demo):
    mahesh, vikram = _user(demo, "mahesh"), _user(demo, "vikram")
    made = demo.publishing.export(mahesh, "csv")
    rid = next(i for i in made.rebuttal_ids
               if demo.rebuttals.get(vikram, i).status == RebuttalStatus.PUBLISHED)
    current = demo.rebuttals.get(vikram, rid)
    demo.rebuttals.retract(vikram, rid, expected_version=current.version, reason="source withdrawn")
    notices = demo.pulls.corrections(mahesh)
    assert any(n.rebuttal_id == rid and n.status == RebuttalStatus.RETRACTED for n in notices)
    again = demo.publishing.export(mahesh, "csv")
    assert rid not in again.rebuttal_ids


def test_exports_need_an_active_account(demo):
    system = demo.system_user_id()
    shalini = demo.users.by_username(system, "shalini")
    demo.users.set_active(system, shalini.id, False, expected_version=shalini.version)
    with pytest.raises(PermissionDenied):
        demo.publishing.export(shalini.id, "json")


def test_claimreview_leaves_out_a_rebuttal_without_a_claim_and_says_so(demo):
    ankit, vikram = _user(demo, "ankit"), _user(demo, "vikram")
    lonely = demo.rebuttals.create(ankit, RebuttalDraft(
        verdict="false", full_text="A rebuttal written before any claim was linked.",
        whatsapp_text="*False.*", lang="en"), region_code="RJ")
    for step, actor in (("submit", ankit), ("approve", vikram), ("publish", vikram)):
        current = demo.rebuttals.get(actor, lonely.id)
        getattr(demo.rebuttals, step)(actor, lonely.id, expected_version=current.version)
    made = demo.publishing.export(vikram, "claimreview", region_code="RJ")
    assert lonely.id not in made.rebuttal_ids and made.count == len(json.loads(made.data)) > 0
    assert any(w.rebuttal_id == lonely.id and "claim" in w.message for w in made.warnings)
    assert lonely.id not in {p.rebuttal_id for p in demo.pulls.mine(vikram)}
    with pytest.raises(ValidationError, match="ClaimReview"):
        demo.publishing.export(vikram, "claimreview", rebuttal_ids=[lonely.id])
