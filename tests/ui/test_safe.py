"""Untrusted text in Markdown contexts: escaped completely, rendered back verbatim,
never a link, image, tag or emphasis; links only for http(s)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from desk.ui.safe import is_http_url, md_escape, snippet

REPO = Path(__file__).resolve().parents[2]
MD = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "![pixel](https://tracker.example/p.png)",
    "<https://evil.example>",
    "visit https://evil.example or www.evil.example now",
    "**bold** _em_ ~~gone~~ `code` # heading",
    ":red[coloured] :material/warning: $x^2$ :smile:",
    "1. list\n- item\n> quote\n\n    indented code",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "&lt;script&gt; &amp; &#x3C;",
    "पुलिस ने कहा [यहाँ क्लिक करें](javascript:alert('x'))",
    "back\\slash \\*not bold\\*",
]


def _rendered_text(markdown: str) -> str:
    out = MD.render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", out.replace("<br />", "")))


def _tags(markdown: str) -> set[str]:
    return set(re.findall(r"<([a-z0-9]+)", MD.render(markdown))) - {"p", "br"}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_literal_text(text):
    escaped = md_escape(text)
    assert _tags(escaped) == set(), MD.render(escaped)
    assert _rendered_text(escaped).split() == text.split()


@pytest.mark.parametrize("text", HOSTILE)
def test_no_autolink_can_form(text):
    # GFM and Streamlit's Markdown turn bare URLs, www. and e-mail addresses into links;
    # every ':', '.' and '@' is escaped, so none of their triggers survive.
    escaped = md_escape(text)
    assert not re.search(r"(?<!\\)[:.@<\[\]()]", escaped)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120))
def test_any_text_survives_escaping(text):
    escaped = md_escape(text)
    assert _tags(escaped) == set()
    assert _rendered_text(escaped).split() == text.replace("\x00", "\ufffd").split()


@pytest.mark.parametrize("url,ok", [
    ("https://eci.gov.in/", True), ("http://pib.gov.in/factcheck.aspx", True),
    ("HTTPS://EXAMPLE.ORG", True), ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False), ("data:text/html,<script>", False),
    ("//evil.example", False), ("https://", False), ("ftp://files.example", False),
    ("https://exa mple.org", False), ("https://example.org/\nx", False), ("", False),
    (None, False), ("https://" + "a" * 3000, False),
])
def test_only_http_urls_become_links(url, ok):
    assert is_http_url(url) is ok


@pytest.mark.parametrize("text,limit,expected", [
    ("short", 10, "short"), ("a  b\n c", 10, "a b c"), ("abcdefghijk", 5, "abcd…"),
    (None, 5, ""),
])
def test_snippet(text, limit, expected):
    assert snippet(text, limit) == expected


def test_the_ui_never_allows_html():
    offenders = []
    for path in [REPO / "streamlit_app.py", *sorted((REPO / "desk" / "ui").rglob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        for needle in ("unsafe_allow_html", "st.html(", "components.html", "components.v1"):
            if needle in source:
                offenders.append(f"{path.relative_to(REPO)}: {needle}")
    assert not offenders, offenders
