from __future__ import annotations

import pytest

from desk.publish.detect import confusable_words, has_markup


@pytest.mark.parametrize("text,flagged", [
    ("Free ration for all", []),
    ("मुफ्त राशन सबको मिलेगा", []),
    ("Mоdi ji ne kaha", ["Mоdi"]),  # Cyrillic о inside a Latin word
    ("Visit pаytm support", ["pаytm"]),  # Cyrillic а
    ("Elесtion Commission notice", ["Elесtion"]),
    ("ΑΡΙ key leak today", ["ΑΡΙ"]),  # Greek capitals only: a disguised Latin word
    ("рау now or lose your card", ["рау"]),  # all-Cyrillic look-alikes in English text
    ("राशनсार्ड बंद", ["राशनсार्ड"]),  # Cyrillic inside a Devanagari word
    ("Привет, как дела? Это обычный русский текст.", []),  # genuine Russian is not a spoof
    ("Greek: Αθήνα is a city", []),  # Greek word with letters that are not look-alikes
])
def test_confusable_words(text, flagged):
    assert confusable_words(text) == flagged


def test_each_confusable_word_is_reported_once():
    assert confusable_words("Mоdi Mоdi Mоdi") == ["Mоdi"]


@pytest.mark.parametrize("text,found", [
    ("<script>alert(1)</script>", True),
    ("< SCRIPT src=//x>", True),
    ("<img src=x onerror=alert(1)>", True),
    ("[click](javascript:alert(1))", True),
    ("![](https://tracker.example/p.png)", True),
    ("<iframe src=https://x>", True),
    ("data:text/html;base64,PHNjcmlwdD4=", True),
    ('<a href="x" onclick="steal()">', True),
    ("₹500 < ₹1000 and 3 > 2", False),
    ("राशन कार्ड रद्द नहीं होंगे", False),
    ("Read more at https://eci.gov.in", False),
    ("reason: online = fast", False),
])
def test_has_markup(text, found):
    assert has_markup(text) is found
