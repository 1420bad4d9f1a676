from __future__ import annotations

import json

import pytest

from desk.errors import ValidationError
from desk.publish import (
    ExportRebuttal,
    Source,
    VERDICTS,
    Translation,
    bulletin_markdown,
    canonical_url,
    claimreview_jsonld,
    claimreview_script,
    to_csv,
    to_json,
    whatsapp_text,
)
from desk.publish.model import MAX_FIELD_CHARS


def test_dicts_are_coerced_to_dataclasses_and_tuples(make_rebuttal):
    r = make_rebuttal()
    assert isinstance(r.claim_texts, tuple)
    assert all(isinstance(s, Source) for s in r.sources)
    assert isinstance(r.translations["en"], Translation)
    assert r.exported_at == "2026-11-21T12:00:00Z"
    assert make_rebuttal(published_at=None).exported_at == "2026-11-21T10:00:00Z"


@pytest.mark.parametrize("overrides,message", [
    ({"full_text": b"\xe0\xa4"}, "must be text, got bytes"),
    ({"claim_texts": [b"abc"]}, "must be text, got bytes"),
    ({"claim_texts": "one claim, not a list"}, "claim_texts must be a list"),
    ({"claim_texts": ["   "]}, "claim text is empty"),
    ({"verdict": "pants_on_fire"}, "unknown verdict"),
    ({"status": "deleted"}, "unknown status"),
    ({"id": "42"}, "id must be an integer"),
    ({"id": True}, "id must be an integer"),
    ({"version_no": 0}, "version_no must be at least 1"),
    ({"lang": ""}, "lang is empty"),
    ({"full_text": "", "whatsapp_text": " "}, "both empty"),
    ({"full_text": "x" * (MAX_FIELD_CHARS + 1)}, "too long"),
    ({"claim_texts": ["x"] * 1001}, "too many entries"),
    ({"published_at": "22/11/2026"}, "not an ISO-8601"),
    ({"url": "javascript:alert(1)"}, r"url must be an http\(s\) URL"),
    ({"url": "ftp://example.org/r/1"}, r"url must be an http\(s\) URL"),
    ({"sources": [{"url": "https://a.in", "colour": "red"}]}, "unknown keys: colour"),
    ({"sources": [{}]}, "needs a url or a title"),
    ({"sources": ["https://a.in"]}, "must be a mapping"),
    ({"translations": {"en": {"full_text": ""}}}, "needs a full text"),
    ({"translations": [("en", {})]}, "translations must be a mapping"),
    ({"appearances": [{"channel": "x", "first_seen": "yesterday"}]}, "not an ISO-8601"),
])
def test_malformed_input_is_refused_with_a_clear_error(rebuttal_dict, overrides, message):
    with pytest.raises(ValidationError, match=message):
        ExportRebuttal.from_dict(rebuttal_dict(**overrides))


def test_unknown_top_level_keys_are_refused(rebuttal_dict):
    with pytest.raises(ValidationError, match="unknown keys: colour"):
        ExportRebuttal.from_dict(rebuttal_dict(colour="red"))


def test_canonical_url_joins_base_and_id():
    assert canonical_url("https://factdesk.example.org/r/", 7) == "https://factdesk.example.org/r/7"
    assert canonical_url("https://factdesk.example.org/r", 7) == "https://factdesk.example.org/r/7"
    with pytest.raises(ValidationError):
        canonical_url("factdesk.example.org", 7)


EXPORTERS = [
    ("whatsapp", lambda r: whatsapp_text(r)),
    ("claimreview", lambda r: claimreview_jsonld(r)),
    ("script", lambda r: claimreview_script(r)),
    ("csv", lambda r: to_csv([r])),
    ("json", lambda r: to_json([r])),
    ("bulletin", lambda r: bulletin_markdown([r], region="Lucknow", start="2026-11-01", end="2026-11-30")),
]


@pytest.mark.parametrize("status", ["draft", "in_review", "retracted"])
@pytest.mark.parametrize("name,export", EXPORTERS)
def test_only_approved_or_published_rebuttals_are_exported(make_rebuttal, status, name, export):
    with pytest.raises(ValidationError, match=f"is {status}; only approved or published"):
        export(make_rebuttal(status=status))


@pytest.mark.parametrize("status", ["approved", "published"])
@pytest.mark.parametrize("name,export", EXPORTERS)
def test_approved_and_published_rebuttals_export(make_rebuttal, status, name, export):
    result = export(make_rebuttal(status=status))
    assert result.content
    assert result.media_type and result.extension


def test_one_draft_refuses_a_bulk_export(make_rebuttal):
    rows = [make_rebuttal(id=1), make_rebuttal(id=2, status="draft")]
    with pytest.raises(ValidationError, match="rebuttal 2 is draft"):
        to_csv(rows)


def test_whatsapp_preview_allows_drafts(make_rebuttal):
    assert whatsapp_text(make_rebuttal(status="draft"), preview=True).content.startswith("*तथ्य जाँच")


def test_the_domain_enums_are_accepted_and_exported_as_plain_strings(make_rebuttal):
    from desk.domain import RebuttalStatus, Verdict

    assert {v.value for v in Verdict} == set(VERDICTS)  # the two vocabularies agree
    r = make_rebuttal(status=RebuttalStatus.PUBLISHED, verdict=Verdict.PARTLY_TRUE)
    assert type(r.status) is str and type(r.verdict) is str
    assert r.status == "published" and r.verdict == "partly_true"
    record = json.loads(to_json([r]).content)["rebuttals"][0]
    assert record["status"] == "published" and record["verdict"] == "partly_true"
