from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from desk.errors import ValidationError
from desk.publish import bulletin_markdown, escape_markdown


def render(markdown: str) -> str:
    """CommonMark with raw HTML allowed and link validation off, so escaping is
    the only thing standing between hostile text and live HTML."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True
    return md.render(markdown)


class _Html(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    parser.close()
    return parser


BENIGN_TAGS = {"h1", "h2", "p", "strong", "em", "ul", "li", "a", "hr", "br"}


HOSTILE = [
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![pixel](http://tracker.example/p.png)",
    "<javascript:alert(1)>",
    "<https://evil.example/login>",
    "[x]: javascript:alert(1)",
    "`code` ``more``",
    "*em* **strong** ~~gone~~ _u_",
    "&lt;script&gt; &#x3C;b&#x3E;",
    "| a | b |",
    "\\[escaped already\\]",
]
HOSTILE_LINES = ["# fake heading", "> fake quote", "1. fake list", "2) fake list", "- fake item",
                 "+ fake item", "---", "===", "    indented code", "<div onclick=x>block</div>"]


def test_hostile_text_renders_as_literal_text_only(make_rebuttal):
    claim = " ".join(HOSTILE)
    body = "\n".join(HOSTILE_LINES) + "\n\n" + "\n\n".join(HOSTILE)
    r = make_rebuttal(claim_texts=[claim, "second <b>claim</b>"], title="[t](javascript:x)",
                      full_text=body, region_name="<img src=x>", lang="en", translations={})
    md = bulletin_markdown([r], region="Lucknow <script>", start="2026-11-01", end="2026-11-30").content
    html = parse_html(render(md))
    assert {tag for tag, _ in html.tags} <= BENIGN_TAGS
    hrefs = [attrs.get("href") for tag, attrs in html.tags if tag == "a"]
    assert set(hrefs) <= {"https://nfsa.gov.in", "https://fcs.up.gov.in", "https://pib.gov.in/factcheck.aspx",
                          "https://factdesk.example.org/r/42"}
    assert len(hrefs) == 4
    assert all("javascript" not in str(v) for _, attrs in html.tags for v in attrs.values())
    text = "".join(html.text)
    for snippet in HOSTILE + HOSTILE_LINES[:-2] + ["Lucknow <script>", "second <b>claim</b>"]:
        assert snippet in text, snippet
    assert "\\[x\\]\\(javascript:alert(1)\\)" not in md  # parentheses stay readable
    assert "\\[x\\](javascript:alert(1))" in md


def test_layout_and_labels(make_rebuttal):
    older = make_rebuttal(id=1, lang="en", translations={}, title="Older", published_at="2026-11-10T09:00:00Z")
    newer = make_rebuttal(id=2, lang="en", translations={}, title="Newer", verdict="misleading",
                          published_at="2026-11-20T09:00:00Z")
    md = bulletin_markdown([older, newer], region="Lucknow", start=date(2026, 11, 1), end="2026-11-30").content
    assert md.startswith("# Fact-check bulletin: Lucknow\n\n**2026-11-01 – 2026-11-30** · 2 rebuttals\n\n---\n\n")
    assert md.index("## 1. MISLEADING: Newer") < md.index("## 2. FALSE: Older")
    assert "**Verdict:** Misleading" in md
    assert "- [National Food Security Portal](<https://nfsa.gov.in>) (GoI, 2026-11)" in md
    assert "[Read the full fact check](<https://factdesk.example.org/r/42>) · Published 2026-11-20" in md
    assert md.endswith("\n")


def test_hindi_bulletin_uses_hindi_labels_and_text(make_rebuttal):
    result = bulletin_markdown([make_rebuttal()], region="लखनऊ", start="2026-11-01", end="2026-11-30", lang="hi")
    md = result.content
    assert md.startswith("# तथ्य जाँच बुलेटिन: लखनऊ\n\n**2026-11-01 – 2026-11-30** · 1 खंडन")
    assert "## 1. गलत: राशन कार्ड रद्द होने का दावा गलत" in md
    assert "**दावा:** 1 अप्रैल से ई\\-केवाईसी" not in md  # '-' is only escaped at line start
    assert "**दावा:** 1 अप्रैल से ई-केवाईसी" in md
    assert "**स्रोत:**" in md and "[पूरी जाँच पढ़ें](<https://factdesk.example.org/r/42>)" in md
    assert result.warnings == ()


def test_translation_is_used_and_a_missing_one_is_flagged(make_rebuttal):
    with_en = make_rebuttal(id=1)
    without = make_rebuttal(id=2, translations={})
    result = bulletin_markdown([with_en, without], region="Lucknow", start="2026-11-01", end="2026-11-30",
                               lang="en")
    assert "This claim is false. No order cancels ration cards" in result.content
    assert "*Original text (hi); no translation yet.*" in result.content
    assert [(w.code, w.rebuttal_id) for w in result.warnings] == [("translation_missing", 2)]


def test_only_http_sources_become_links(make_rebuttal):
    sources = [{"url": "javascript:alert(1)", "title": "Evil [link](javascript:x)"},
               {"url": "https://eci.gov.in", "title": ""},
               {"title": "Gazette notice, page 4"}]
    result = bulletin_markdown([make_rebuttal(sources=sources)], region="X", start="2026-11-01", end="2026-11-30")
    html = parse_html(render(result.content))
    hrefs = [attrs["href"] for tag, attrs in html.tags if tag == "a"]
    assert hrefs == ["https://eci.gov.in", "https://factdesk.example.org/r/42"]
    text = "".join(html.text)
    assert "Evil [link](javascript:x)" in text and "Gazette notice, page 4" in text
    assert "unsafe_link_dropped" in result.codes()


def test_parentheses_in_source_urls_cannot_end_the_link(make_rebuttal):
    r = make_rebuttal(sources=[{"url": "https://en.wikipedia.org/wiki/Ration_card_(India)", "title": "Wiki"}])
    html = parse_html(render(bulletin_markdown([r], region="X", start="2026-11-01", end="2026-11-30").content))
    assert ("a", {"href": "https://en.wikipedia.org/wiki/Ration_card_%28India%29"}) in html.tags


def test_claim_links_are_defanged(make_rebuttal):
    r = make_rebuttal(claim_texts=["Form bharo https://bit.ly/3xYz aur www.free-ration.in par"])
    md = bulletin_markdown([r], region="X", start="2026-11-01", end="2026-11-30").content
    assert "hxxps://bit.ly/3xYz" in md and "www\\[.\\]free-ration.in" in md
    assert "https://bit.ly" not in md


def test_empty_bulletin(make_rebuttal):
    md = bulletin_markdown([], region="Jaipur", start="2026-11-01", end="2026-11-07").content
    assert md == ("# Fact-check bulletin: Jaipur\n\n**2026-11-01 – 2026-11-07** · 0 rebuttals\n\n"
                  "*No approved rebuttals in this period.*\n")


@pytest.mark.parametrize("start,end,message", [
    ("2026-11-30", "2026-11-01", "starts .* after it ends"),
    ("30/11/2026", "2026-12-01", "not an ISO-8601"),
    (None, "2026-12-01", "must be an ISO-8601 string"),
])
def test_bad_date_ranges_are_refused(start, end, message):
    with pytest.raises(ValidationError, match=message):
        bulletin_markdown([], region="X", start=start, end=end)


piece = st.one_of(
    st.sampled_from(list("*_`[]()<>!#&|~\\-+=.:;/ 1a")),  # Markdown's syntax, weighted up
    st.sampled_from(["javascript:", "http://x.in", "&lt;", "&#60;", "<b>", "](", "![", "\n"]),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0x0900, max_codepoint=0x097F),
    st.sampled_from(list("₹।–—“”‘’…\u00a0")),
)


def texts(min_size=0, max_size=80):
    return st.lists(piece, min_size=min_size, max_size=max_size).map("".join)


@settings(deadline=None)
@given(texts())
def test_escaped_text_renders_back_to_exactly_the_input(text):
    text = " ".join(text.split())  # one paragraph
    expected = text
    html = parse_html(render(escape_markdown(text)))
    assert {tag for tag, _ in html.tags} <= {"p"}
    assert "".join(html.text).strip() == expected


@settings(deadline=None)
@given(st.lists(texts(1, 20).map(lambda t: " ".join(t.split())).filter(bool), min_size=2, max_size=5))
def test_escaped_lines_keep_their_breaks_and_nothing_else(lines):
    html = parse_html(render(escape_markdown("\n".join(lines))))
    assert {tag for tag, _ in html.tags} <= {"p", "br"}
    rendered = [part.strip() for part in "".join(html.text).strip().split("\n")]
    assert rendered == [" ".join(line.split()) for line in lines]
