import json

import pytest
from hypothesis import given, settings, strategies as st

from desk.errors import ImportFailed
from desk.intake import IntakeLimits, detect_mapping, read_tabular


def test_hindi_headers_are_mapped_and_rows_validated(fixture_bytes):
    result = read_tabular(fixture_bytes("claims_hindi_headers.csv"), fmt="csv")
    assert result.mapping == {
        "text": "दावा", "channel": "प्लेटफॉर्म", "source_url": "लिंक", "seen_at": "दिनांक",
        "region_code": "राज्य", "topic": "विषय", "language": "भाषा", "sender": "भेजने वाला",
    }
    assert result.unmapped_columns == ["टिप्पणी"]
    assert result.ok
    first, second, third = result.rows
    assert first.line == 2
    assert first.record == {
        "text": "सरकार ने 1 दिसंबर से राशन कार्ड रद्द करने का आदेश दिया है, सभी ग्रुप में भेजें",
        "channel": "whatsapp", "source_url": "https://bit.ly/raashan", "source_group": None,
        "seen_at": "2026-11-22T00:00:00", "region_code": "UP", "topic": "राशन",
        "language": "hi", "sender": "+919876543210",
    }
    assert first.sender_is_phone
    # Hostile text is data: kept verbatim.  The offset is converted to UTC.
    assert second.record["text"] == "EVM hacked in Jaipur; <script>alert(1)</script>"
    assert second.record["seen_at"] == "2026-11-22T04:30:00Z"
    assert (second.record["region_code"], second.record["language"]) == ("RJ", "en")
    assert not second.sender_is_phone
    # A quoted field over two lines: the row keeps the line it starts on.
    assert third.line == 4
    assert third.record["text"] == "bijli bill maaf, ₹99 me\nsirf aaj tak"
    assert third.record["seen_at"] == "2026-11-23T21:05:00"
    assert third.record["language"] == "hi-Latn"


def test_semicolon_csv_with_month_first_dates(fixture_bytes):
    result = read_tabular(fixture_bytes("claims_english_semicolon.csv"), fmt="csv")
    assert result.mapping == {"text": "Claim Text", "channel": "Channel",
                              "source_url": "Source URL", "seen_at": "Seen At",
                              "region_code": "State"}
    assert [r.record["seen_at"] for r in result.rows] == ["2026-11-22T00:00:00",
                                                          "2026-11-23T00:00:00"]
    assert [r.record["region_code"] for r in result.rows] == ["DL", "UP"]
    assert result.rows[0].record["channel"] == "x"


def test_ragged_rows_are_reported_with_line_numbers(fixture_bytes):
    result = read_tabular(fixture_bytes("claims_ragged.csv"), fmt="csv")
    assert [str(e) for e in result.errors] == [
        "line 3: expected 2 fields, found 3",
        "line 6: expected 2 fields, found 1",
    ]
    assert [(r.line, r.record["text"]) for r in result.rows] == [
        (2, "first claim about ration cards"), (5, "third claim"),
        (7, "fifth, quoted\nover two lines"), (9, "sixth claim"),
    ]
    assert result.skipped_blank == 1
    assert not result.ok


def test_explicit_mapping_overrides_and_excludes():
    data = "notes,message,date\nignore me,the real claim text here,22/11/2026\n".encode()
    auto = read_tabular(data, fmt="csv")
    assert auto.mapping == {"text": "message", "seen_at": "date"}
    mapped = read_tabular(data, fmt="csv", mapping={"text": "notes", "seen_at": None})
    assert mapped.mapping == {"text": "notes"}
    assert mapped.rows[0].record["text"] == "ignore me"
    assert mapped.rows[0].record["seen_at"] is None


@pytest.mark.parametrize("mapping,message", [
    ({"txt": "message"}, "unknown field"),
    ({"text": "Message"}, "the column 'Message' mapped to text is not in the file"),
    ({"text": "message", "topic": "message"}, "mapped to more than one field"),
])
def test_bad_mappings_are_refused(mapping, message):
    with pytest.raises(ImportFailed, match=message):
        read_tabular(b"message,date\nx y z,22/11/2026\n", fmt="csv", mapping=mapping)


