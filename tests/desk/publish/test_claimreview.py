from __future__ import annotations

import copy
import json
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.errors import ValidationError
from desk.publish import claimreview_jsonld, claimreview_script, json_for_script, validate_claimreview


class _ScriptGrabber(HTMLParser):
    """Parses HTML the way a browser tokenises <script>: up to the first </script>."""

    def __init__(self):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self._attrs: dict | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self._attrs = dict(attrs)
            self.scripts.append((self._attrs, ""))

    def handle_data(self, data):
        if self._attrs is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._attrs = None


def scripts_in(html: str) -> list[tuple[dict, str]]:
    grabber = _ScriptGrabber()
    grabber.feed(f"<html><body>{html}<p>after</p></body></html>")
    grabber.close()
    return grabber.scripts, grabber.tags


def test_required_and_recommended_fields(make_rebuttal):
    obj = claimreview_jsonld(make_rebuttal()).content
    assert obj["@context"] == "https://schema.org"
    assert obj["@type"] == "ClaimReview"
    assert obj["url"] == "https://factdesk.example.org/r/42"
    assert obj["claimReviewed"] == "1 अप्रैल से ई-केवाईसी न कराने वालों के राशन कार्ड रद्द हो जाएंगे"
    assert obj["reviewRating"] == {"@type": "Rating", "alternateName": "गलत",
                                   "ratingValue": 1, "bestRating": 5, "worstRating": 1}
    assert obj["author"] == {"@type": "Organization", "name": "Fact Desk UP",
                             "url": "https://factdesk.example.org"}
    assert obj["datePublished"] == "2026-11-21"
    assert obj["inLanguage"] == "hi"
    assert obj["name"] == "राशन कार्ड रद्द होने का दावा गलत"
    assert obj["itemReviewed"] == {
        "@type": "Claim",
        "datePublished": "2026-11-20",
        "firstAppearance": {"@type": "CreativeWork", "url": "https://www.facebook.com/some.page/posts/1",
                            "datePublished": "2026-11-20"},
        "appearance": [
            {"@type": "CreativeWork", "name": "Shared on WhatsApp", "datePublished": "2026-11-20"},
            {"@type": "CreativeWork", "url": "https://www.facebook.com/some.page/posts/1",
             "datePublished": "2026-11-20"},
        ],
    }
    assert validate_claimreview(obj) == []


def test_private_group_names_are_never_published(make_rebuttal):
    r = make_rebuttal()
    assert "Lucknow Nagrik Suchna" in r.appearances[0].group
    assert "Lucknow Nagrik Suchna" not in json.dumps(claimreview_jsonld(r).content, ensure_ascii=False)
    assert "Lucknow Nagrik Suchna" not in claimreview_script(r).content


@pytest.mark.parametrize("verdict,lang,name,value", [
    ("false", "en", "False", 1),
    ("misleading", "en", "Misleading", 2),
    ("partly_true", "en", "Partly true", 3),
    ("true", "en", "True", 5),
    ("unverified", "en", "Unverified", None),
    ("satire", "en", "Satire", None),
    ("false", "hi", "गलत", 1),
    ("misleading", "hi", "भ्रामक", 2),
    ("unverified", "hi", "अपुष्ट", None),
])
def test_verdicts_map_to_the_rating_scale(make_rebuttal, verdict, lang, name, value):
    rating = claimreview_jsonld(make_rebuttal(verdict=verdict, lang=lang)).content["reviewRating"]
    assert rating["alternateName"] == name
    if value is None:
        assert "ratingValue" not in rating and "bestRating" not in rating
    else:
        assert (rating["ratingValue"], rating["worstRating"], rating["bestRating"]) == (value, 1, 5)


def test_approved_but_unpublished_rebuttal_uses_the_approval_date(make_rebuttal):
    obj = claimreview_jsonld(make_rebuttal(status="approved", published_at=None)).content
    assert obj["datePublished"] == "2026-11-21"


@pytest.mark.parametrize("overrides,message", [
    ({"url": ""}, "url is missing"),
    ({"organisation": ""}, "author must be an Organization"),
    ({"claim_texts": []}, "answers no claim"),
    ({"approved_at": None, "published_at": None}, "datePublished is missing"),
])
def test_an_invalid_claimreview_is_refused_not_emitted(make_rebuttal, overrides, message):
    with pytest.raises(ValidationError, match=message):
        claimreview_jsonld(make_rebuttal(**overrides))


def test_long_claims_are_clipped_for_claim_reviewed(make_rebuttal):
    result = claimreview_jsonld(make_rebuttal(claim_texts=["राशन कार्ड रद्द " * 200]))
    assert len(result.content["claimReviewed"]) <= 500
    assert result.content["claimReviewed"].endswith("…")
    assert "truncated" in result.codes()


