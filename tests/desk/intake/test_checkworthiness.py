import json

import pytest
from hypothesis import given, strategies as st

from desk.intake import CLAIM_THRESHOLD, SIGNAL_WEIGHTS, assess
from desk.intake.checkworthiness import BASE

CHATTER = [
    # text, reason, signals
    ("", "empty", []),
    ("   \n\t ", "empty", []),
    ("\u200e\u200f", "empty", []),
    ("👍", "chatter", ["emoji_only"]),
    ("🙏🙏", "chatter", ["emoji_only"]),
    ("!!! ...", "chatter", ["emoji_only"]),
    ("<Media omitted>", "chatter", ["media_only"]),
    ("image omitted", "chatter", ["media_only"]),
    ("ok", "chatter", ["acknowledgement"]),
    ("okkkk", "chatter", ["acknowledgement"]),
    ("ji", "chatter", ["acknowledgement"]),
    ("haan", "chatter", ["acknowledgement"]),
    ("thik hai", "chatter", ["acknowledgement"]),
    ("Thank you so much sir", "chatter", ["acknowledgement"]),
    ("thanks 🙏", "chatter", ["acknowledgement"]),
    ("hahaha", "chatter", ["laughter"]),
    ("gm", "chatter", ["greeting"]),
    ("Good morning ji 🙏🌹", "chatter", ["greeting"]),
    ("Gooood morning all", "chatter", ["greeting"]),
    ("सुप्रभात 🙏", "chatter", ["greeting"]),
    ("जय श्री राम 🙏🙏", "chatter", ["greeting"]),
    ("Jai Shree Ram", "chatter", ["greeting"]),
    ("Radhe Radhe 🌸", "chatter", ["greeting"]),
    ("शुभ रात्रि मित्रों", "chatter", ["greeting"]),
    ("Happy birthday Ramesh bhai 🎂🎉 bahut bahut badhai", "chatter", ["greeting"]),
    ("जन्मदिन की हार्दिक शुभकामनाएं सुनीता दीदी", "chatter", ["greeting"]),
    ("Happy Diwali to all my friends and family 🪔", "chatter", ["greeting"]),
    ("Congratulations Amit on your new job!", "chatter", ["greeting"]),
    ("Namaste sabko", "chatter", ["greeting"]),
    ("Kya hua?", "too_short", []),
    ("Kaun jeeta?", "too_short", []),
    ("sahi baat hai", "chatter", ["acknowledgement"]),
    ("kal meeting kitne baje hai?", "chatter", []),
    ("Ruko, baad me baat karte hai", "chatter", []),
]


@pytest.mark.parametrize("text,reason,signals", CHATTER)
def test_chatter_is_never_a_claim(text, reason, signals):
    verdict = assess(text)
    assert not verdict.is_claim
    assert verdict.reason == reason
    assert verdict.signals == signals
    assert verdict.score < CLAIM_THRESHOLD


CLAIMS = [
    # Hindi
    ("*फॉरवर्ड* BREAKING: सरकार ने 1 दिसंबर से सभी राशन कार्ड रद्द करने का आदेश दिया है। "
     "सभी ग्रुप में भेजें",
     {"forwarded", "share_request", "urgency", "official_source", "civic_topic", "number", "date"}),
    ("कानपुर के हैलट अस्पताल की एमआरआई मशीन खराब है, छह महीने तक जांच नहीं होगी।",
     {"place", "number", "assertion", "civic_topic"}),
    ("यह वीडियो वायरल है, क्या यह सच है कि अजमेर में दूध ₹10 महंगा हो गया?",
     {"viral", "verification_request", "place", "number"}),
    # Hinglish
    ("Kal se petrol 15 rupay sasta hoga, news me aaya hai", {"number", "date", "assertion"}),
    ("UP me budhapa pension ab 3000 rupay mahina ho gayi h, sach hai?",
     {"place", "civic_topic", "number", "verification_request"}),
    ("Bijli bill maaf!! sirf ₹99 me, bit.ly/bjl-maafi99 pe apply karo aur share karo sabko",
     {"link", "share_request", "number", "emphasis"}),
    # English
    ("Forwarded as received: EVM machines in Jaipur were hacked, 500 votes shifted. Please share",
     {"forwarded", "share_request", "civic_topic", "number", "place", "assertion"}),
    ("URGENT!!! From 1st December WhatsApp will be monitored by the government",
     {"urgency", "official_source", "date", "assertion", "emphasis"}),
    ("Can we vote from home using the Voter Helpline app or WhatsApp in this election?",
     {"civic_topic", "long"}),
]


