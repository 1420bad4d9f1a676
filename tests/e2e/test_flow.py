"""The desk's main story in a real browser: a claim arrives, a fact-checker drafts a
rebuttal, a different person (an editor) approves and publishes it, and a
coordinator downloads it as ClaimReview JSON-LD."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from desk.domain import ClaimStatus, RebuttalStatus

pytestmark = pytest.mark.browser

CLAIM = ("Polling in Lucknow has been moved to Monday because of the festival, "
         "forward this to everyone")
SOURCE_URL = "https://forwards.example/lucknow/123"
TITLE = "Polling date in Lucknow has not changed"
FULL = ("The Election Commission of India has not changed the polling date in Lucknow. "
        "Only the Commission announces polling dates.")
WHATSAPP = "FALSE: polling in Lucknow is on the announced date. Check eci.gov.in"


def _number(locator, pattern: str) -> int:
    """The number captured by ``pattern`` in the text of ``locator``."""
    found = re.search(pattern, locator.inner_text())
    assert found, locator.inner_text()
    return int(found.group(1))


def test_claim_to_published_rebuttal_to_claimreview_download(desk_page, seeded_desk):
    page = desk_page
    before = datetime.now(UTC).date()

    # 1. A fact-checker signs in and logs a new claim from the triage inbox.
    page.open()
    expect(page.heading("Sign in to Fact Desk")).to_be_visible()
    page.sign_in("asha")
    expect(page.heading("Triage inbox")).to_be_visible()
    page.expand("New claim")
    page.fill("triage.new_text", CLAIM, commit=False)
    page.choose("triage.new_region", "Lucknow (UP-LKO)", exact=False)
    page.choose("triage.new_topics", "Polling")
    page.fill("triage.new_url", SOURCE_URL, commit=False)
    page.click("triage.new_submit")
    created = page.alert(re.compile(r"Claim #\d+ created"))
    expect(created).to_be_visible()
    claim_id = _number(created, r"Claim #(\d+) created")

    # 2. The inbox lists it (the table is drawn on a canvas; its accessible copy
    #    holds the cells) and offers to open it.
    expect(page.key("triage.table").locator("td").filter(has_text=CLAIM[:60])).to_have_count(1)
    expect(page.key("triage.open_id").get_by_role("combobox")) \
        .to_have_value(re.compile(rf"^#{claim_id} · Polling in Lucknow"))
    page.shot("triage-inbox", page.key("triage.open_id"))

    # 3. It opens in the claim workspace; the fact-checker takes it.
    page.click("triage.open")
    expect(page.heading(f"Claim #{claim_id}")).to_be_visible()
    expect(page.page).to_have_url(re.compile(rf"/claim\?claim={claim_id}$"))
    expect(page.key("claim.text_box").get_by_text(CLAIM, exact=True)).to_be_visible()
    page.click("claim.take")
    expect(page.alert("Saved.")).to_be_visible()
    expect(page.page.get_by_text("Assigned to: Asha Verma")).to_be_visible()
    page.shot("claim-workspace")

    # 4. ... drafts a rebuttal (the WhatsApp counter follows the text) and submits it.
    page.choose("claim.rb_verdict", "False")
    page.choose("claim.rb_lang", "English")
    page.fill("claim.rb_title", TITLE)
    page.fill("claim.rb_full", FULL)
    page.fill("claim.rb_whatsapp", WHATSAPP)
    expect(page.page.get_by_text(f"{len(WHATSAPP)} of 1000 characters")).to_be_visible()
    page.click("claim.rb_save")
    saved = page.alert(re.compile(r"Rebuttal #\d+ saved as version 1\."))
    expect(saved).to_be_visible()
    rebuttal_id = _number(saved, r"Rebuttal #(\d+) saved")
    expect(page.key("claim.rb_submit").get_by_role("button")).to_be_enabled()
    page.click("claim.rb_submit")
    expect(page.alert(f"Rebuttal #{rebuttal_id} sent for review.")).to_be_visible()
    page.shot("rebuttal-submitted", page.key("claim.rb_save"))
    page.sign_out()

    # 5. An editor (a different person: four eyes) approves and publishes it.
    page.sign_in("ravi")
    page.nav("Review")
    page.choose("review.pick", f"#{rebuttal_id} · False · Asha Verma", exact=False)
    item = page.key("review.item")
    expect(item.get_by_text(CLAIM, exact=True)).to_be_visible()
    expect(item.get_by_text(FULL, exact=True)).to_be_visible()
    page.shot("review", item)
    page.click("review.approve")
    expect(page.alert(f"Rebuttal #{rebuttal_id} approved.")).to_be_visible()
    page.choose("review.publish_pick", f"#{rebuttal_id} · False", exact=False)
    page.click("review.publish")
    expect(page.alert(f"Rebuttal #{rebuttal_id} published.")).to_be_visible()
    page.shot("published")
    page.sign_out()

    # 6. A coordinator in Lucknow lands on the rebuttal library and downloads it.
    page.sign_in("kiran")
    expect(page.heading("Rebuttal library")).to_be_visible()
    page.choose("library.pick", f"#{rebuttal_id} · False", exact=False)
    expect(page.key("library.item").get_by_text(FULL, exact=True)).to_be_visible()
    page.choose("library.export_format", "ClaimReview JSON-LD")
    page.click("library.export_go")
    expect(page.page.get_by_text(re.compile(r"1 rebuttals in factdesk-claimreview-.*\.jsonld")))\
        .to_be_visible()
    page.shot("library-download", page.key("library.download"))
    with page.page.expect_download() as info:
        page.click("library.download")
    download = info.value
    assert download.suggested_filename.endswith(".jsonld")
    saved_file = page.out / download.suggested_filename
    download.save_as(str(saved_file))
    after = datetime.now(UTC).date()

    # 7. The file is the schema.org ClaimReview of exactly this rebuttal.
    [review] = json.loads(saved_file.read_text(encoding="utf-8"))
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == CLAIM
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["url"] == f"https://factdesk.example/fact-checks/{rebuttal_id}"
    assert review["author"] == {"@type": "Organization", "name": "Fact Desk E2E",
                                "url": "https://factdesk.example/"}
    assert review["datePublished"] in {before.isoformat(), after.isoformat()}
    assert review["name"] == TITLE and review["inLanguage"] == "en"
    item_reviewed = review["itemReviewed"]
    assert item_reviewed["@type"] == "Claim"
    assert item_reviewed["firstAppearance"]["url"] == SOURCE_URL
    first_seen = datetime.fromisoformat(item_reviewed["datePublished"]).date()
    assert before - timedelta(days=1) <= first_seen <= after

    # 8. The database agrees: published, approved by the editor, the pull recorded.
    svc = seeded_desk.services()
    try:
        ids = seeded_desk.user_ids
        rebuttal = svc.rebuttals.get(ids["meera"], rebuttal_id)
        assert rebuttal.status == RebuttalStatus.PUBLISHED
        assert (rebuttal.author_id, rebuttal.reviewer_id) == (ids["asha"], ids["ravi"])
        assert rebuttal.claim_ids == (claim_id,)
        assert svc.claims.get(ids["meera"], claim_id).status == ClaimStatus.PUBLISHED
        pulls = svc.pulls.mine(ids["kiran"])
        assert [(p.rebuttal_id, p.version_no, p.format) for p in pulls] == \
            [(rebuttal_id, 1, "claimreview")]
    finally:
        svc.close()

    assert page.dialogs == []
    assert page.outside_requests() == []
