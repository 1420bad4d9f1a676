"""Builders for export tests: a valid rebuttal with every field filled, overridable."""
from __future__ import annotations

import pytest

from desk.publish.model import ExportRebuttal


def rebuttal_data(**overrides) -> dict:
    data = dict(
        id=42,
        version_no=3,
        status="published",
        verdict="false",
        lang="hi",
        title="राशन कार्ड रद्द होने का दावा गलत",
        claim_texts=["1 अप्रैल से ई-केवाईसी न कराने वालों के राशन कार्ड रद्द हो जाएंगे"],
        full_text=(
            "यह दावा गलत है। खाद्य एवं रसद विभाग ने ई-केवाईसी न कराने पर राशन कार्ड रद्द करने का "
            "कोई आदेश जारी नहीं किया है। ई-केवाईसी राशन दुकान की ई-पॉस मशीन पर निःशुल्क होती रहेगी।"
        ),
        whatsapp_text="*यह दावा गलत है।* राशन कार्ड रद्द करने का कोई आदेश नहीं है। ई-केवाईसी _निःशुल्क_ है।",
        translations={"en": {
            "full_text": "This claim is false. No order cancels ration cards for missing e-KYC.",
            "whatsapp_text": "*This is false.* No order cancels ration cards for missing e-KYC.",
        }},
        sources=[
            {"url": "https://nfsa.gov.in", "title": "National Food Security Portal", "publisher": "GoI",
             "date": "2026-11"},
            {"url": "https://fcs.up.gov.in", "title": "Food & Civil Supplies, UP", "publisher": "UP Govt"},
            {"url": "https://pib.gov.in/factcheck.aspx", "title": "PIB Fact Check"},
        ],
        appearances=[
            {"channel": "whatsapp", "group": "Lucknow Nagrik Suchna (private)", "first_seen": "2026-11-20T08:00:00Z"},
            {"channel": "facebook", "url": "https://www.facebook.com/some.page/posts/1",
             "first_seen": "2026-11-20T09:30:00Z"},
        ],
        author="Priya Sharma",
        reviewer="Ravi Verma",
        approved_at="2026-11-21T10:00:00Z",
        published_at="2026-11-21T12:00:00Z",
        region_code="UP-LKO",
        region_name="Lucknow",
        topics=["ration"],
        url="https://factdesk.example.org/r/42",
        organisation="Fact Desk UP",
        organisation_url="https://factdesk.example.org",
    )
    data.update(overrides)
    return data


@pytest.fixture
def make_rebuttal():
    """``make_rebuttal(**overrides) -> ExportRebuttal`` (Hindi, published, all fields set)."""

    def make(**overrides) -> ExportRebuttal:
        return ExportRebuttal.from_dict(rebuttal_data(**overrides))

    return make


@pytest.fixture
def rebuttal_dict():
    """``rebuttal_dict(**overrides) -> dict``: the raw fields behind ``make_rebuttal``."""
    return rebuttal_data
