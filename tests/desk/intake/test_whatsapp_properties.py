"""Property tests: the parser fails only with ImportFailed, and rendering round-trips."""
from datetime import datetime

from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from desk.errors import ImportFailed
from desk.intake import message_key, normalize_sender, parse_whatsapp
from desk.intake.whatsapp_lines import (
    ANDROID_HEADER, DELETED, EDITED_SUFFIX, IOS_HEADER, MEDIA_FIRST_LINE, system_match,
)

PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- never anything but ImportFailed ----------------------------------------

header_bits = st.one_of(
    st.sampled_from(["22/11/26, 9:05 pm - ", "[22/11/26, 9:05:12\u202fPM] ", "13/13/13, 13:61 - ",
                     "[2026-11-22, 21:05:00] ", "00/00/00, 0:00 am - ", "99.99.9999, 99:99 - ",
                     "31/02/2026, 12:00 - ", "[1/1/1, 1:1] ", "\u200e[", "A: ", ": ", "~\u202f"]),
    st.from_regex(r"\[?\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4},? \d{1,2}[:.]\d{2}(:\d{2})?( ?[ap]\.?m\.?)?\]?( - )?",
                  fullmatch=True),
)
lines = st.lists(st.one_of(st.text(max_size=40), st.tuples(header_bits, st.text(max_size=30)).map("".join)),
                 max_size=12).map("\n".join)


@PROPS
@given(st.one_of(st.text(max_size=300), lines))
def test_any_text_parses_or_fails_with_import_failed(text):
    try:
        export = parse_whatsapp(text)
    except ImportFailed as exc:
        assert str(exc)
        return
    assert export.messages
    for msg in export.messages:
        assert msg.kind in ("message", "media", "system", "deleted")
        assert 1 <= msg.line_no <= msg.end_line <= export.line_count


@PROPS
@given(st.one_of(st.binary(max_size=300), lines.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_bytes_parse_or_fail_with_import_failed(data):
    try:
        parse_whatsapp(data, filename="x.txt")
    except ImportFailed as exc:
        assert str(exc)


# --- round trip ---------------------------------------------------------------

_WORD_CHARS = "abcdeXYZ कखगमनहि्ािीु0123456789.,!?:-<>/@#*_()'\"🙏👍🌹"
words = st.text(alphabet=_WORD_CHARS, min_size=1, max_size=8)
text_line = st.lists(words, min_size=1, max_size=6).map(" ".join)
texts = st.lists(text_line, min_size=1, max_size=3).map("\n".join)
names = st.lists(st.text(alphabet="abcXYZ कखगमनहि्ािीु", min_size=1, max_size=8)
                 .map(str.strip).filter(bool), min_size=1, max_size=3).map(" ".join)
phones = st.tuples(st.integers(6, 9), st.integers(0, 9999), st.integers(0, 99999)).map(
    lambda t: f"+91 {t[0]}{t[1]:04d} {t[2]:05d}")
senders = st.one_of(names, phones)
times = st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2040, 12, 31))

STYLES = st.fixed_dictionaries({
    "platform": st.sampled_from(["android", "ios"]),
    "clock": st.sampled_from([12, 24]),
    "seconds": st.booleans(),
    "order": st.sampled_from(["DMY", "MDY"]),
    "sep": st.sampled_from(["/", ".", "-"]),
    "year4": st.booleans(),
    "ampm": st.sampled_from([("am", "pm"), ("AM", "PM"), ("a.m.", "p.m.")]),
    "space": st.sampled_from([" ", "\u202f", "\u00a0"]),
    "lrm": st.booleans(),
})


def render_header(when: datetime, style: dict) -> str:
    year = f"{when.year}" if style["year4"] else f"{when.year % 100:02d}"
    d, m = when.day, when.month
    first, second = (d, m) if style["order"] == "DMY" else (m, d)
    date = f"{first}{style['sep']}{second}{style['sep']}{year}"
    if style["clock"] == 12:
        hour = when.hour % 12 or 12
        clock = f"{hour}:{when.minute:02d}"
    else:
        clock = f"{when.hour:02d}:{when.minute:02d}"
    if style["seconds"]:
        clock += f":{when.second:02d}"
    if style["clock"] == 12:
        clock += style["space"] + style["ampm"][when.hour >= 12]
    if style["platform"] == "ios":
        return ("\u200e" if style["lrm"] else "") + f"[{date}, {clock}] "
    return f"{date}, {clock} - "


def render(messages, style) -> str:
    return "".join(f"{render_header(w, style)}{s}: {t}\n" for w, s, t in messages)


def plain_message(sender: str, text: str) -> bool:
    """Generated text that WhatsApp itself would never write as a marker or event."""
    first = text.split("\n")[0].strip()
    rest = f"{sender}: {text}"
    return (system_match(text, trusted=True) is None and system_match(rest, trusted=False) is None
            and not DELETED.fullmatch(text.strip()) and not MEDIA_FIRST_LINE.fullmatch(first)
            and not EDITED_SUFFIX.search(text)
            and not any(ANDROID_HEADER.match(l) or IOS_HEADER.match(l) for l in text.split("\n")[1:]))


def without_trailing_blank_lines(text: str) -> str:
    """Blank lines at the end of a message cannot be told from the blank lines an
    export ends with, so the parser drops them (the first line always stays)."""
    lines = text.split("\n")
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


@PROPS
@example([(datetime(2020, 1, 2, 3, 4), "Asha", "0\n ")],
         dict(platform="android", clock=24, seconds=False, order="DMY", sep="/", year4=True,
              ampm=("am", "pm"), space=" ", lrm=False))
@given(st.lists(st.tuples(times, senders, texts), min_size=1, max_size=8), STYLES)
def test_rendered_messages_parse_back(messages, style):
    assume(all(plain_message(s, t) for _, s, t in messages))
    messages = sorted(messages, key=lambda m: m[0])
    if style["order"] == "MDY":
        # Month-first needs one deciding date, as in a real export (a day above 12).
        messages.insert(0, (datetime(2009, 12, 20, 10, 0, 0), "Asha", "pehla"))
    export = parse_whatsapp(render(messages, style))
    assert export.format.platform == style["platform"]
    assert export.format.date_order == style["order"]
    got = [(m.timestamp, m.sender, m.text, m.kind) for m in export.messages]
    want = []
    for when, sender, text in messages:
        if not style["seconds"]:
            when = when.replace(second=0)
        want.append((when.replace(microsecond=0), normalize_sender(sender)[0],
                     without_trailing_blank_lines(text), "message"))
    assert got == want


@PROPS
@given(st.lists(st.tuples(times, senders, texts), min_size=1, max_size=5))
def test_keys_agree_between_android_and_ios_exports(messages):
    assume(all(plain_message(s, t) for _, s, t in messages))
    messages = sorted(messages, key=lambda m: m[0])
    android = dict(platform="android", clock=12, seconds=False, order="DMY", sep="/",
                   year4=False, ampm=("am", "pm"), space="\u202f", lrm=False)
    ios = dict(android, platform="ios", clock=24, seconds=True, year4=True, lrm=True)
    keys = []
    for style in (android, ios):
        export = parse_whatsapp(render(messages, style))
        keys.append([message_key("Ward 12", m.timestamp, m.sender, m.text) for m in export.messages])
    assert keys[0] == keys[1]
    assert len(keys[0]) == len(messages)
