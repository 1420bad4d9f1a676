from datetime import datetime

import pytest

from desk.errors import ValidationError
from desk.intake import (
    SKIP_REASONS, IntakeLimits, classify_messages, message_key, parse_whatsapp, validate_claim,
)


def test_android_export_is_split_into_claims_and_counted_skips(fixture_bytes):
    result = classify_messages(parse_whatsapp(fixture_bytes("android_12h.txt")))
    assert result.skipped == {"system": 6, "media": 1, "deleted": 1, "chatter": 3,
                              "too_short": 0, "empty": 0, "too_long": 0}
    assert result.skipped_lines["chatter"] == [4, 5, 11]
    assert [c.message.line_no for c in result.candidates] == [6, 12]
    assert result.total == 13
    forward = result.candidates[0]
    assert forward.message.sender == "+919876543210" and forward.message.sender_is_phone
    assert {"forwarded", "share_request", "official_source"} <= set(forward.assessment.signals)
    assert forward.key == message_key("Ward 12 Sewa Samiti", datetime(2026, 11, 22, 9, 10),
                                      "+919876543210", forward.message.text)


def test_media_caption_can_be_a_claim(fixture_bytes):
    result = classify_messages(parse_whatsapp(fixture_bytes("android_24h.txt")))
    texts = [c.text for c in result.candidates]
    assert "Ye dekho, Lucknow me 1 tarikh se bijli free" in texts
    assert result.skipped["chatter"] == 2  # "👍" and "thik hai"


def test_ios_export(fixture_bytes):
    result = classify_messages(parse_whatsapp(fixture_bytes("ios_12h.txt")))
    assert result.skipped == {"system": 3, "media": 2, "deleted": 1, "chatter": 2,
                              "too_short": 0, "empty": 0, "too_long": 0}
    (claim,) = result.candidates
    assert claim.text.startswith("Forwarded many times\nURGENT!!!")
    assert result.group_name == "Ward 12 Sewa"


def test_every_reason_is_counted():
    text = (
        "22/11/26, 9:00 am - Messages and calls are end-to-end encrypted.\n"
        "22/11/26, 9:01 am - A: <Media omitted>\n"
        "22/11/26, 9:02 am - A: This message was deleted\n"
        "22/11/26, 9:03 am - A: 🙏\n"
        "22/11/26, 9:04 am - A: Kaun jeeta?\n"
        "22/11/26, 9:05 am - A: \n"
        "22/11/26, 9:06 am - A: " + "सरकार ने आदेश दिया " * 10 + "\n"
        "22/11/26, 9:07 am - A: Sarkar ne 1 December se ration band karne ka order diya hai\n"
    )
    result = classify_messages(parse_whatsapp(text, limits=IntakeLimits(max_message_chars=100)))
    assert result.skipped == dict.fromkeys(SKIP_REASONS, 1)
    assert [c.message.line_no for c in result.candidates] == [8]


def test_overlapping_exports_share_keys():
    first = ("22/11/26, 9:05 pm - Ramesh: Sarkar ne 1 December se ration band kiya, share karo\n"
             "22/11/26, 9:07 pm - Priya: EVM hack ki khabar jhooth hai, chunav aayog ne bataya\n")
    second = ("[22/11/2026, 21:07:33] Priya: EVM hack ki khabar jhooth hai, chunav aayog ne bataya\n"
              "[23/11/2026, 08:00:00] Amit: Kal se petrol 15 rupay sasta hoga, news me aaya hai\n")
    keys = [{c.key for c in classify_messages(parse_whatsapp(t), group="Ward 12").candidates}
            for t in (first, second)]
    assert len(keys[0]) == len(keys[1]) == 2
    assert len(keys[0] & keys[1]) == 1


@pytest.mark.parametrize("a,b,same", [
    (("G", "2026-11-22T21:05:00", "Ramesh", "राशन  बंद\n"), ("G", "2026-11-22T21:05:59", "Ramesh", "राशन बंद"), True),
    (("G", "2026-11-22T21:05:00", "A", "क़"), ("G", "2026-11-22T21:05:00", "A", "क\u093c"), True),
    (("G", "2026-11-22T21:05:00", "A", "x\u200dy"), ("G", "2026-11-22T21:05:00", "A", "xy"), True),
    (("G", "2026-11-22T21:05:00", "A", "x"), ("H", "2026-11-22T21:05:00", "A", "x"), False),
    (("G", "2026-11-22T21:05:00", "A", "x"), ("G", "2026-11-22T21:06:00", "A", "x"), False),
    (("G", "2026-11-22T21:05:00", "A", "x"), ("G", "2026-11-22T21:05:00", "B", "x"), False),
    ((None, "2026-11-22T21:05:00", None, "x"), ("", "2026-11-22T21:05:00", "", "x"), True),
])
def test_message_key(a, b, same):
    assert (message_key(*a) == message_key(*b)) is same
    assert len(message_key(*a)) == 32


def test_validate_claim_normalises_and_keeps_text_verbatim():
    record, is_phone = validate_claim({
        "text": "  <img src=x onerror=alert(1)> EVM hacked  ", "region_code": "up",
        "language": "Hinglish", "sender": "+91 98765 43210", "channel": "WA",
        "source_url": "https://example.com/a?b=1", "seen_at": "22/11/2026 9:05 pm",
    })
    assert record["text"] == "<img src=x onerror=alert(1)> EVM hacked"
    assert (record["region_code"], record["language"], record["channel"]) == ("UP", "hi-Latn",
                                                                              "whatsapp")
    assert record["seen_at"] == "2026-11-22T21:05:00"
    assert (record["sender"], is_phone) == ("+919876543210", True)


@pytest.mark.parametrize("fields,message", [
    ({"text": ""}, "text is empty"),
    ({"text": "x" * 20_001}, "text is 20001 characters long; the limit is 20000"),
    ({"text": "ok", "source_url": "[x](javascript:alert(1))"}, "not an http(s) link"),
    ({"text": "ok", "colour": "red"}, "unknown claim field(s): colour"),
    ({"text": "ok", "region_code": "Mars colony", "language": "xx"}, "region_code 'Mars colony' "
     "is not a region code (like UP or UP-LKO) or the name of a state; language 'xx' is not one of"),
    ({"text": "a\x00b"}, "text contains a NUL character"),
])
def test_validate_claim_rejects(fields, message):
    with pytest.raises(ValidationError) as info:
        validate_claim(fields)
    assert message in str(info.value)
