"""RELIABILITY.md rows 13-16 across every export format at once."""
from __future__ import annotations

import json
import unicodedata

import pytest

from desk.publish import (
    WARNING_CODES,
    bulletin_markdown,
    claimreview_jsonld,
    claimreview_script,
    scan_rebuttal,
    to_csv,
    to_json,
    whatsapp_text,
)
from desk.publish.sanitize import BIDI_CONTROLS


def as_text(content) -> str:
    if isinstance(content, bytes):
        return content.decode("utf-8-sig")
    if isinstance(content, dict):
        return json.dumps(content, ensure_ascii=False)
    return content


EXPORTS = {
    "whatsapp": lambda rows: whatsapp_text(rows[0], max_chars=1000),
    "whatsapp_en": lambda rows: whatsapp_text(rows[0], lang="en"),
    "claimreview": lambda rows: claimreview_jsonld(rows[0]),
    "claimreview_script": lambda rows: claimreview_script(rows[0]),
    "csv": to_csv,
    "json": to_json,
    "bulletin": lambda rows: bulletin_markdown(rows, region="Lucknow", start="2026-11-01", end="2026-11-30"),
    "bulletin_hi": lambda rows: bulletin_markdown(rows, region="लखनऊ", start="2026-11-01", end="2026-11-30",
                                                  lang="hi"),
}

RLO, LRI, PDI, RLM = "\u202e", "\u2066", "\u2069", "\u200f"


@pytest.fixture
def hostile(make_rebuttal):
    return make_rebuttal(
        claim_texts=[f"मुफ्त राशन {RLO}fdp.exe{PDI} </script><img src=x onerror=alert(1)> Mоdi\u2028ji"],
        title=f"शीर्षक{RLM}",
        full_text=f"{LRI}यह दावा गलत है।{PDI} विवरण\u2029यहाँ",
        whatsapp_text=f"*गलत* {RLO}txt.exe",
        author=f"Priya{RLO} Sharma",
        region_name=f"Lucknow{RLM}",
        translations={"en": {"full_text": f"False{RLO}.", "whatsapp_text": f"*False*{LRI}."}},
        sources=[{"url": "https://nfsa.gov.in", "title": f"NFSA{RLO}"}],
    )


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_bidi_controls_are_stripped_and_flagged_in_every_export(hostile, name):
    result = EXPORTS[name]([hostile])
    text = as_text(result.content)
    assert not set(text) & BIDI_CONTROLS
    assert "fdp.exe" in text  # the text around the control is kept
    bidi_fields = {w.field for w in result.warnings if w.code == "bidi_stripped"}
    assert {"claim 1", "full text", "WhatsApp text", "author", "source 1 title"} <= bidi_fields
    assert all(w.rebuttal_id == hostile.id for w in result.warnings)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_crafted_claims_are_flagged_for_the_reviewer(hostile, name):
    codes = EXPORTS[name]([hostile]).codes()
    assert {"bidi_stripped", "markup_in_text", "confusable_script"} <= codes
    assert codes <= set(WARNING_CODES)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_no_export_contains_a_raw_line_or_paragraph_separator(hostile, name):
    text = as_text(EXPORTS[name]([hostile]).content)
    assert "\u2028" not in text and "\u2029" not in text


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_canonically_equivalent_input_gives_identical_exports(make_rebuttal, name):
    # Precomposed nukta letters (U+0958 क़, U+0959 ख़, U+095E फ़) and a decomposed
    # न + nukta, against the fully decomposed spelling of the same words.
    composed = "\u0958ानून में संशोधन की \u0959बर \u095eर्ज़ी है। चेन्नई न\u093cहीं ऩ"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    a = make_rebuttal(full_text=composed, claim_texts=[composed], title=composed)
    b = make_rebuttal(full_text=decomposed, claim_texts=[decomposed], title=decomposed)
    out_a, out_b = EXPORTS[name]([a]), EXPORTS[name]([b])
    assert out_a.content == out_b.content
    assert unicodedata.is_normalized("NFC", as_text(out_a.content))


def test_scan_reports_what_an_export_would_without_exporting(hostile):
    scanned = scan_rebuttal(hostile)
    exported = to_json([hostile]).warnings
    assert scanned == exported
    assert any(w.code == "confusable_script" and "Mоdi" in w.message for w in scanned)


def test_clean_rebuttal_is_silent(make_rebuttal):
    r = make_rebuttal()
    assert scan_rebuttal(r) == ()
    for name, export in EXPORTS.items():
        assert export([r]).warnings == (), name
