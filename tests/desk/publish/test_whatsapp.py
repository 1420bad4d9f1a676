from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from desk.errors import ValidationError
from desk.publish import whatsapp_text
from desk.publish.whatsapp import repair_markers, truncate_formatted

SMALL_EN = dict(
    lang="en",
    title="",
    claim_texts=["Ration cards will be cancelled on 1 April"],
    full_text="False. No such order exists.",
    whatsapp_text="*False.* No such order exists.",
    translations={},
    sources=[{"url": "https://nfsa.gov.in", "title": "National Food Security Portal"}],
)


def clusters(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def is_cluster_prefix(part: str, whole: str) -> bool:
    got = clusters(part)
    return got == clusters(whole)[: len(got)]


def test_layout_of_a_short_english_rebuttal(make_rebuttal):
    result = whatsapp_text(make_rebuttal(**SMALL_EN))
    assert result.content == (
        "*FACT CHECK: FALSE*\n"
        "_Claim: Ration cards will be cancelled on 1 April_\n"
        "\n"
        "*False.* No such order exists.\n"
        "\n"
        "*Sources:*\n"
        "• National Food Security Portal – https://nfsa.gov.in\n"
        "\n"
        "— Fact Desk UP\n"
        "Full fact check: https://factdesk.example.org/r/42"
    )
    assert result.warnings == ()
    assert result.media_type.startswith("text/plain")


def test_hindi_rebuttal_gets_hindi_labels(make_rebuttal):
    text = whatsapp_text(make_rebuttal()).content
    lines = text.split("\n")
    assert lines[0] == "*तथ्य जाँच: गलत*"
    assert lines[1].startswith("_दावा: 1 अप्रैल से") and lines[1].endswith("_")
    assert "*यह दावा गलत है।* राशन कार्ड रद्द करने का कोई आदेश नहीं है।" in text
    assert "*स्रोत:*" in lines
    assert "पूरी जाँच: https://factdesk.example.org/r/42" in lines


@pytest.mark.parametrize("verdict,line", [
    ("false", "*FACT CHECK: FALSE*"),
    ("misleading", "*FACT CHECK: MISLEADING*"),
    ("partly_true", "*FACT CHECK: PARTLY TRUE*"),
    ("true", "*FACT CHECK: TRUE*"),
    ("unverified", "*FACT CHECK: UNVERIFIED*"),
    ("satire", "*FACT CHECK: SATIRE*"),
])
def test_english_verdict_lines(make_rebuttal, verdict, line):
    assert whatsapp_text(make_rebuttal(**{**SMALL_EN, "verdict": verdict})).content.split("\n")[0] == line


@pytest.mark.parametrize("verdict,line", [
    ("false", "*तथ्य जाँच: गलत*"),
    ("misleading", "*तथ्य जाँच: भ्रामक*"),
    ("partly_true", "*तथ्य जाँच: आंशिक रूप से सही*"),
    ("true", "*तथ्य जाँच: सही*"),
    ("unverified", "*तथ्य जाँच: अपुष्ट*"),
    ("satire", "*तथ्य जाँच: व्यंग्य*"),
])
def test_hindi_verdict_lines(make_rebuttal, verdict, line):
    assert whatsapp_text(make_rebuttal(verdict=verdict)).content.split("\n")[0] == line


def test_lang_picks_the_translation(make_rebuttal):
    result = whatsapp_text(make_rebuttal(), lang="en")
    assert result.content.startswith("*FACT CHECK: FALSE*\n_Claim: ")
    assert "*This is false.* No order cancels ration cards" in result.content
    assert "राशन कार्ड रद्द करने का कोई" not in result.content
    assert result.warnings == ()


def test_missing_translation_falls_back_to_the_original_with_a_warning(make_rebuttal):
    result = whatsapp_text(make_rebuttal(), lang="ur")
    assert result.content.startswith("*तथ्य जाँच: गलत*")
    assert result.codes() == {"translation_missing"}


def test_romanised_hindi_gets_english_labels(make_rebuttal):
    r = make_rebuttal(lang="hi-Latn", whatsapp_text="*Ye dawa galat hai.* Koi order nahi aaya.")
    assert whatsapp_text(r).content.startswith("*FACT CHECK: FALSE*")


LONG_HINDI = "खाद्य एवं रसद विभाग के अनुसार राशन कार्ड निरस्त करने का कोई आदेश नहीं है; ई-केवाईसी निःशुल्क है। " * 60


@pytest.mark.parametrize("max_chars", [160, 200, 333, 500, 700, 1000, 4096])
@pytest.mark.parametrize("field", ["whatsapp_text", "full_text"])
def test_long_hindi_text_respects_the_limit(make_rebuttal, max_chars, field):
    r = make_rebuttal(**{field: LONG_HINDI, **({"whatsapp_text": ""} if field == "full_text" else {})})
    result = whatsapp_text(r, max_chars=max_chars)
    text = result.content
    assert len(text) <= max_chars
    assert text.startswith("*तथ्य जाँच: गलत*\n_दावा: ")
    assert text.endswith("पूरी जाँच: https://factdesk.example.org/r/42")  # the link survives cutting
    assert "truncated" in result.codes()
    body = text.split("\n\n")[1]
    assert body.endswith("…")
    assert is_cluster_prefix(body[:-1], LONG_HINDI)
    assert LONG_HINDI[len(body) - 1:].lstrip(",;:")[0] == " "  # cut on a word boundary


def test_short_text_is_not_flagged_as_truncated(make_rebuttal):
    assert "truncated" not in whatsapp_text(make_rebuttal()).codes()


def test_at_most_two_http_links_are_included(make_rebuttal):
    sources = [
        {"url": "javascript:alert(1)", "title": "evil"},
        {"url": "https://a.example/1", "title": "One"},
        {"url": "https://b.example/2", "title": "Two"},
        {"url": "https://c.example/3", "title": "Three"},
    ]
    result = whatsapp_text(make_rebuttal(sources=sources))
    assert "• One – https://a.example/1" in result.content
    assert "• Two – https://b.example/2" in result.content
    assert "c.example" not in result.content and "javascript" not in result.content
    assert "unsafe_link_dropped" in result.codes()


def test_links_give_way_to_the_body_when_space_is_short(make_rebuttal):
    r = make_rebuttal(whatsapp_text=LONG_HINDI)
    assert "*स्रोत:*" not in whatsapp_text(r, max_chars=300).content
    assert "*स्रोत:*" in whatsapp_text(r, max_chars=1000).content


def test_user_text_cannot_toggle_formatting(make_rebuttal):
    claim = "*URGENT* _sabko_ ~bhejo~ `abhi` 5*3=15"
    result = whatsapp_text(make_rebuttal(claim_texts=[claim], whatsapp_text="",
                                         full_text="_Yeh_ *galat* hai", title="*x*"))
    claim_line = result.content.split("\n")[1]
    assert claim_line == "_दावा: ∗URGENT∗ ＿sabko＿ ∼bhejo∼ ˋabhiˋ 5∗3=15_"
    body = result.content.split("\n\n")[1]
    assert body == "＿Yeh＿ ∗galat∗ hai"  # full_text is literal, not WhatsApp-formatted


def test_claim_is_one_line_and_its_links_are_defanged(make_rebuttal):
    claim = "Forwarded as received\n\nRegister at https://bit.ly/3xYz or www.free-ration.in\n"
    line = whatsapp_text(make_rebuttal(claim_texts=[claim])).content.split("\n")[1]
    assert line == "_दावा: Forwarded as received Register at hxxps://bit.ly/3xYz or www[.]free-ration.in_"


def test_long_claim_is_clipped_on_clusters(make_rebuttal):
    claim = "स्त्रियों के खाते में पैसा आएगा " * 40
    line = whatsapp_text(make_rebuttal(claim_texts=[claim])).content.split("\n")[1]
    inner = line[len("_दावा: "):-1]
    assert inner.endswith("…") and len(line) <= 280
    assert is_cluster_prefix(inner[:-1], claim)


@pytest.mark.parametrize("authored,expected", [
    ("क*ि", "कि"),  # marker between consonant and vowel sign
    ("क्*ष", "क्ष"),  # marker after a virama, inside a conjunct
    ("क\u200d*ष", "क\u200dष"),  # marker after ZWJ
    ("*क*\u093c", "*क\u093c"),  # marker before a nukta
    ("*राशन* _मुफ्त_ ~नहीं~", "*राशन* _मुफ्त_ ~नहीं~"),  # well placed: kept
    ("__ऀ", "ऀ"),  # dropping one marker brings the next against the sign
    ("*_~ि", "ि"),
])
def test_markers_inside_a_syllable_are_removed(authored, expected):
    assert repair_markers(authored)[0] == expected


def test_removed_markers_are_reported(make_rebuttal):
    result = whatsapp_text(make_rebuttal(whatsapp_text="यह दावा *गल*त है"))
    assert "formatting_removed" not in result.codes()  # marker before a consonant is fine
    result = whatsapp_text(make_rebuttal(whatsapp_text="यह दावा *गलत* है, *क*ि नहीं"))
    assert "formatting_removed" in result.codes()
    assert "*ि" not in result.content


@pytest.mark.parametrize("text,limit,expected", [
    ("*" + "bold words " * 20 + "end*", 40, "*bold words bold words bold words bold…*"),
    ("plain *bold text* and more words here", 26, "plain *bold text* and…"),
    ("_" + ("तिरछा पाठ " * 10).strip() + "_", 30, "_तिरछा पाठ तिरछा पाठ तिरछा…_"),
    ("*_" + ("both " * 20).strip() + "_*", 20, "*_both both both…_*"),
    ("ab *" + "x" * 60 + "*", 10, "ab *xxxx…*"),  # no usable word boundary: cut between clusters
    ("abcdefgh.*" + "x" * 60 + "*", 11, "abcdefgh.…"),  # a span cut right after its opener is dropped
])
def test_truncation_closes_open_formatting_spans(text, limit, expected):
    out, cut = truncate_formatted(text, limit)
    assert cut
    assert out == expected
    assert len(out) <= limit


@pytest.mark.parametrize("max_chars", [0, 159, -5, True, 200.5, "1000"])
def test_max_chars_must_be_a_sensible_integer(make_rebuttal, max_chars):
    with pytest.raises(ValidationError, match="max_chars"):
        whatsapp_text(make_rebuttal(), max_chars=max_chars)


def test_a_link_too_long_for_the_limit_is_a_clear_error(make_rebuttal):
    r = make_rebuttal(url="https://factdesk.example.org/" + "a" * 150)
    with pytest.raises(ValidationError, match="too small for the verdict line"):
        whatsapp_text(r, max_chars=160)


def test_no_footer_without_organisation_and_url(make_rebuttal):
    text = whatsapp_text(make_rebuttal(organisation="", url="", sources=[])).content
    assert text.split("\n\n")[-1] == "*यह दावा गलत है।* राशन कार्ड रद्द करने का कोई आदेश नहीं है। ई-केवाईसी _निःशुल्क_ है।"


# Property tests over random Devanagari: the limit holds, the text is NFC,
# nothing is cut inside a grapheme cluster, and our markers hug text.
devanagari_char = st.one_of(
    st.characters(min_codepoint=0x0900, max_codepoint=0x097F),
    st.sampled_from(["\u200c", "\u200d", "।", ","]),
)
devanagari_word = st.text(devanagari_char, min_size=1, max_size=12)
# Long enough that most examples are cut (hypothesis favours short text), with
# some single giant "words" so the cluster fallback is exercised too.
devanagari_text = st.one_of(
    st.lists(devanagari_word, min_size=20, max_size=300).map(" ".join),
    st.text(devanagari_char, min_size=200, max_size=1500),
    st.lists(devanagari_word, min_size=1, max_size=5).map(" ".join),
).filter(lambda t: t.strip())


def _wrapped_lines_hug(message: str) -> bool:
    header, claim_line = message.split("\n")[:2]
    return (regex.fullmatch(r"\*\S.*\S\*", header) is not None
            and regex.fullmatch(r"_\S.*\S_", claim_line, flags=regex.DOTALL) is not None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=devanagari_text, claim=devanagari_text, max_chars=st.integers(min_value=160, max_value=1200))
def test_property_devanagari_literal_text(make_rebuttal, body, claim, max_chars):
    r = make_rebuttal(full_text=body, whatsapp_text="", claim_texts=[claim])
    result = whatsapp_text(r, max_chars=max_chars)
    event("cut" if "truncated" in result.codes() else "whole")
    message = result.content
    assert len(message) <= max_chars
    assert unicodedata.is_normalized("NFC", message)
    assert _wrapped_lines_hug(message)
    nfc_body = unicodedata.normalize("NFC", body)
    shown = message.split("\n\n", 1)[1]
    if shown.startswith(nfc_body.strip()):
        return  # not cut
    cut = shown[: shown.index("…")]
    assert is_cluster_prefix(cut, nfc_body.strip())


authored_char = st.one_of(devanagari_char, st.sampled_from(["*", "_", "~"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.text(authored_char, min_size=1, max_size=12), min_size=1, max_size=300)
       .map(" ".join).filter(lambda t: t.strip(" *_~")),
       max_chars=st.integers(min_value=160, max_value=1200))
def test_property_authored_markers_never_split_a_syllable(make_rebuttal, body, max_chars):
    message = whatsapp_text(make_rebuttal(whatsapp_text=body), max_chars=max_chars).content
    assert len(message) <= max_chars
    for i, ch in enumerate(message):
        if ch in "*_~":
            after = message[i + 1] if i + 1 < len(message) else ""
            before = message[i - 1] if i else ""
            assert not (after and unicodedata.category(after).startswith("M")), message
            assert not (before and unicodedata.combining(before) == 9 and after.isalpha()), message
            assert after not in ("\u200c", "\u200d") and before not in ("\u200c", "\u200d")


@pytest.mark.parametrize("claim", ["दावा \u200b", "\u200d दावा", "दावा \u200c \u200b ", "\ufeffदावा\u2060"])
def test_invisible_characters_at_the_claim_edges_do_not_unhug_the_markers(make_rebuttal, claim):
    line = whatsapp_text(make_rebuttal(claim_texts=[claim])).content.split("\n")[1]
    assert line == "_दावा: दावा_"