def test_no_text_column_names_the_columns():
    with pytest.raises(ImportFailed, match="no column holds the claim text.*'foo', 'bar'"):
        read_tabular(b"foo,bar\n1,2\n", fmt="csv")


@pytest.mark.parametrize("row,field,message", [
    ("x,UP,hi,javascript:alert(1),2026-11-22", "source_url", "is not an http(s) link"),
    ("x,Uttar Kashi Pur,hi,,2026-11-22", "region_code", "is not a region code"),
    ("x,UP,klingon,,2026-11-22", "language", "is not one of hi, hi-Latn, en, mixed"),
    ("x,UP,hi,,yesterday", "seen_at", "is not a date"),
    ("x,UP,hi,,31/02/2026", "seen_at", "is not a date"),
    (",UP,hi,,2026-11-22", "text", "text is empty"),
    ("x,UP,hi,http://a b,2026-11-22", "source_url", "contains spaces"),
])
def test_invalid_fields_are_row_errors(row, field, message):
    data = f"text,region,language,url,date\n{row}\n".encode()
    result = read_tabular(data, fmt="csv")
    assert not result.rows
    (error,) = result.errors
    assert (error.line, error.field) == (2, field)
    assert message in error.message


def test_field_limits_are_row_errors():
    limits = IntakeLimits(max_message_chars=50, max_field_chars=10)
    data = ("text,topic\n" + "a" * 51 + ",ok\nshort claim,way too long topic\nfine claim,ok\n").encode()
    result = read_tabular(data, fmt="csv", limits=limits)
    assert [str(e) for e in result.errors] == [
        "line 2: text is 51 characters long; the limit is 50",
        "line 3: topic is 18 characters long; the limit is 10",
    ]
    assert [r.line for r in result.rows] == [4]


@pytest.mark.parametrize("data,message", [
    (b'text\n"unterminated\n', "line 2: malformed CSV"),
    (b'text,region\n"a"b,UP\n', "line 2: malformed CSV"),
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (b"text,date\n", "holds no claims"),
    (b"text,date\n,\n", "holds no claims"),
    ("text\n" .encode("utf-16"), "UTF-16 text"),
    (b"text\nok\ncaf\xe9\n", "line 3: not valid UTF-8 (byte 0xE9)"),
    (b"PK\x03\x04xlsx", "zip archive"),
])
def test_broken_csv_files_are_refused(data, message):
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_tabular(data, fmt="csv")


def test_csv_field_size_cap_names_the_line():
    # Below the csv module's default limit, which other code may raise process-wide.
    data = b"text,notes\nshort claim,ok\nanother claim," + b"x" * 100_000 + b"\n"
    result = read_tabular(data, fmt="csv")
    assert [str(e) for e in result.errors] == [
        "line 3: column 'notes' is 100000 characters long; the limit is 20000"]
    assert [r.line for r in result.rows] == [2]


def test_huge_unused_json_value_is_a_row_error():
    data = json.dumps([{"text": "a claim", "notes": "x" * 30_000}, {"text": "b"}]).encode()
    result = read_tabular(data, fmt="json")
    assert [str(e) for e in result.errors] == [
        "line 1: column 'notes' is 30000 characters long; the limit is 20000"]
    assert [r.record["text"] for r in result.rows] == ["b"]


def test_row_cap():
    data = ("text\n" + "".join(f"claim number {i}\n" for i in range(6))).encode()
    assert len(read_tabular(data, fmt="csv", limits=IntakeLimits(max_rows=6)).rows) == 6
    with pytest.raises(ImportFailed, match="line 7: the file has more than 5 rows"):
        read_tabular(data, fmt="csv", limits=IntakeLimits(max_rows=5))


def test_wrapped_json_with_lines_and_bare_strings(fixture_bytes):
    result = read_tabular(fixture_bytes("claims_wrapped.json"), fmt="json")
    assert result.mapping == {"text": "claim", "seen_at": "date", "region_code": "state",
                              "language": "language"}
    assert [(r.line, r.record["text"]) for r in result.rows] == [
        (4, "उज्ज्वला में हर 3 महीने 1 सिलेंडर मुफ्त"), (10, "Pyaz ₹200/kg next week"),
        (21, "a bare string claim"),
    ]
    assert result.rows[0].record["region_code"] == "RJ"
    assert result.rows[1].record["seen_at"] == "2025-11-22T08:26:40Z"
    (error,) = result.errors
    assert (error.line, error.field) == (15, "text")
    assert "text must be text, not list" in error.message


