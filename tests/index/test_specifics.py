"""Numbers, dates and places decide between near misses."""
from __future__ import annotations

import pytest

from index.analysis import analyze
from index.glossary import load_glossary
from index.specifics import compare


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


def spec(g, text):
    return analyze(text, g).specifics


@pytest.mark.parametrize("text", [
    "₹25,000 की छात्रवृत्ति", "25000 rupaye", "25 hazar milenge", "पच्चीस हजार रुपये", "25k scholarship",
    "Rs 25,000 scholarship", "२५००० रुपये",
])
def test_amounts_in_every_spelling(glossary, text):
    assert 25000 in spec(glossary, text).numbers


@pytest.mark.parametrize("text,value", [
    ("1.5 lakh ka loan", 150000), ("डेढ़ लाख रुपये", 150000), ("5,00,000 padd", 500000),
    ("ढाई लाख", 250000), ("2 crore", 2e7), ("साढ़े तीन हजार", 3500), ("three thousand people", 3000),
])
def test_indian_number_words_and_multipliers(glossary, text, value):
    assert value in spec(glossary, text).numbers


@pytest.mark.parametrize("text", ["1 अप्रैल से", "अप्रैल की पहली तारीख से", "1st April se", "from April 1"])
def test_dates_in_both_scripts(glossary, text):
    s = spec(glossary, text)
    assert 4 in s.months and 1 in s.numbers


def test_may_as_a_verb_is_not_a_month(glossary):
    assert not spec(glossary, "This may be false").months
    assert 5 in spec(glossary, "from 5 May").months


def test_places_from_the_gazetteer_with_their_state(glossary):
    s = spec(glossary, "अलवर में मतदान")
    assert "place:alwar" in s.districts and "place:rajasthan" in s.states


@pytest.mark.parametrize("claim,candidate,agree,disagree", [
    ("अलवर में मतदान 28 नवंबर को", "भरतपुर में मतदान 28 नवंबर को", False, True),
    ("अलवर में मतदान 28 नवंबर को", "Alwar polling is on 28 November", True, False),
    ("Lucknow ke school band", "राजस्थान में स्कूल बंद", False, True),
    ("Lucknow ke school band", "उत्तर प्रदेश में स्कूल बंद", False, False),
])
def test_place_agreement(glossary, claim, candidate, agree, disagree):
    c = compare(spec(glossary, claim), spec(glossary, candidate))
    assert bool(c.places_agree) is agree
    assert bool(c.places_disagree) is disagree


def test_number_and_month_disagreement(glossary):
    q = spec(glossary, "PM kisan ki kist 4000 ki hogi 1 april se")
    c = compare(q, spec(glossary, "पीएम किसान की किस्त ₹2,000 है, 1 मई से"))
    assert "4000" in c.numbers_disagree and c.months_disagree == 1
    c2 = compare(q, spec(glossary, "पीएम किसान की किस्त 4000 नहीं, 1 अप्रैल से ₹2000 ही"))
    assert "4000" in c2.numbers_agree and c2.months_agree == 1
    # A candidate that states no numbers does not contradict the claim's numbers.
    assert not compare(q, spec(glossary, "पीएम किसान योजना की जानकारी")).numbers_disagree
