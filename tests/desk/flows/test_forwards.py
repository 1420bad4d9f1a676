"""Near-identical forwards: decoration and typos fold, different claims never do."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from desk.services.forwards import (
    core_text, is_decoration, negation_words, place_words, typo_leaders,
)
from index.normalize import normalize

CLAIM = ("Sarkar ne 1 December se un sabhi parivaron ke ration card radd karne ka aadesh diya "
         "hai jinhone e-KYC nahi karaya")


def key(text: str) -> str:
    return normalize(text).key


@pytest.mark.parametrize("decorated", [
    "Forwarded as received\n" + CLAIM,
    "*Forwarded as received*\n\n" + CLAIM + "\nSabhi group me share karo",
    "URGENT!!! " + CLAIM,
    "🚨🚨 BREAKING: " + CLAIM + " 🙏🙏",
    "ब्रेकिंग: " + CLAIM + "\nसभी ग्रुप में भेजें 🙏",
    CLAIM + "\nPlease share with family and friends 🙏",
    "FWD:\n" + CLAIM + "\nजैसा मिला वैसा भेजा",
])
def test_decoration_does_not_change_the_core(decorated):
    assert key(core_text(decorated)) == key(CLAIM)


@pytest.mark.parametrize("line,expected", [
    ("Sabhi group me share karo", True),
    ("Forwarded as received", True),
    ("", True),
    ("🙏🙏🙏", True),
    ("nahi hoga", False),                  # a negation is content
    ("Kal se lagu", False),                # so is a date
    ("Share karo, 500 rupaye milenge", False),  # and a figure
    ("Urgent meeting of the ward committee about the water supply tomorrow", False),
])
def test_what_counts_as_decoration(line, expected):
    assert is_decoration(line) is expected


@pytest.mark.parametrize("text", [
    "Urgent meeting kal shaam 5 baje, sab aayein",      # "Urgent" is a word here, not a shout
    "Forwarded\n\n",                                     # nothing but decoration: kept whole
    CLAIM,
])
def test_core_keeps_content(text):
    core = core_text(text)
    assert core.strip()
    if text.strip() != "Forwarded":
        assert "Urgent" in core or core == text or CLAIM in core


PLACES = place_words(normalize)
NEGATIONS = negation_words(normalize)


@pytest.mark.parametrize("a,b,same", [
    (CLAIM, CLAIM.replace("Sarkar", "Sarakr"), True),                # swapped letters
    (CLAIM, CLAIM.replace("parivaron", "parivarron"), True),         # doubled letter
    (CLAIM, CLAIM.replace("sabhi", "sbhi").replace("ration", "rtion"), True),   # two drops
    (CLAIM, CLAIM.replace("sabhi", "sabhu"), False),                 # a substituted letter
    (CLAIM, CLAIM.replace("1 December", "10 December"), False),      # another figure
    (CLAIM, CLAIM.replace("nahi karaya", "karaya"), False),          # a word less
    ("Kanpur me 3 din internet band rahega", "Jaipur me 3 din internet band rahega", False),
    ("Scientists warn of a 7.5 magnitude earthquake in Delhi-NCR at 2 am tonight",
     "Scientists warn of a 7.5 magnitude earthquake in Dehli-NCR at 2 a tonight", True),
    ("Scientists warn of a 7.5 magnitude earthquake in Delhi-NCR at 2 am tonight",
     "Scientists warn of a 7.5 magnitude earthquake in Jaipur-NCR at 2 am tonight", False),
    ("Scientists warn of a 7.5 magnitude earthquake in Delhi at 2 am tonight",
     "Scientists warn of no 7.5 magnitude earthquake in Delhi at 2 am tonight", False),
    ("Lucknow ke hospital me bachcha chor giroh pakda gaya",
     "Lucknow ke hospital me bachcha chor giroh pakad gaya", True),   # swapped letters
    ("Lucknow ke hospital me bachcha chor giroh pakda gaya",
     "Lucknow ke hospital me bachchi chor giroh pakda gaya", False),  # another word
])
def test_typo_variants(a, b, same):
    leaders = typo_leaders([key(a), key(b)], PLACES, NEGATIONS)
    assert leaders == [None, 0 if same else None]


def test_leaders_never_chain():
    base = key(CLAIM)
    words = base.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and not any(c.isdigit() for c in w)]
    variants = [base]
    current = words[:]
    for i in long_words[:5]:  # each step one more word with a typo
        current = current[:]
        current[i] = current[i][1:] + current[i][0] if len(current[i]) > 8 else current[i] + "x"
        variants.append(" ".join(current))
    leaders = typo_leaders(variants, PLACES, NEGATIONS)
    for n, lead in enumerate(leaders):
        assert lead is None or leaders[lead] is None   # points at a leader, never a member
    assert leaders[1] == 0 and any(lead is None for lead in leaders[4:])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh 0123", min_size=1, max_size=40), min_size=1,
                max_size=20))
def test_typo_leaders_is_well_formed(keys):
    leaders = typo_leaders(keys)
    assert len(leaders) == len(keys)
    for n, lead in enumerate(leaders):
        if lead is not None:
            assert lead < n and leaders[lead] is None
            assert len(keys[lead].split()) == len(keys[n].split())
            digits = lambda k: [w for w in k.split() if any(c.isdigit() for c in w)]  # noqa: E731
            assert digits(keys[lead]) == digits(keys[n])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_core_text_never_invents_text(text):
    core = core_text(text)
    assert core == text or all(line in text for line in core.splitlines())
