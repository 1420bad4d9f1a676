from datetime import datetime

import pytest

from desk.errors import ImportFailed
from desk.intake import IntakeLimits, parse_whatsapp

FORMATS = [
    # fixture, platform, clock, date order, assumed, seconds, group, kinds in order
    ("android_12h.txt", "android", 12, "DMY", False, False, "Ward 12 Sewa Samiti",
     "system system system message message message media deleted message message "
     "system system system"),
    ("android_12h_crlf_bom.txt", "android", 12, "DMY", False, False, "Ward 12 Sewa Samiti",
     "system system system message message message media deleted message message "
     "system system system"),
    ("android_24h.txt", "android", 24, "DMY", False, False, None,
     "message message media system message system"),
    ("ios_12h.txt", "ios", 12, "DMY", False, True, "Ward 12 Sewa",
     "system system message message media media deleted message system"),
    ("ios_24h.txt", "ios", 24, "DMY", False, True, None, "message message message"),
    ("us_month_first.txt", "android", 12, "MDY", False, False, None, "message message"),
    ("ambiguous_dates.txt", "android", 12, "DMY", True, False, None, "message message"),
]


@pytest.mark.parametrize("name,platform,clock,order,assumed,seconds,group,kinds", FORMATS)
def test_formats_are_detected(fixture_bytes, name, platform, clock, order, assumed, seconds,
                              group, kinds):
    export = parse_whatsapp(fixture_bytes(name))
    fmt = export.format
    assert (fmt.platform, fmt.clock, fmt.date_order) == (platform, clock, order)
    assert (fmt.date_order_assumed, fmt.seconds) == (assumed, seconds)
    assert export.group_name == group
    assert [m.kind for m in export.messages] == kinds.split()


@pytest.mark.parametrize("name,index,when,sender,is_phone,text,line", [
    ("android_12h.txt", 3, "2026-11-22T09:05:00", "Ramesh Kumar", False,
     "Good morning ji 🙏🌹", 4),
    ("android_12h.txt", 4, "2026-11-22T09:06:00", "सुनीता शर्मा", False, "सुप्रभात 🙏", 5),
    ("android_12h.txt", 5, "2026-11-22T09:10:00", "+919876543210", True,
     "*Forwarded as received*\nBREAKING: सरकार ने 1 दिसंबर से सभी राशन कार्ड रद्द करने का "
     "आदेश दिया है।\nसभी ग्रुप में भेजें 🙏", 6),
    ("android_12h.txt", 8, "2026-11-22T12:30:00", "Amit", False, "ok", 11),
    ("android_24h.txt", 0, "2026-11-22T21:05:00", "Ramesh Kumar", False,
     "Breaking news: EVM machines in Jaipur were hacked, 500 votes shifted. Share karo sabko!", 1),
    ("android_24h.txt", 4, "2026-11-23T07:16:00", "+919123456789", True, "thik hai", 6),
    ("ios_12h.txt", 2, "2026-11-22T09:07:45", "Ramesh Kumar", False, "Good morning 🌞", 3),
    ("ios_12h.txt", 3, "2026-11-22T09:08:03", "Suresh", False,
     "Forwarded many times\nURGENT!!! From 1st December new rule: WhatsApp will be monitored "
     "by the government. Don't send political messages. Please share with all groups.", 4),
    ("ios_12h.txt", 5, "2026-11-22T21:10:00", "Ramesh Kumar", False,
     "<attached: 00000012-PHOTO-2026-11-20-21-10-00.jpg>", 7),
    ("ios_12h.txt", 7, "2026-11-22T23:59:59", "Suresh", False,
     "I left the meeting early, sorry", 9),
    ("ios_12h.txt", 8, "2026-11-23T00:00:01", None, False, "Suresh left", 10),
    ("ios_24h.txt", 2, "2026-11-23T08:00:00", "सुनीता शर्मा", False, "जय श्री राम 🙏🙏", 3),
    ("us_month_first.txt", 0, "2026-11-22T21:05:00", "Bob", False,
     "Polls close at 6pm, anyone in line can still vote", 1),
    ("ambiguous_dates.txt", 0, "2026-02-01T09:05:00", "Ramesh", False, "पहला संदेश", 1),
])
def test_messages_are_parsed(fixture_bytes, name, index, when, sender, is_phone, text, line):
    msg = parse_whatsapp(fixture_bytes(name)).messages[index]
    assert msg.iso == when
    assert msg.timestamp == datetime.fromisoformat(when)
    assert (msg.sender, msg.sender_is_phone) == (sender, is_phone)
    assert msg.text == text
    assert msg.line_no == line


