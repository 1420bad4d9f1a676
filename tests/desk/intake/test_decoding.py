import codecs

import pytest
from hypothesis import given, strategies as st

from desk.errors import ImportFailed
from desk.intake import decode_text

BIG = 10_000


@pytest.mark.parametrize("data,expected", [
    (b"hello\nworld", "hello\nworld"),
    (codecs.BOM_UTF8 + "नमस्ते\r\n".encode(), "नमस्ते\r\n"),
    (b"", ""),
    ("ok <script>alert(1)</script>".encode(), "ok <script>alert(1)</script>"),
])
def test_valid_utf8_decodes_verbatim(data, expected):
    assert decode_text(data, max_bytes=BIG) == expected


@pytest.mark.parametrize("data,line,needle", [
    (b"ok\n" * 11 + b"it\x92s true\n", 12, "line 12: not valid UTF-8 (byte 0x92)"),
    (b"caf\xe9", 1, "line 1: not valid UTF-8 (byte 0xE9)"),
    (codecs.BOM_UTF8 + b"a\nb\n\xff", 3, "line 3: not valid UTF-8 (byte 0xFF)"),
    ("पूरा\nअधूरा".encode()[:-1], 2, "line 2: not valid UTF-8"),
    (b"a\n\xed\xa0\x80", 2, "line 2: not valid UTF-8 (byte 0xED)"),  # an encoded surrogate
    (b"first line\nsecond\x00line", 2, "line 2: contains a NUL byte"),
])
def test_invalid_bytes_name_the_line(data, line, needle):
    with pytest.raises(ImportFailed) as info:
        decode_text(data, max_bytes=BIG, hint="export the chat again as UTF-8")
    assert info.value.line == line
    assert needle in str(info.value)


def test_windows_1252_message_tells_what_to_do():
    data = ("line one\n" * 11 + "it\u2019s true\n").encode("cp1252")
    with pytest.raises(ImportFailed) as info:
        decode_text(data, max_bytes=BIG, hint="export the chat again as UTF-8")
    assert str(info.value) == ("line 12: not valid UTF-8 (byte 0x92); "
                               "export the chat again as UTF-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused_by_name(encoding):
    data = "22/11/26, 9:05 pm - Ramesh: नमस्ते\n".encode(encoding)
    with pytest.raises(ImportFailed, match="UTF-(16|32) text, not UTF-8"):
        decode_text(data, max_bytes=BIG)


def test_oversized_input_is_refused_before_decoding():
    with pytest.raises(ImportFailed, match="over the 100 bytes limit"):
        decode_text(b"x" * 101, max_bytes=100)
    assert decode_text(b"x" * 100, max_bytes=100) == "x" * 100


def test_zip_bytes_are_not_text():
    with pytest.raises(ImportFailed, match="zip archive"):
        decode_text(b"PK\x03\x04rest", max_bytes=BIG)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_fail_cleanly(data):
    try:
        text = decode_text(data, max_bytes=BIG)
    except ImportFailed as exc:
        assert str(exc)
    else:
        assert text.encode("utf-8") == data.removeprefix(codecs.BOM_UTF8)


@given(st.text(max_size=200))
def test_any_text_round_trips(text):
    if "\x00" in text:
        return
    assert decode_text(text.encode("utf-8"), max_bytes=BIG) == text.removeprefix("\ufeff")