def _valid():
    return {
        "@context": "https://schema.org", "@type": "ClaimReview", "url": "https://f.example/r/1",
        "claimReviewed": "x", "reviewRating": {"@type": "Rating", "alternateName": "False",
                                               "ratingValue": 1, "bestRating": 5, "worstRating": 1},
        "author": {"@type": "Organization", "name": "Desk"}, "datePublished": "2026-11-22",
        "inLanguage": "en", "itemReviewed": {"@type": "Claim", "appearance": [
            {"@type": "CreativeWork", "url": "https://x.example/1"}]},
    }


def _without(path):
    def mutate(obj):
        *parents, last = path
        for key in parents:
            obj = obj[key]
        del obj[last]
    return mutate


def _set(path, value):
    def mutate(obj):
        *parents, last = path
        for key in parents:
            obj = obj[key]
        obj[last] = value
    return mutate


@pytest.mark.parametrize("mutate,problem", [
    (_without(["claimReviewed"]), "claimReviewed is missing"),
    (_set(["claimReviewed"], "  "), "claimReviewed is missing"),
    (_without(["url"]), "url is missing"),
    (_set(["url"], "javascript:alert(1)"), "url is missing or not an http(s) URL"),
    (_without(["reviewRating"]), "reviewRating is missing"),
    (_without(["reviewRating", "alternateName"]), "reviewRating.alternateName is missing"),
    (_set(["reviewRating", "@type"], "AggregateRating"), "reviewRating.@type must be Rating"),
    (_set(["reviewRating", "ratingValue"], 7), "must lie between worstRating and bestRating"),
    (_set(["reviewRating", "ratingValue"], "1"), "needs numeric ratingValue"),
    (_set(["reviewRating", "bestRating"], 1), "must lie between"),
    (_set(["@type"], "Review"), "@type must be ClaimReview"),
    (_set(["@context"], "https://evil.example"), "@context must be https://schema.org"),
    (_without(["author"]), "author must be an Organization or Person"),
    (_set(["author", "url"], "ftp://x"), "author.url must be an http(s) URL"),
    (_set(["datePublished"], "yesterday"), "datePublished is missing or not an ISO-8601 date"),
    (_without(["inLanguage"]), "inLanguage is missing"),
    (_set(["itemReviewed"], "a claim"), "itemReviewed must be a Claim"),
    (_set(["itemReviewed", "appearance"], {"url": "https://x"}), "appearance must be a list"),
    (_set(["itemReviewed", "appearance"], [{"@type": "CreativeWork", "url": "javascript:x"}]),
     "appearance[0].url must be an http(s) URL"),
    (_set(["itemReviewed", "appearance"], [{"@type": "CreativeWork"}]), "needs a url or a name"),
    (_set(["itemReviewed", "firstAppearance"], "x"), "firstAppearance must be an object"),
    (_set(["claimReviewed"], "abc\u202edef"), "bidi control"),
])
def test_validator_finds_each_problem(mutate, problem):
    obj = copy.deepcopy(_valid())
    assert validate_claimreview(obj) == []
    mutate(obj)
    problems = validate_claimreview(obj)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize("obj", [None, [], "ClaimReview", 42])
def test_validator_rejects_non_objects(obj):
    assert validate_claimreview(obj) == ["a ClaimReview must be a JSON object"]


HOSTILE_CLAIM = (
    'Sab ko bhejo </script><script>alert(document.cookie)</script> '
    '<img src=x onerror=alert(1)> <!-- --> ]]> & &amp; \u2028line\u2029para \u202etxt.exe'
)


def test_script_is_safe_to_embed_and_parses_back(make_rebuttal):
    r = make_rebuttal(claim_texts=[HOSTILE_CLAIM], title="</SCRIPT><b>x</b>")
    result = claimreview_script(r)
    html = result.content
    assert html.startswith('<script type="application/ld+json">') and html.endswith("</script>")
    inner = html[len('<script type="application/ld+json">'):-len("</script>")]
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in inner
    scripts, tags = scripts_in(html)
    assert len(scripts) == 1  # the claim's </script><script> did not open a second script
    assert "img" not in tags
    attrs, text = scripts[0]
    assert attrs == {"type": "application/ld+json"}
    obj = json.loads(text)
    assert obj == claimreview_jsonld(r).content
    assert validate_claimreview(obj) == []
    assert "</script><script>alert(document.cookie)</script>" in obj["claimReviewed"]
    assert "\u202e" not in obj["claimReviewed"]
    assert {"bidi_stripped", "markup_in_text"} <= result.codes()


@settings(deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
))
def test_json_for_script_round_trips_anything_and_never_emits_markup(value):
    text = json_for_script(value)
    assert json.loads(text) == value
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
