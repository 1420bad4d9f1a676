"""Devanagari and typed Hinglish meet in one folded Latin form."""
from __future__ import annotations

import pytest

from index.normalize import normalize
from index.translit import deva_to_latin, fold_word


@pytest.mark.parametrize("deva,latin", [
    ("सरकार", "sarkaar"),
    ("कमला", "kamlaa"),
    ("राशन", "raashan"),
    ("कार्ड", "kaard"),
    ("समझना", "samajhnaa"),
    ("नहीं", "nahii"),
    ("में", "me"),
    ("पेंशन", "penshan"),
    ("बंद", "band"),
    ("क़ानून", "kaanuun"),
])
def test_devanagari_to_latin_with_schwa_deletion(deva, latin):
    assert deva_to_latin(deva) == latin


@pytest.mark.parametrize("deva,typed", [
    ("राशन", "rashan"),
    ("राशन", "raashan"),
    ("कार्ड", "card"),
    ("बंद", "band"),
    ("जाएगा", "jayega"),
    ("नहीं", "nahi"),
    ("नहीं", "nhi"),
    ("नहीं", "nahin"),
    ("है", "h"),
    ("है", "hai"),
    ("करो", "kro"),
    ("स्कूल", "school"),
    ("बिल", "bill"),
    ("पेंशन", "pension"),
    ("योजना", "yojana"),
    ("योजना", "yojna"),
    ("मुफ्त", "muft"),
    ("बिजली", "bijlee"),
    ("ज़्यादा", "zyada"),
    ("ज्यादा", "jyada"),
    ("फ्री", "free"),
    ("वोटर", "voter"),
    ("वोटर", "woter"),
    ("किसान", "kisaan"),
    ("रुपये", "rupaye"),
])
def test_devanagari_and_typed_hinglish_fold_to_the_same_token(deva, typed):
    assert fold_word(deva) == fold_word(typed)


def test_issue_example_shares_every_term():
    latin = normalize("rashan card band ho jayega")
    deva = normalize("राशन कार्ड बंद हो जाएगा")
    assert latin.key == deva.key == "rasan kard band ho jaega"


@pytest.mark.parametrize("a,b", [
    ("nahi", "nahin"), ("hai", "h"), ("kar", "kr"), ("meeting", "miting"),
    ("voot", "vut"), ("wada", "vada"), ("zila", "jila"), ("phone", "fone"),
])
def test_hinglish_spelling_variants_fold(a, b):
    assert fold_word(a) == fold_word(b)


@pytest.mark.parametrize("a,b", [("मोदी", "मादी"), ("दिल", "दाल"), ("alwar", "ajmer")])
def test_distinct_words_stay_distinct(a, b):
    assert fold_word(a) != fold_word(b)