def test_invisible_marks_never_reach_text_or_sender(fixture_bytes):
    for name in ("ios_12h.txt", "android_12h.txt", "android_24h.txt"):
        for msg in parse_whatsapp(fixture_bytes(name)).messages:
            for value in (msg.text, msg.sender or ""):
                assert not set(value) & set("\u200e\u200f\u202a\u202c")


def test_system_lines_keep_no_phone_numbers(fixture_bytes):
    export = parse_whatsapp(fixture_bytes("android_12h.txt"))
    joined = export.messages[2]
    assert joined.kind == "system" and joined.sender is None
    assert joined.text == "[phone] joined using this group's invite link"


def test_media_keeps_attachment_and_caption(fixture_bytes):
    media = parse_whatsapp(fixture_bytes("android_24h.txt")).messages[2]
    assert media.kind == "media"
    assert media.attachment == "IMG-20261122-WA0007.jpg"
    assert media.caption == "Ye dekho, Lucknow me 1 tarikh se bijli free"
    assert media.content == media.caption
    assert media.flags == ("multiline", "caption")
    bare = parse_whatsapp(fixture_bytes("ios_12h.txt")).messages[4]
    assert (bare.kind, bare.attachment, bare.content) == ("media", "image omitted", "")


def test_edited_marker_is_a_flag_not_text(fixture_bytes):
    msg = parse_whatsapp(fixture_bytes("android_12h.txt")).messages[9]
    assert msg.text == "Kal se petrol 15 rupay sasta hoga, news me aaya hai"
    assert "edited" in msg.flags


def test_multiline_message_keeps_blank_lines_and_header_like_text(fixture_bytes):
    export = parse_whatsapp(fixture_bytes("multiline.txt"))
    assert len(export.messages) == 2
    first = export.messages[0]
    assert first.text == "पहली पंक्ति\nदूसरी पंक्ति\n\n22/11/2026 के बाद - यह पंक्ति हेडर नहीं है"
    assert (first.line_no, first.end_line) == (1, 4)
    assert "multiline" in first.flags


def test_ambiguous_dates_are_reported(fixture_bytes):
    export = parse_whatsapp(fixture_bytes("ambiguous_dates.txt"))
    assert any("assumed day-first" in w for w in export.warnings)
    assert not parse_whatsapp(fixture_bytes("android_24h.txt")).warnings


def test_month_first_is_inferred_from_message_order():
    text = ("01/31/26, 9:00 am - A: one\n"  # decides nothing alone: 31 is the second field
            "02/01/26, 9:00 am - A: two\n")
    export = parse_whatsapp(text)
    assert export.format.date_order == "MDY"
    assert export.format.date_order_assumed is False


def test_month_first_from_order_alone_is_flagged_as_assumed():
    text = "02/01/26, 9:00 am - A: one\n03/01/26, 9:00 am - A: two\n01/02/26, 9:00 am - A: x\n"
    export = parse_whatsapp(text)
    # DMY would run backwards twice (2 Jan, 3 Jan, 1 Feb is forwards; MDY: Feb 1, Mar 1, Jan 2).
    assert export.format.date_order == "DMY"
    assert export.format.date_order_assumed is True


def test_dates_mixing_orders_are_refused():
    text = "22/11/26, 9:00 am - A: one\n11/23/26, 9:00 am - A: two\n"
    with pytest.raises(ImportFailed, match="line 1 is day-first, line 2 month-first"):
        parse_whatsapp(text)