@pytest.mark.parametrize("doc,texts", [
    ([{"text": "a claim"}, {"text": "another claim"}], ["a claim", "another claim"]),
    ({"text": "just one claim", "topic": "x"}, ["just one claim"]),
    ({"items": [{"message": "one"}], "meta": []}, ["one"]),
    ({"whatever": [{"दावा": "दावा एक"}]}, ["दावा एक"]),
])
def test_json_shapes(doc, texts):
    result = read_tabular(json.dumps(doc, ensure_ascii=False).encode(), fmt="json")
    assert [r.record["text"] for r in result.rows] == texts


def test_json_lines_by_format_or_detected():
    data = '{"text": "one claim"}\n\n{"text": "दूसरा दावा", "language": "हिंदी"}\n'.encode()
    for fmt in ("json", "jsonl"):
        result = read_tabular(data, fmt=fmt)
        assert result.format == "jsonl"
        assert [(r.line, r.record["text"], r.record["language"]) for r in result.rows] == [
            (1, "one claim", None), (3, "दूसरा दावा", "hi")]


@pytest.mark.parametrize("data,message", [
    (b"[" * 40 + b"]" * 40, "nested deeper than 32 levels"),
    (b'[{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}]", "nested deeper than 32 levels"),
    (b'{"a": [1], "b": [2]}', "several arrays"),
    (b'[{"text": "a"}, ]', "line 1: invalid JSON"),
    (b'[{"text": "a"}\n {"text": "b"}]', "line 2: invalid JSON: expected ',' or ']'"),
    (b'[{"text": "a"}] x', "extra data"),
    (b'"just a string"', "expected an array or an object"),
    (b'{"text": "a"}\n{"text": \n', "line 2: invalid JSON Lines"),
    (b"{}", "holds no records"),
    (b"[]", "holds no claims"),
    (b"[{}, {}]", "holds no claims"),
])
def test_broken_json_is_refused(data, message):
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace("[", r"\[")):
        read_tabular(data, fmt="json")


def test_brackets_inside_strings_do_not_count_as_nesting():
    data = json.dumps([{"text": "[[[[" * 20 + " claim " + "]]]]" * 20}]).encode()
    assert read_tabular(data, fmt="json").rows[0].record["text"].startswith("[[[[")


def test_huge_json_array_is_refused_at_the_cap():
    data = ("[" + ",".join(['{"text": "x"}'] * 1000) + "]").encode()
    with pytest.raises(ImportFailed, match="line 1: the file has more than 100 records"):
        read_tabular(data, fmt="json", limits=IntakeLimits(max_rows=100))


@pytest.mark.parametrize("columns,expected", [
    (["Claim", "Date", "State"], {"text": "Claim", "seen_at": "Date", "region_code": "State"}),
    (["claim_text", "source-url", "SENDER NAME"],
     {"text": "claim_text", "source_url": "source-url", "sender": "SENDER NAME"}),
    (["संदेश", "तारीख़", "क्षेत्र", "श्रेणी", "प्रेषक"],
     {"text": "संदेश", "seen_at": "तारीख़", "region_code": "क्षेत्र", "topic": "श्रेणी",
      "sender": "प्रेषक"}),
    (["message", "text"], {"text": "message"}),
    (["id", "score"], {}),
])
def test_detect_mapping(columns, expected):
    assert detect_mapping(columns) == expected


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["csv", "json", "jsonl"]))
def test_arbitrary_bytes_fail_only_with_import_failed(data, fmt):
    try:
        result = read_tabular(data, fmt=fmt)
    except ImportFailed:
        return
    assert all(r.record["text"] for r in result.rows)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "claim", "date", "state", "language", "url", "x"]), children,
        max_size=5),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_arbitrary_json_documents_fail_only_with_import_failed(doc):
    try:
        result = read_tabular(json.dumps(doc).encode(), fmt="json")
    except ImportFailed:
        return
    for row in result.rows:
        assert isinstance(row.record["text"], str) and row.record["text"].strip()
