"""Sign-in and the Hindi interface in a real browser: a link to a claim asks for the
password and opens the claim afterwards; the session lives in the tab; the
language switch renders the interface, and Hindi claims, in a Devanagari font."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def devanagari_glyphs(fonts: list[dict]) -> int:
    """Glyphs Chromium drew with a Devanagari font (0 means boxes or a wrong font)."""
    return sum(f["glyphCount"] for f in fonts if "devanagari" in f["familyName"].lower())


def test_deep_link_sign_in_and_hindi_interface(desk_page, seeded_desk):
    page, claim_id = desk_page, seeded_desk.hindi_claim
    claim_text = "मतदान की तारीख बदल गई है, अब सोमवार को वोट डाले जाएंगे। सबको भेजें"

    # 1. A link to a claim shows the sign-in form at that address; a wrong password is refused.
    page.open(f"claim?claim={claim_id}")
    expect(page.heading("Sign in to Fact Desk")).to_be_visible()
    page.fill("signin.username", "sunil", commit=False)
    page.fill("signin.password", "not the password", commit=False)
    page.click("signin.submit")
    expect(page.alert("Wrong username or password.")).to_be_visible()
    page.shot("wrong-password")

    # 2. Signed in, the claim opens; its Hindi text is drawn with a Devanagari font.
    page.sign_in("sunil")
    expect(page.heading(f"Claim #{claim_id}")).to_be_visible()
    claim_box = page.key("claim.text_box")
    expect(claim_box.get_by_text(claim_text, exact=True)).to_be_visible()
    text_fonts = page.platform_fonts(".st-key-claim-text_box [data-testid='stText']")
    assert devanagari_glyphs(text_fonts) >= 40, text_fonts

    # 3. Switching the interface to Hindi relabels the page and the menu.
    page.key("app.language").get_by_role("radio", name="हिन्दी").click()
    expect(page.heading(f"दावा #{claim_id}")).to_be_visible()
    nav = page.page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="ट्राइएज इनबॉक्स")).to_be_visible()
    expect(page.key("app.sign_out")).to_contain_text("साइन आउट")
    page.settle()
    heading_fonts = page.platform_fonts("[data-testid='stMain'] h1")
    assert devanagari_glyphs(heading_fonts) >= 3, heading_fonts
    page.shot("hindi-claim-workspace")
    page.nav("ट्राइएज इनबॉक्स")
    expect(page.heading("ट्राइएज इनबॉक्स")).to_be_visible()
    page.shot("hindi-triage")

    # 4. The session lives in the tab: a reload asks for the password again, and the
    #    language chosen is kept on the account.
    page.page.reload()
    expect(page.heading("Sign in to Fact Desk")).to_be_visible()
    page.sign_in("sunil")
    expect(page.heading("ट्राइएज इनबॉक्स")).to_be_visible()
    svc = seeded_desk.services()
    try:
        uid = seeded_desk.user_ids["sunil"]
        assert svc.users.get(uid, uid).language == "hi"
    finally:
        svc.close()

    assert page.dialogs == []
    assert page.outside_requests() == []