@pytest.mark.parametrize("line,when", [
    ("22/11/26, 9:05 pm - A: x", "2026-11-22T21:05:00"),
    ("22/11/26, 9:05\u202fpm - A: x", "2026-11-22T21:05:00"),
    ("22/11/26, 9:05 p.m. - A: x", "2026-11-22T21:05:00"),
    ("22/11/26, 9:05 P.M. - A: x", "2026-11-22T21:05:00"),
    ("22/11/26, 12:05 am - A: x", "2026-11-22T00:05:00"),
    ("22/11/26, 12:05 pm - A: x", "2026-11-22T12:05:00"),
    ("22/11/2026, 21:05 - A: x", "2026-11-22T21:05:00"),
    ("22.11.26, 21:05 - A: x", "2026-11-22T21:05:00"),
    ("22-11-2026, 21:05 - A: x", "2026-11-22T21:05:00"),
    ("22/11/2026 21:05 - A: x", "2026-11-22T21:05:00"),
    ("2026-11-22, 21:05 - A: x", "2026-11-22T21:05:00"),
    ("[22/11/26, 9:05:12 PM] A: x", "2026-11-22T21:05:12"),
    ("[22/11/26, 9:05:12\u202fPM] A: x", "2026-11-22T21:05:12"),
    ("\u200e[22/11/2026, 21:05:12] A: \u200ex", "2026-11-22T21:05:12"),
    ("[22/11/26, 9:05 AM] A: x", "2026-11-22T09:05:00"),
    ("[22.11.26, 21:05:12] A: x", "2026-11-22T21:05:12"),
])
def test_header_variants(line, when):
    (msg,) = parse_whatsapp(line + "\n").messages
    assert (msg.iso, msg.sender, msg.text) == (when, "A", "x")


@pytest.mark.parametrize("text,line", [
    ("name,claim\nRamesh,EVM hacked\n", 1),
    ("\n\nHello everyone\n22/11/26, 9:05 am - A: b\n", 3),
    ("<html><body>22/11/26</body></html>\n", 1),
    ("[22/11/26] A: x\n", 1),
    ("22/11/26 - A: x\n", 1),
    ("22/11/226, 9:05 am - A: x\n", 1),
])
def test_unrecognised_files_name_the_line(text, line):
    with pytest.raises(ImportFailed) as info:
        parse_whatsapp(text)
    assert info.value.line == line
    assert "not a WhatsApp chat export" in str(info.value)


@pytest.mark.parametrize("text,message", [
    ("", "the file is empty"),
    ("\n\n  \n", "the file is empty"),
    ("31/02/26, 9:05 am - A: x\n", "line 1: the date or time of this message is impossible"),
    ("22/11/26, 13:05 pm - A: x\n", "line 1: the date or time"),
    ("22/11/26, 9:05 am - A: x\n22/11/26, 25:05 - A: y\n", "line 2: the date or time"),
])
def test_impossible_or_empty_input_fails(text, message):
    with pytest.raises(ImportFailed, match=message):
        parse_whatsapp(text)


@pytest.mark.parametrize("name,message", [
    ("android_utf16.txt", "UTF-16 text, not UTF-8"),
    ("android_cp1252.txt", "line 12: not valid UTF-8 (byte 0x92)"),
])
def test_wrong_encodings_are_refused(fixture_bytes, name, message):
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_whatsapp(fixture_bytes(name))


def test_message_limit_names_the_line():
    text = "".join(f"22/11/26, 9:{i:02d} am - A: message {i}\n" for i in range(10))
    assert len(parse_whatsapp(text, limits=IntakeLimits(max_messages=10)).messages) == 10
    with pytest.raises(ImportFailed, match="line 10: the export has more than 9 messages"):
        parse_whatsapp(text, limits=IntakeLimits(max_messages=9))


def test_size_limit_applies_to_text_and_bytes():
    text = "22/11/26, 9:05 am - A: " + "x" * 200 + "\n"
    with pytest.raises(ImportFailed, match="over the 100 bytes limit"):
        parse_whatsapp(text, limits=IntakeLimits(max_upload_bytes=100))
    with pytest.raises(ImportFailed, match="over the 100 bytes limit"):
        parse_whatsapp(text.encode(), limits=IntakeLimits(max_upload_bytes=100))


def test_overlong_message_is_flagged_and_reported_not_fatal():
    text = ("22/11/26, 9:05 am - A: " + "क" * 50 + "\n"
            "22/11/26, 9:06 am - B: short\n")
    export = parse_whatsapp(text, limits=IntakeLimits(max_message_chars=40))
    assert export.messages[0].flags == ("too_long",)
    assert export.messages[0].text == "क" * 50
    assert export.warnings == ["1 message(s) longer than 40 characters will not become "
                               "claims (lines 1)."]


