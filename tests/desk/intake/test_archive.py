import struct
import tracemalloc
import zipfile

import pytest
from hypothesis import given, settings, strategies as st

from desk.errors import ImportFailed
from desk.intake import IntakeLimits, extract_chat_txt, parse_whatsapp

CHAT = "22/11/2026, 21:05 - Ramesh: EVM hack ki khabar jhooth hai\n".encode()


def test_single_txt_is_extracted(zip_of):
    chat = extract_chat_txt(zip_of({"WhatsApp Chat with Ward 12.txt": CHAT}))
    assert chat.name == "WhatsApp Chat with Ward 12.txt"
    assert chat.data == CHAT


def test_ios_zip_with_media_picks_the_chat(zip_of):
    data = zip_of({
        "_chat.txt": CHAT,
        "00000012-PHOTO-2026-11-20-09-05-12.jpg": b"\xff\xd8\xff" + b"\x00" * 100,
        "notes.txt": b"not the chat",
    })
    assert extract_chat_txt(data).name == "_chat.txt"


@pytest.mark.parametrize("members,message", [
    ({"photo.jpg": b"x"}, "no .txt chat file"),
    ({"a.txt": CHAT, "b.txt": CHAT}, "2 text files"),
    ({"_chat.txt": CHAT, "inner.zip": b"PK\x03\x04"}, "another archive 'inner.zip'"),
    ({"../../etc/passwd.txt": CHAT}, "unsafe path"),
    ({"/abs/chat.txt": CHAT}, "unsafe path"),
    ({"C:\\evil\\chat.txt": CHAT}, "unsafe path"),
    ({"media/..\\..\\chat.txt": CHAT}, "unsafe path"),
])
def test_bad_archives_are_refused(zip_of, members, message):
    with pytest.raises(ImportFailed, match=message):
        extract_chat_txt(zip_of(members))


def test_encrypted_member_is_refused(zip_of):
    data = bytearray(zip_of({"_chat.txt": CHAT}, compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in the local and the central header.
    data[6] |= 0x01
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01
    with pytest.raises(ImportFailed, match="encrypted"):
        extract_chat_txt(bytes(data))


def test_declared_bomb_is_refused_without_inflating(zip_of):
    bomb = zip_of({"_chat.txt": b"\x00" * 30_000_000})
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ImportFailed, match="would unpack to 30.0 MB"):
            extract_chat_txt(bomb, limits=IntakeLimits(max_upload_bytes=5_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"refusing the bomb allocated {peak} bytes"


def _lie_about_size(data: bytes, size: int) -> bytes:
    patched = bytearray(data)
    struct.pack_into("<I", patched, 22, size)  # local header: uncompressed size
    central = patched.index(b"PK\x01\x02")
    struct.pack_into("<I", patched, central + 24, size)
    return bytes(patched)


def test_bomb_with_lying_header_is_refused(zip_of):
    bomb = _lie_about_size(zip_of({"_chat.txt": CHAT + b"a" * 20_000_000}), 1_000)
    with pytest.raises(ImportFailed) as info:
        extract_chat_txt(bomb, limits=IntakeLimits(max_upload_bytes=5_000_000))
    assert "zip" in str(info.value)


def test_too_many_members_is_refused(zip_of):
    data = zip_of({f"m{i}.jpg": b"" for i in range(30)} | {"_chat.txt": CHAT})
    with pytest.raises(ImportFailed, match="31 entries"):
        extract_chat_txt(data, limits=IntakeLimits(max_zip_members=20))


def test_parse_whatsapp_reads_zip_and_takes_group_from_zip_name(zip_of, fixture_bytes):
    data = zip_of({"_chat.txt": fixture_bytes("ios_12h.txt")})
    export = parse_whatsapp(data, filename="WhatsApp Chat - Ward 12 Sewa (1).zip")
    assert export.group_name == "Ward 12 Sewa"
    assert export.source_name == "WhatsApp Chat - Ward 12 Sewa (1).zip"
    assert len(export.messages) == 9


def test_group_from_member_name_when_zip_name_says_nothing(zip_of):
    export = parse_whatsapp(zip_of({"WhatsApp Chat with किसान मंच.txt": CHAT}),
                            filename="upload.zip")
    assert export.group_name == "किसान मंच"


def test_zip_chat_with_bad_encoding_names_the_line(zip_of):
    data = zip_of({"_chat.txt": CHAT + b"22/11/2026, 21:06 - A: caf\xe9\n"})
    with pytest.raises(ImportFailed, match="line 2: not valid UTF-8"):
        parse_whatsapp(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_damaged_zips_fail_cleanly(tail):
    valid = bytes.fromhex("504b0304")
    try:
        extract_chat_txt(valid + tail)
    except ImportFailed:
        pass


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=200), st.binary(min_size=1, max_size=8))
def test_corrupted_real_zip_fails_cleanly(zip_of, position, garbage):
    data = bytearray(zip_of({"_chat.txt": CHAT * 3}))
    position %= len(data)
    data[position:position + len(garbage)] = garbage
    try:
        chat = extract_chat_txt(bytes(data))
    except ImportFailed:
        return
    assert isinstance(chat.data, bytes)
