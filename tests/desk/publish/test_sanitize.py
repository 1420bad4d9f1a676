from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.publish.sanitize import (
    BIDI_CONTROLS,
    ELLIPSIS,
    clean_text,
    cut_point,
    defang_urls,
    formula_risk,
    is_http_url,
    neutralize_formula,
    strip_bidi,
    truncate_text,
)

ALL_BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
            "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]


def test_the_bidi_list_is_exactly_the_documented_one():
    assert BIDI_CONTROLS == frozenset(ALL_BIDI)


@pytest.mark.parametrize("control", ALL_BIDI)
def test_every_bidi_control_is_stripped_and_counted(control):
    cleaned = clean_text(f"invoice{control}fdp.exe")
    assert cleaned.text == "invoicefdp.exe"
    assert cleaned.bidi_removed == 1
    assert strip_bidi(f"a{control}b") == "ab"


@pytest.mark.parametrize("raw,expected,controls", [
    ("a\r\nb", "a\nb", 0),
    ("a\rb", "a\nb", 0),
    ("a\u2028b\u2029c", "a\nb\nc", 0),
    ("a\u0085b", "a\nb", 0),
    ("a\x00b\x07c\x1bd\x7fe", "abcde", 4),
    ("tab\tkept", "tab\tkept", 0),
    ("a\x9bb", "ab", 1),  # C1 CSI
])
def test_line_breaks_unified_and_controls_removed(raw, expected, controls):
    cleaned = clean_text(raw)
    assert cleaned.text == expected
    assert cleaned.controls_removed == controls


def test_text_becomes_nfc_and_zero_width_joiners_survive():
    nfd = unicodedata.normalize("NFD", "क़ानून")  # nukta form decomposed
    assert clean_text(nfd).text == unicodedata.normalize("NFC", nfd)
    half_form = "क्\u200dष"  # ZWJ asks for the half form: removing it changes the text
    assert clean_text(half_form).text == half_form
    assert clean_text("a\u200cb\u200bc").text == "a\u200cb\u200bc"


def test_lone_surrogates_are_replaced_so_utf8_encoding_cannot_fail():
    bad = "abc\udc80def"  # what surrogateescape decoding of broken UTF-8 leaves behind
    cleaned = clean_text(bad)
    assert cleaned.text == "abc\ufffddef"
    assert cleaned.invalid_replaced == 1
    cleaned.text.encode("utf-8")


@settings(deadline=None)
@given(st.text())
def test_clean_text_output_is_always_exportable(text):
    out = clean_text(text).text
    out.encode("utf-8")
    assert unicodedata.is_normalized("NFC", out)
    assert not set(out) & BIDI_CONTROLS
    assert all(ch in "\n\t" or unicodedata.category(ch) != "Cc" for ch in out)


DANGEROUS = ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"]  # LF: a CR after clean_text
HIDING = ["", " ", "   ", "\u00a0", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
          "\u202e", "\u2066", "\u200f", "\u00ad", "\u3000", " \u200b\u00a0", "\n"]


@pytest.mark.parametrize("hide", HIDING)
@pytest.mark.parametrize("trigger", DANGEROUS)
def test_formula_triggers_are_neutralised_even_behind_invisible_characters(hide, trigger):
    cell = f"{hide}{trigger}HYPERLINK(\"http://evil.example\",\"x\")"
    out, changed = neutralize_formula(cell)
    assert changed
    assert out == "'" + cell


@pytest.mark.parametrize("cell", [
    "", "plain text", "राशन कार्ड रद्द नहीं होंगे", "42", "a=b", "email me@x.in",
    " leading space then text", "\u200bदावा", "'already quoted",
])
def test_ordinary_cells_are_left_alone(cell):
    assert neutralize_formula(cell) == (cell, False)
    assert not formula_risk(cell)


@pytest.mark.parametrize("url,ok", [
    ("https://eci.gov.in", True),
    ("http://example.org/a?b=c#d", True),
    ("HTTPS://EXAMPLE.ORG", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    ("data:text/html,<script>", False),
    ("ftp://example.org", False),
    ("//example.org/path", False),
    ("https://", False),
    ("https://exa mple.org", False),
    ("https://example.org/\"onmouseover=x", False),
    ("https://example.org/<script>", False),
    ("https://example.org\\@evil.example", False),
    ("https://example.org/\u202etxt.exe", False),
    ("https://example.org:99999/", False),
    ("https://[::1", False),
    ("", False),
    (None, False),
])
def test_is_http_url(url, ok):
    assert is_http_url(url) is ok


@pytest.mark.parametrize("text,expected", [
    ("visit https://bit.ly/3xYz now", "visit hxxps://bit.ly/3xYz now"),
    ("HTTP://A.B", "HxxP://A.B"),
    ("www.fake-ration.in", "www[.]fake-ration.in"),
    ("no links here, swww.x", "no links here, swww.x"),
])
def test_defang_urls(text, expected):
    assert defang_urls(text) == expected


def test_truncate_prefers_word_boundaries_and_ends_with_ellipsis():
    text = "यह दावा पूरी तरह गलत है और विभाग ने कोई आदेश नहीं दिया"
    out, cut = truncate_text(text, 20)
    assert cut and out.endswith(ELLIPSIS) and len(out) <= 20
    assert text.startswith(out[:-1])
    assert text[len(out) - 1] == " "  # cut at a word boundary


def test_truncate_never_splits_a_conjunct_even_inside_one_long_word():
    word = "स्त्री" * 10  # no spaces: must fall back to cluster boundaries
    for limit in range(2, 30):
        out, _ = truncate_text(word, limit)
        head = out[:-1]
        assert len(out) <= limit
        assert regex.findall(r"\X", head) == regex.findall(r"\X", word)[: len(regex.findall(r"\X", head))]


def test_short_text_is_untouched():
    assert truncate_text("छोटा", 10) == ("छोटा", False)


def test_cut_point_falls_back_to_clusters_when_the_only_space_is_early():
    text = "ab " + "x" * 100
    assert cut_point(text, 50) == 50


devanagari = st.characters(min_codepoint=0x0900, max_codepoint=0x097F)
mixed = st.one_of(devanagari, st.sampled_from(" \n\u200c\u200d.,!?"), st.characters(max_codepoint=0x7F))


@settings(deadline=None)
@given(st.text(mixed, max_size=400), st.integers(min_value=1, max_value=300))
def test_truncate_property_length_and_whole_clusters(text, limit):
    text = unicodedata.normalize("NFC", text)
    out, cut = truncate_text(text, limit)
    assert len(out) <= limit
    if not cut:
        assert out == text
        return
    assert out.endswith(ELLIPSIS)
    head = out[: -len(ELLIPSIS)]
    head_clusters = regex.findall(r"\X", head)
    assert head_clusters == regex.findall(r"\X", text)[: len(head_clusters)]