@pytest.mark.parametrize("body,kind,sender", [
    ("Ramesh: This message was deleted", "deleted", "Ramesh"),
    ("Ramesh: You deleted this message", "deleted", "Ramesh"),
    ("Ramesh: <Media omitted>", "media", "Ramesh"),
    ("Ramesh: sticker omitted", "media", "Ramesh"),
    ("Ramesh: location: https://maps.google.com/?q=26.8,80.9", "media", "Ramesh"),
    ("Ramesh: report.pdf (file attached)", "media", "Ramesh"),
    ("Ramesh: Missed voice call", "system", None),
    ("Ramesh joined using this group's invite link", "system", None),
    ("Ramesh added Suresh", "system", None),
    ("Ramesh removed Suresh", "system", None),
    ("Ramesh left", "system", None),
    ("Ramesh changed this group's icon", "system", None),
    ("Ramesh changed the subject from \"A: B\" to \"C: D\"", "system", None),
    ("Ramesh's security code changed. Tap to learn more.", "system", None),
    ("Messages and calls are end-to-end encrypted. Tap to learn more.", "system", None),
    ("Ramesh changed their phone number to a new number. Tap to message or add the new number.",
     "system", None),
    ("Ramesh: I left the booth at 5", "message", "Ramesh"),
    ("Ramesh: Suresh added 2 new members lol", "message", "Ramesh"),
    ("Ramesh: <script>alert(1)</script>", "message", "Ramesh"),
    ("Ramesh: [x](javascript:alert(1)) <img src=x onerror=alert(1)>", "message", "Ramesh"),
])
def test_android_line_kinds(body, kind, sender):
    (msg,) = parse_whatsapp(f"22/11/26, 9:05 am - {body}\n").messages
    assert (msg.kind, msg.sender) == (kind, sender)
    if kind == "message":
        assert msg.text == body.split(": ", 1)[1]  # hostile text kept verbatim


def test_ios_loose_events_need_whatsapps_mark():
    marked = parse_whatsapp("[22/11/26, 9:05:00 AM] Group: \u200eRamesh added Suresh\n")
    typed = parse_whatsapp("[22/11/26, 9:05:00 AM] Ramesh: Ramesh added Suresh\n")
    assert marked.messages[0].kind == "system"
    assert marked.group_name == "Group"
    assert (typed.messages[0].kind, typed.messages[0].sender) == ("message", "Ramesh")


@pytest.mark.parametrize("filename,group", [
    ("WhatsApp Chat with Ward 12 Sewa.txt", "Ward 12 Sewa"),
    ("WhatsApp Chat with Ward 12 Sewa (2).txt", "Ward 12 Sewa"),
    ("WhatsApp Chat - भाजपा मंडल.zip", "भाजपा मंडल"),
    ("किसान मंच के साथ WhatsApp चैट.txt", "किसान मंच"),
    ("C:\\Users\\x\\Downloads\\WhatsApp Chat with Ward 7.txt", "Ward 7"),
    ("chat.txt", None),
])
def test_group_name_from_filename(filename, group):
    export = parse_whatsapp("22/11/26, 9:05 am - A: x\n", filename=filename)
    assert export.group_name == group


@pytest.mark.parametrize("raw,sender,is_phone", [
    ("\u202a+91 98765 43210\u202c", "+919876543210", True),
    ("+91 98765-43210", "+919876543210", True),
    ("098765 43210", "09876543210", True),
    ("~\u202fRamesh Yadav", "Ramesh Yadav", False),
    ("सुनीता  शर्मा", "सुनीता शर्मा", False),
    ("Ramesh 2", "Ramesh 2", False),
    ("Bhai 007", "Bhai 007", False),
])
def test_senders(raw, sender, is_phone):
    (msg,) = parse_whatsapp(f"22/11/26, 9:05 am - {raw}: namaste\n").messages
    assert (msg.sender, msg.sender_is_phone) == (sender, is_phone)


def test_str_input_with_bom_is_accepted(fixture_bytes):
    text = fixture_bytes("android_24h.txt").decode()
    assert parse_whatsapp("\ufeff" + text).messages == parse_whatsapp(text).messages


@pytest.mark.parametrize("name,line", [("not_whatsapp.txt", 1), ("header_then_garbage.txt", 3)])
def test_unrecognised_fixture_files_name_the_line(fixture_bytes, name, line):
    with pytest.raises(ImportFailed) as info:
        parse_whatsapp(fixture_bytes(name), filename=name)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}: not a WhatsApp chat export")
