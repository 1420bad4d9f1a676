"""Hostile text in claims, rebuttals, facts, notes, groups and names renders as
literal text on every page: no element carries live Markdown or HTML."""
from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from desk.domain import NewClaim, NewSighting, NoteTarget, Source, SuggestedLink
from desk.services.facts import NewFact
from desk.services.rebuttals import RebuttalDraft

SCRIPT = "<script>alert('claim')</script>"
IMG = '<img src=x onerror="alert(2)">'
LINK = "[read more](javascript:alert(3))"
HOSTILE = f"Voter list deleted {SCRIPT} {IMG} {LINK} ![p](https://tracker.example/p.png)"
MD = MarkdownIt("commonmark", {"html": True})
MARKDOWN_KINDS = ("title", "header", "subheader", "markdown", "caption", "error", "warning",
                  "info", "success")
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
SAFE_TAGS = {"p", "br", "strong"}          # the page's own **label:** formatting


@pytest.fixture
def hostile(desk, reference):
    svc, ids = desk.svc, desk.ids
    fc, ed = ids["fact_checker"], ids["editor"]
    evil = desk.add_user("eve", "researcher", display_name=f"Eve {LINK} {SCRIPT}")
    claim = svc.claims.create(fc, NewClaim(HOSTILE, region_code="UP-LKO",
                                           source_group=f"Group {IMG}"))
    svc.sightings.record(fc, [NewSighting(claim.id, "h1", source_group=f"Group {IMG}")])
    svc.claims.assign(ed, claim.id, evil, expected_version=svc.claims.get(fc, claim.id).version)
    svc.notes.add(evil, NoteTarget.CLAIM, claim.id, f"Note {LINK} {SCRIPT}")
    fact = svc.facts.create(evil, NewFact(f"Fact {SCRIPT} {LINK}", lang="en", sources=(
        Source("https://eci.gov.in/", f"Title {IMG}", f"Publisher {LINK}", "2026-11-01"),)))
    published = svc.rebuttals.create(fc, RebuttalDraft(
        "false", f"Full {SCRIPT} {LINK}", f"*FALSE* {IMG} {LINK}", title=f"Title {SCRIPT}",
        lang="en", fact_ids=(fact.id,), links=(Source("https://pib.gov.in/", f"PIB {LINK}"),)),
        claim_ids=[claim.id])
    published = svc.rebuttals.submit(fc, published.id, expected_version=published.version)
    published = svc.rebuttals.approve(ed, published.id, expected_version=published.version)
    svc.rebuttals.publish(ed, published.id, expected_version=published.version)
    second = svc.claims.create(fc, NewClaim(f"Second {LINK} {IMG} about ration cards"))
    review = svc.rebuttals.create(evil, RebuttalDraft("misleading", f"Review {SCRIPT}",
                                                      f"WA {LINK}", title=f"T {IMG}"),
                                  claim_ids=[second.id])
    svc.rebuttals.submit(evil, review.id, expected_version=review.version)
    svc.links.record_suggestions(fc, second.id, [
        SuggestedLink("fact", fact.id, 0.7, "related"),
        SuggestedLink("rebuttal", published.id, 0.8, "related"),
        SuggestedLink("claim", claim.id, 0.6, "related")])
    return {"claim": claim.id, "second": second.id}


def _live(html: str) -> bool:
    """True when rendered Markdown has a tag other than paragraphs and bold labels
    (links, images, scripts, emphasis from user text) or any attribute."""
    return any(name.lower() not in SAFE_TAGS or attrs.strip() for name, attrs in TAG.findall(html))


def _markdown_is_inert(at) -> list[str]:
    """Every Markdown-rendering element, rendered: no links, images, scripts or HTML."""
    problems = []
    for kind in MARKDOWN_KINDS:
        for el in getattr(at, kind):
            html = MD.render(str(el.value))
            if _live(html):
                problems.append(f"{kind}: {el.value[:120]!r} -> {html[:200]!r}")
    labels = [w.label for kind in ("button", "selectbox", "multiselect", "text_input",
                                   "text_area", "checkbox", "radio", "expander", "tabs",
                                   "metric", "download_button", "number_input",
                                   "link_button")
              for w in getattr(at, kind)]
    for label in labels:
        if _live(MD.render(str(label))):
            problems.append(f"label: {label!r}")
    return problems


def _literal_somewhere(at, needle: str) -> bool:
    plain = [el.value for el in at.text] + [el.value for el in at.code]
    cells = [str(v) for df in at.dataframe for col in df.value.columns
             for v in df.value[col].tolist()]
    options = [str(o) for w in [*at.selectbox, *at.multiselect] for o in w.options]
    return any(needle in value for value in plain + cells + options)


@pytest.mark.parametrize("who,page,needle", [
    ("editor", "triage", 'Second [read more](javascript:alert(3)) <img src=x onerror="alert(2)">'),
    ("editor", "claim", HOSTILE),
    ("editor", "review", "Review <script>"),
    ("editor", "research", "Fact <script>"),
    ("coordinator", "library", "Full <script>alert('claim')</script>"),
    ("editor", "dashboard", "Second [read more](javascript:alert(3))"),
    ("admin", "admin", "Eve [read more](javascript:alert(3))"),
])
def test_hostile_text_is_literal_on_every_page(desk, hostile, who, page, needle):
    at = desk.app(who)
    at.session_state["claim.id"] = hostile["claim"]
    if page != ("library" if who == "coordinator" else "triage"):
        desk.goto(at, page)
    assert not at.exception
    assert _literal_somewhere(at, needle), page
    assert _markdown_is_inert(at) == []


def test_candidates_notes_and_names_on_the_workspace(desk, hostile):
    at = desk.app("fact_checker")
    at.session_state["claim.id"] = hostile["second"]
    desk.goto(at, "claim")
    assert not at.exception
    texts = [t.value for t in at.text]
    assert f"Fact {SCRIPT} {LINK}" in texts                 # candidate fact, literal
    assert HOSTILE in texts                                  # candidate claim, literal
    assert _markdown_is_inert(at) == []
    at.session_state["claim.id"] = hostile["claim"]
    at.run()
    assert f"Note {LINK} {SCRIPT}" in [t.value for t in at.text]
    assert _markdown_is_inert(at) == []


def test_source_links_are_buttons_only_for_http(desk, hostile):
    at = desk.app("coordinator")
    urls = [b.url for b in at.link_button]
    assert urls == ["https://pib.gov.in/"]
    assert "PIB [read more](javascript:alert(3))" in [desk.shown(b.label) for b in at.link_button]
    assert _markdown_is_inert(at) == []


def test_copied_whatsapp_text_is_shown_as_code(desk, hostile):
    at = desk.app("coordinator")
    at.button(key="library.copy").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    code = [c.value for c in at.code if "FALSE" in c.value.upper()]
    assert code and "javascript:" not in code[0] or "[read more]" in code[0]
    assert _markdown_is_inert(at) == []