@pytest.mark.parametrize("text,expected", CLAIMS)
def test_assertions_are_claims_with_their_signals(text, expected):
    verdict = assess(text)
    assert verdict.is_claim, verdict
    assert verdict.reason is None
    assert expected <= set(verdict.signals), verdict.signals
    assert verdict.score >= CLAIM_THRESHOLD


def test_score_is_base_plus_the_weights_of_the_signals():
    verdict = assess("Kal se petrol 15 rupay sasta hoga, news me aaya hai")
    assert verdict.signals == ["urgency", "civic_topic", "assertion", "number", "date"]
    assert verdict.score == pytest.approx(BASE + sum(SIGNAL_WEIGHTS[s] for s in verdict.signals))


def test_more_signals_never_lower_the_score():
    plain = assess("Delhi me internet band rahega")
    louder = assess("BREAKING!! Delhi me internet band rahega, sarkar ne order diya, share karo")
    assert set(plain.signals) < set(louder.signals)
    assert louder.score > plain.score


def test_greeting_carrying_a_claim_is_a_claim():
    verdict = assess("Good morning! Breaking: sarkar ne kal se petrol free kar diya, share karo")
    assert verdict.is_claim
    assert "greeting" not in verdict.signals


def test_hostile_markup_does_not_break_scoring():
    verdict = assess("<script>alert(1)</script> EVM hacked in 200 booths of Lucknow, share karo")
    assert verdict.is_claim


def test_hi_dev_queries_are_claims(bench_dir):
    queries = [json.loads(line) for line in
               (bench_dir / "hi-dev" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    claims = [q for q in queries if assess(q["text"]).is_claim]
    # Every query there is an assertion someone forwarded; allow a few misses.
    assert len(claims) / len(queries) >= 0.95


@given(st.text(max_size=300))
def test_assess_is_total_and_bounded(text):
    verdict = assess(text)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.is_claim == (verdict.reason is None)
    assert set(verdict.signals) <= set(SIGNAL_WEIGHTS) | {
        "greeting", "acknowledgement", "emoji_only", "laughter", "media_only"}


@pytest.mark.parametrize("text,forwarded", [
    ("*Forwarded as received*\nEVM hacked in 200 booths of Jaipur", True),
    ("EVM hacked in 200 booths of Jaipur. Forwarded many times", True),
    ("FWD: EVM hacked in 200 booths of Jaipur", True),
    ("जैसा मिला वैसा भेजा\nबिजली बिल सिर्फ 99 रुपये में माफ होगा", True),
    ("मुझे भी फॉरवर्ड ही आया था, पता नहीं सच है या नहीं", False),
    ("Isko forwarded message mat samjho, maine khud dekha Jaipur me EVM kharab tha", False),
])
def test_forward_markers_count_only_at_the_edge_of_a_line(text, forwarded):
    assert ("forwarded" in assess(text).signals) is forwarded


@pytest.mark.parametrize("text", ["kal shaam 5 baje", "Main 5 min me aa raha hu",
                                  "Lucknow 12 baje pahunchenge"])
def test_figures_and_dates_alone_are_arrangements_not_claims(text):
    verdict = assess(text)
    assert not verdict.is_claim
    assert verdict.reason == "chatter"
    assert {"civic_topic", "assertion", "long"}.isdisjoint(verdict.signals)
