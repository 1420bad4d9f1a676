"""The bilingual glossary links English, Devanagari and romanised spellings."""
from __future__ import annotations

import pytest

from index.errors import DataFileError
from index.glossary import load_glossary
from index.normalize import normalize


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


def concepts(g, text):
    n = normalize(text)
    return {m.concept.id for m in g.annotate(n.tokens, n.words)}


def test_ships_several_hundred_concepts_and_a_gazetteer(glossary):
    places = [c for c in glossary.concepts.values() if c.type.startswith("place:")]
    assert len(glossary) - len(places) >= 300
    assert sum(1 for p in places if p.type == "place:state") >= 30
    assert sum(1 for p in places if p.type == "place:district") >= 100


@pytest.mark.parametrize("concept,texts", [
    ("ration_card", ["ration card", "राशन कार्ड", "rashan card"]),
    ("electricity_bill", ["electricity bill", "बिजली बिल", "bijli ka bill"]),
    ("polling_booth", ["polling booth", "मतदान केंद्र", "booth"]),
    ("evm", ["EVM", "ईवीएम", "evm machine"]),
    ("voter_list", ["voter list", "मतदाता सूची", "voter list me naam"]),
    ("exam", ["exam", "परीक्षा", "pariksha"]),
    ("paper_leak", ["paper leak", "पेपर लीक", "paper leek"]),
    ("recruitment", ["recruitment", "भर्ती", "bharti"]),
    ("msp", ["minimum support price", "न्यूनतम समर्थन मूल्य", "MSP"]),
    ("fertiliser", ["fertiliser", "खाद", "khad"]),
    ("relief", ["flood relief", "राहत", "rahat"]),
    ("bank", ["bank", "बैंक", "bank"]),
    ("upi", ["UPI", "यूपीआई", "upi"]),
    ("pension", ["pension", "पेंशन", "pension"]),
    ("cancel", ["cancelled", "रद्द", "radd"]),
    ("free", ["free", "मुफ्त", "muft"]),
    ("place:lucknow", ["Lucknow", "लखनऊ", "lakhnau"]),
    ("place:uttar_pradesh", ["Uttar Pradesh", "उत्तर प्रदेश", "UP"]),
])
def test_english_hindi_and_hinglish_share_a_concept(glossary, concept, texts):
    for text in texts:
        assert concept in concepts(glossary, text), text


def test_short_place_abbreviations_need_capitals(glossary):
    assert "place:uttar_pradesh" in concepts(glossary, "UP me naya rule")
    assert "place:uttar_pradesh" not in concepts(glossary, "pick up the phone")


def test_pivot_renders_hindi_in_english(glossary):
    n = normalize("राशन कार्ड रद्द होगा")
    pivot = glossary.pivot(list(n.tokens), list(n.words), glossary.annotate(n.tokens, n.words))
    assert pivot.startswith("ration card") and "cancel" in pivot


def test_user_glossary_extends_the_bundled_one(tmp_path):
    extra = tmp_path / "glossary.tsv"
    extra.write_text("# my terms\nlocust\tpest\tlocust|locusts\tटिड्डी\ttiddi\n"
                     "mandi tax\tमंडी शुल्क\n", encoding="utf-8")
    g = load_glossary(extra)
    assert "locust" in concepts(g, "टिड्डी दल का हमला") and "locust" in concepts(g, "tiddi attack")
    assert "mandi_tax" in concepts(g, "मंडी शुल्क बढ़ा")
    assert len(g) == len(load_glossary()) + 2


def test_missing_user_glossary_is_ignored(tmp_path):
    assert len(load_glossary(tmp_path / "absent.tsv")) == len(load_glossary())


@pytest.mark.parametrize("content,line", [
    ("a\tb\tc\td\n", 1),
    ("ok\tठीक\n\nonly-one-column\n", 3),
    ("\tnoun\t\tशब्द\tshabd\n", 1),
])
def test_malformed_user_glossary_names_the_line(tmp_path, content, line):
    extra = tmp_path / "g.tsv"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_glossary(extra)
    assert err.value.line == line


def test_user_glossary_must_be_utf8(tmp_path):
    extra = tmp_path / "g.tsv"
    extra.write_bytes("ration\tराशन\n".encode("utf-16"))
    with pytest.raises(DataFileError, match="UTF-8"):
        load_glossary(extra)


@pytest.mark.parametrize("text", [
    "100 rupaye ka recharge free milega",
    "108 सीटों पर चुनाव दोबारा होगा",
    "112 logon ko naukri milegi",
    "Rs 1090 ka bijli bill maaf",
    "181 booth par EVM kharab",
    "1930 ke baad ki zameen ki registry radd",
])
def test_bare_numbers_are_not_concepts(glossary, text):
    found = concepts(glossary, text)
    assert not found & {"jeep", "ambulance", "police_help", "cyber_crime"}, found


@pytest.mark.parametrize("concept,text", [
    ("police_help", "dial 112 karo, police 10 minute me aayegi"),
    ("police_help", "100 नंबर पर कॉल करें"),
    ("ambulance", "108 ambulance ab paise legi"),
    ("ambulance", "डायल 108 सेवा बंद"),
    ("cyber_crime", "fraud hone par helpline 1930 par call karein"),
])
def test_helpline_numbers_count_with_their_words(glossary, concept, text):
    assert concept in concepts(glossary, text)


@pytest.mark.parametrize("text,want,unwanted", [
    ("AC 45 me dobara matdan hoga", "constituency", "appliance"),
    ("Lucknow Cantt AC ki voter list badli", "constituency", "appliance"),
    ("विधानसभा क्षेत्र 45 में दोबारा मतदान", "constituency", "appliance"),
    ("assembly constituency results delayed", "constituency", "appliance"),
    ("garmi me ac chalane par bijli bill double", None, "constituency"),
    ("free air conditioner for every voter", "appliance", "constituency"),
])
def test_ac_is_an_assembly_constituency_not_an_air_conditioner(glossary, text, want, unwanted):
    found = concepts(glossary, text)
    if want:
        assert want in found, found
    assert unwanted not in found, found


def test_short_variants_in_capitals_in_a_user_glossary_need_capitals(tmp_path):
    p = tmp_path / "extra.tsv"
    p.write_text("concept\ttype\tenglish\tdevanagari\tromanised\n"
                 "returning_officer\trole\treturning officer|RO\tनिर्वाचन अधिकारी\tro\n"
                 "helpline_1950\tinstitution\tvoter helpline|1950|dial 1950\t\t\n", encoding="utf-8")
    g = load_glossary(p)
    assert "returning_officer" in concepts(g, "RO ne form reject kiya")
    assert "returning_officer" not in concepts(g, "ro mat, vote daalo")
    assert "helpline_1950" in concepts(g, "dial 1950 for your booth")
    assert "helpline_1950" not in concepts(g, "1950 ke baad paida log")
