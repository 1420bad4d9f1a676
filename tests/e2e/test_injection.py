"""Hostile text in a real browser.  Claims, group names, rebuttals, link titles,
facts, sources and a display name carry ``<script>``, ``<img onerror>``,
``javascript:`` links, ``<svg onload>`` and remote images; every page shows them
as literal text.  No dialog opens, no element with an event handler or a
``javascript:`` link appears, and the browser asks nothing of any host but the
desk's own server."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: Typed in the browser.  Other payload variants and wording than the seeded claims,
#: so intake does not fold it into one of them as the same rumour.
TYPED = ("Booth 42 at the Sarojini Nagar primary school is shut on polling day "
         "<script>document.title='xss-typed'; alert('xss-typed')</script> so voters "
         "must cast their vote through the new mobile app <img src=y onerror=alert('xss-typed')> "
         "[register here](javascript:alert('xss-typed')) before six in the evening "
         "![seal](https://tracker.example/typed.png) <svg/onload=alert('xss-typed')>")
#: What the payloads would have become had any of them been rendered as HTML or Markdown.
LIVE_MARKUP = ("a[href^='javascript:' i], iframe, object, embed, [onerror], [onload], "
               "img[src='x'], img[src*='tracker.example'], img[alt='pixel']")


def assert_inert(page) -> None:
    """Nothing the hostile text carries became markup on the page shown now."""
    page.settle()
    assert page.page.locator(LIVE_MARKUP).count() == 0
    scripts = page.page.evaluate(
        "() => [...document.scripts].filter(s => s.textContent.includes('xss')).length")
    assert scripts == 0
    assert "xss" not in page.page.title()
    assert page.dialogs == []
    assert page.outside_requests() == []


def visible_literal(scope, text: str) -> None:
    """``text`` is on screen, character for character, inside ``scope``."""
    expect(scope.get_by_text(text, exact=False).first).to_be_visible()


def test_hostile_text_stays_literal_in_the_browser(desk_page, seeded_desk):
    page, texts, typed = desk_page, seeded_desk.hostile_texts, TYPED
    typed_group = texts["group"]

    # 1. A fact-checker types a hostile claim (and group name) into the triage form.
    page.open()
    page.sign_in("eve")
    visible_literal(page.page.get_by_test_id("stSidebar"), texts["eve"])
    page.expand("New claim")
    page.fill("triage.new_text", typed, commit=False)
    page.fill("triage.new_group", typed_group, commit=False)
    page.click("triage.new_submit")
    created = page.alert(re.compile(r"Claim #\d+ created"))
    expect(created).to_be_visible()
    claim_id = int(re.search(r"#(\d+)", created.inner_text()).group(1))
    expect(page.key("triage.open_id").get_by_role("combobox")) \
        .to_have_value(re.compile(rf"^#{claim_id} · Booth 42 at the Sarojini Nagar"))
    page.shot("triage")
    assert_inert(page)

    # 2. The claim workspace shows it, and the group, as typed.
    page.click("triage.open")
    expect(page.heading(f"Claim #{claim_id}")).to_be_visible()
    expect(page.key("claim.text_box").get_by_text(typed, exact=True)).to_be_visible()
    visible_literal(page.page, f"Group: {typed_group}")
    page.shot("typed-claim", page.key("claim.text_box"))
    assert_inert(page)

    # 3. The seeded claim with a published hostile rebuttal: claim, group and the
    #    WhatsApp preview are literal.
    page.fill("claim.goto", str(seeded_desk.hostile_claim), commit=False)
    page.click("claim.goto_go")
    expect(page.heading(f"Claim #{seeded_desk.hostile_claim}")).to_be_visible()
    expect(page.key("claim.text_box").get_by_text(texts["claim"], exact=True)).to_be_visible()
    visible_literal(page.page, f"Group: {texts['group']}")
    visible_literal(page.page.get_by_test_id("stCode"), texts["whatsapp"])
    page.shot("seeded-claim-rebuttal", page.page.get_by_test_id("stCode").first)
    assert_inert(page)
    page.sign_out()

    # 4. An editor reviews a hostile rebuttal written by someone else.
    page.sign_in("omar")
    page.nav("Review")
    page.choose("review.pick", f"#{seeded_desk.hostile_in_review} · Misleading", exact=False)
    item = page.key("review.item")
    expect(item.get_by_text(texts["review_claim"], exact=True)).to_be_visible()
    expect(item.get_by_text(texts["review_full"], exact=True)).to_be_visible()
    visible_literal(item, f"Title: {texts['review_title']}")
    visible_literal(item, f"Written by: {texts['eve']}")
    page.shot("review", item)
    assert_inert(page)

    # 5. ... and opens a hostile fact, with a hostile source title and publisher.
    page.nav("Research library")
    page.choose("research.pick", f"#{seeded_desk.hostile_fact} · Fact statement", exact=False)
    fact = page.key("research.fact")
    expect(fact.get_by_text(texts["fact"], exact=True)).to_be_visible()
    expect(fact.get_by_text(texts["source_title"], exact=True)).to_be_visible()
    visible_literal(fact, f"{texts['source_publisher']} · 2026-11-01")
    expect(page.key(f"research.source_{seeded_desk.hostile_fact}_0").get_by_role("link")) \
        .to_have_attribute("href", "https://eci.gov.in/faq")
    page.shot("research", fact)
    assert_inert(page)
    page.sign_out()

    # 6. A coordinator opens the published one in the rebuttal library, sees its
    #    title, text and source link literally, and copies the WhatsApp text.
    page.sign_in("nisha")
    expect(page.heading("Rebuttal library")).to_be_visible()
    page.choose("library.pick", f"#{seeded_desk.hostile_published} · False", exact=False)
    item = page.key("library.item")
    visible_literal(item, f"Title: {texts['title']}")
    expect(item.get_by_text(texts["full"], exact=True)).to_be_visible()
    source = page.key("library.link_0").get_by_role("link")
    expect(source).to_have_text(texts["link_title"])
    expect(source).to_have_attribute("href", "https://pib.gov.in/")
    page.click("library.copy")
    visible_literal(page.page.get_by_test_id("stCode"), texts["whatsapp"])
    page.shot("library", item)
    assert_inert(page)

    # The payloads were real: the typed claim was stored exactly as typed.
    svc = seeded_desk.services()
    try:
        assert svc.claims.get(seeded_desk.user_ids["meera"], claim_id).text == typed
    finally:
        svc.close()
