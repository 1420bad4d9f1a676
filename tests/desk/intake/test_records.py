from datetime import datetime, timedelta, timezone

import pytest

from desk.errors import ValidationError
from desk.intake import CHANNELS, IST, RecordContext, local_to_utc_iso, read_tabular, validate_claim
from desk.intake.records import (
    normalize_channel, normalize_language, normalize_region, normalize_topics, normalize_url,
)

DEMO = RecordContext(region_codes={"UP", "UP-LKO", "RJ", "RJ-JPR"},
                     topics={"polling", "evm", "ration"}, local_tz=IST)


@pytest.mark.parametrize("value,code", [
    ("UP", "UP"), ("up", "UP"), ("IN-UP", "UP"), ("Uttar Pradesh", "UP"), ("उत्तर प्रदेश", "UP"),
    ("यूपी", "UP"), ("rajasthan", "RJ"), ("राजस्थान", "RJ"), ("Delhi", "DL"), ("UP-LKO", "UP-LKO"),
    ("UP-LKO-AC170-SNR-B111", "UP-LKO-AC170-SNR-B111"), (" RJ-JPR ", "RJ-JPR"),
])
def test_region_codes(value, code):
    assert normalize_region(value) == code


@pytest.mark.parametrize("value", ["Uttar Kashi Pur", "लखनऊ शहर", "UP/LKO", "-UP", "x" * 65])
def test_bad_region_codes(value):
    with pytest.raises(ValueError, match="is not a region code"):
        normalize_region(value)


def test_known_regions_and_topics_are_enforced():
    assert normalize_region("Uttar Pradesh", DEMO.region_codes) == "UP"
    with pytest.raises(ValueError, match="'MP' is not a region of this desk"):
        normalize_region("Madhya Pradesh", DEMO.region_codes)
    assert normalize_topics("Polling; EVM, polling", DEMO.topics) == ("polling", "evm")
    with pytest.raises(ValueError, match="'weather' is not a topic of this desk"):
        normalize_topics("polling, weather", DEMO.topics)


@pytest.mark.parametrize("value,channel", [
    ("WhatsApp", "whatsapp"), ("WA", "whatsapp"), ("व्हाट्सएप", "whatsapp"), ("FB", "facebook"),
    ("Twitter", "x"), ("X", "x"), ("YouTube", "youtube"), ("phone call", "phone"),
    ("field-report", "field_report"), ("Field Report", "field_report"),
])
def test_channels(value, channel):
    assert normalize_channel(value) == channel
    assert channel in CHANNELS


def test_unknown_channel_lists_the_choices():
    with pytest.raises(ValueError, match="channel 'Orkut' is not one of whatsapp, facebook, x"):
        normalize_channel("Orkut")


@pytest.mark.parametrize("value,lang", [
    ("Hindi", "hi"), ("हिंदी", "hi"), ("हिन्दी", "hi"), ("english", "en"), ("Hinglish", "hi-Latn"),
    ("hi-Latn", "hi-Latn"), ("mixed", "mixed"),
])
def test_languages(value, lang):
    assert normalize_language(value) == lang


@pytest.mark.parametrize("value,url", [
    ("https://example.com/a", "https://example.com/a"), ("bit.ly/x1", "https://bit.ly/x1"),
    ("www.example.in/p?q=1", "https://www.example.in/p?q=1"),
])
def test_urls(value, url):
    assert normalize_url(value) == url


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,<b>x", "ftp://x.org/a",
                                   "file:///etc/passwd", "http://", "not a url"])
def test_non_http_urls_are_refused(value):
    with pytest.raises(ValueError):
        normalize_url(value)


def test_local_dates_become_utc_with_a_time_zone():
    assert local_to_utc_iso(datetime(2026, 11, 22, 21, 5)) == "2026-11-22T15:35:00Z"
    aware = datetime(2026, 11, 22, 21, 5, tzinfo=timezone(timedelta(hours=1)))
    assert local_to_utc_iso(aware) == "2026-11-22T20:05:00Z"
    record, _ = validate_claim({"text": "x y z", "seen_at": "22/11/2026 21:05"}, context=DEMO)
    assert record["seen_at"] == "2026-11-22T15:35:00Z"
    record, _ = validate_claim({"text": "x y z", "seen_at": "2026-11-22T21:05:00Z"}, context=DEMO)
    assert record["seen_at"] == "2026-11-22T21:05:00Z"


def test_context_turns_unknown_codes_into_line_numbered_row_errors():
    data = ("text,region,topics,date\n"
            "claim one,Uttar Pradesh,polling;evm,22/11/2026 09:00\n"
            "claim two,MP,polling,22/11/2026\n"
            "claim three,RJ-JPR,weather,22/11/2026\n").encode()
    result = read_tabular(data, fmt="csv", context=DEMO)
    assert [str(e) for e in result.errors] == [
        "line 3: region_code 'MP' is not a region of this desk",
        "line 4: topic 'weather' is not a topic of this desk",
    ]
    (row,) = result.rows
    assert (row.record["region_code"], row.topics) == ("UP", ("polling", "evm"))
    assert row.record["seen_at"] == "2026-11-22T03:30:00Z"


def test_json_topic_lists_are_accepted():
    data = '[{"text": "claim", "topics": ["Polling", "EVM"]}]'.encode()
    (row,) = read_tabular(data, fmt="json", context=DEMO).rows
    assert row.topics == ("polling", "evm")
    assert row.record["topic"] == "polling,evm"


def test_validate_claim_with_context_reports_everything_at_once():
    with pytest.raises(ValidationError) as info:
        validate_claim({"text": "", "region_code": "MP", "topic": "weather"}, context=DEMO)
    assert str(info.value) == ("text is empty; region_code 'MP' is not a region of this desk; "
                               "topic 'weather' is not a topic of this desk")
