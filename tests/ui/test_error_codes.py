"""Service errors with a code are shown in the reader's language (desk.ui.messages.describe):
every code the services raise has both languages, parameters are filled in and translated,
and the pages show a conflict, an empty text and a four-eyes refusal in Hindi."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from desk.errors import (
    AuthError,
    Conflict,
    DeskError,
    ImportFailed,
    InvalidTransition,
    PermissionDenied,
    Throttled,
    ValidationError,
)
from desk.services.rebuttals import RebuttalDraft
from desk.ui.catalogue import CATALOGUE
from desk.ui.i18n import Translator
from desk.ui.messages import describe

DESK = Path(__file__).resolve().parents[2] / "desk"
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
RAISED = re.compile(r"""\bcode=f?["']([a-z][a-z0-9_.]*)(\{scope\})?["']""")
EN, HI = Translator("en"), Translator("hi")

CONFLICT = Conflict("claim 7 was changed by asha at 2026-11-22T10:15:03Z (...)", code="conflict",
                    params={"noun": "claim", "id": 7, "by": "asha", "at": "2026-11-22T10:15:03Z",
                            "loaded": 3, "now": 4})

# (error, English expected, Hindi expected): whole sentences, so a wrong placeholder or an
# untranslated parameter shows.
CASES = [
    (CONFLICT,
     "Claim 7 was changed by asha at 2026-11-22 10:15 UTC (you loaded version 3, it is now "
     "version 4); reload it and apply your change again.",
     "दावा 7 को asha ने 2026-11-22 10:15 UTC पर बदल दिया है (आपने संस्करण 3 खोला था, अब संस्करण 4 "
     "है); इसे दोबारा लोड करें और अपना बदलाव फिर से करें।"),
    (PermissionDenied("not allowed: role coordinator may not claim.assign", code="denied.role",
                      params={"role": "coordinator", "action": "claim.assign"}),
     "Not allowed: the Coordinator role may not do this (claim.assign).",
     "अनुमति नहीं है: समन्वयक की भूमिका में यह काम नहीं किया जा सकता (claim.assign)।"),
    (PermissionDenied("not allowed: account is deactivated", code="denied.inactive"),
     "Not allowed: this account is deactivated.",
     "अनुमति नहीं है: यह खाता निष्क्रिय कर दिया गया है।"),
    (PermissionDenied("not allowed: unknown user", code="denied.unknown_user"),
     "Not allowed: this user is not on the desk.",
     "अनुमति नहीं है: यह उपयोगकर्ता डेस्क पर मौजूद नहीं है।"),
    (PermissionDenied("not allowed: four eyes ...", code="denied.four_eyes", params={"id": 12}),
     "Four eyes: you cannot approve rebuttal 12 because you created it or wrote this version; "
     "another editor must approve it.",
     "दोहरी जाँच का नियम: खंडन 12 आपने बनाया है या इसका यह संस्करण आपने लिखा है, इसलिए आप इसे "
     "स्वीकृत नहीं कर सकते; किसी दूसरे संपादक को इसे स्वीकृत करना होगा।"),
    (InvalidTransition("claim 5 is dismissed; it cannot become in_review",
                       code="transition.claim",
                       params={"id": 5, "current": "dismissed", "target": "in_review"}),
     "Claim 5 is “Dismissed”; it cannot become “In review”.",
     "दावा 5 अभी “खारिज” है; इसे “समीक्षा में” नहीं किया जा सकता।"),
    (InvalidTransition("a claim cannot be moved to published directly; ...",
                       code="transition.claim_direct", params={"id": 5, "target": "published"}),
     "Claim 5 cannot be moved to “Published” directly; use the action for it.",
     "दावा 5 को सीधे “प्रकाशित” में नहीं ले जाया जा सकता; इसके लिए बनी कार्रवाई का उपयोग करें।"),
    (InvalidTransition("rebuttal 3 is draft; it cannot become published",
                       code="transition.rebuttal",
                       params={"id": 3, "current": "draft", "target": "published"}),
     "Rebuttal 3 is “Draft”; it cannot become “Published”.",
     "खंडन 3 अभी “मसौदा” है; इसे “प्रकाशित” नहीं किया जा सकता।"),
    (InvalidTransition("rebuttal 3 is retracted; it cannot be edited",
                       code="transition.rebuttal_edit", params={"id": 3, "current": "retracted"}),
     "Rebuttal 3 is “Retracted”; it cannot be edited.",
     "खंडन 3 अभी “वापस लिया गया” है; अब इसमें बदलाव नहीं किया जा सकता।"),
    (ValidationError("claim text is empty", code="text.empty", params={"field": "claim text"}),
     "Claim text is empty.", "दावे का पाठ खाली है।"),
    (ValidationError("statement is too long", code="text.too_long",
                     params={"field": "statement", "length": 20001, "limit": 20000}),
     "Statement is too long (20001 characters; limit 20000).",
     "कथन में 20001 अक्षर हैं; अधिकतम 20000 अक्षरों की अनुमति है।"),
    (ValidationError("note contains ...", code="text.not_unicode", params={"field": "note"}),
     "Note contains characters that are not valid Unicode.",
     "टिप्पणी में कुछ ऐसे अक्षर हैं जो मान्य यूनिकोड नहीं हैं।"),
    (ValidationError("title contains a NUL character", code="text.nul",
                     params={"field": "title"}),
     "Title contains a NUL character.", "शीर्षक में NUL अक्षर है, जिसकी अनुमति नहीं है।"),
    (ValidationError("password is longer", code="password.too_long", params={"limit": 1024}),
     "The password is longer than 1024 bytes.", "पासवर्ड 1024 बाइट से लंबा नहीं हो सकता।"),
    (ValidationError("password must be", code="password.too_short", params={"limit": 10}),
     "The password must be at least 10 characters.",
     "पासवर्ड में कम से कम 10 अक्षर होने चाहिए।"),
    (Throttled("locked", retry_after=42, scope="account"),
     "Too many failed sign-ins for this account; try again in 42 seconds.",
     "इस खाते से बहुत बार गलत साइन इन हुआ है; 42 सेकंड बाद फिर कोशिश करें।"),
    (Throttled("paused", retry_after=7.6, scope="desk"),
     "Too many failed sign-ins on this desk; try again in 7 seconds.",
     "इस डेस्क पर बहुत बार गलत साइन इन हुआ है; 7 सेकंड बाद फिर कोशिश करें।"),
    (AuthError("wrong username or password", code="auth.failed"),
     "Wrong username or password.", "उपयोगकर्ता नाम या पासवर्ड गलत है।"),
    (AuthError("not registered", code="auth.not_registered"),
     "This account is not registered on the desk; ask an administrator.",
     "यह खाता डेस्क पर पंजीकृत नहीं है; किसी प्रशासक से संपर्क करें।"),
    (AuthError("not signed in", code="session.missing"),
     "Session not found; sign in again.", "सत्र नहीं मिला; फिर से साइन इन करें।"),
    (AuthError("ended", code="session.ended"),
     "This session has ended; sign in again.", "यह सत्र समाप्त हो चुका है; फिर से साइन इन करें।"),
    (AuthError("expired", code="session.expired"),
     "Session expired; sign in again.", "सत्र की अवधि पूरी हो गई है; फिर से साइन इन करें।"),
    (AuthError("idle", code="session.idle"),
     "Signed out after inactivity; sign in again.",
     "देर तक कोई गतिविधि न होने के कारण आपको साइन आउट कर दिया गया; फिर से साइन इन करें।"),
    (AuthError("deactivated", code="session.deactivated"),
     "This account is deactivated.", "यह खाता निष्क्रिय कर दिया गया है।"),
    (ImportFailed("topic must be text", line=4),
     "line 4: topic must be text", "पंक्ति 4: topic must be text"),
    (ImportFailed("statement is empty", line=9,
                  cause=ValidationError("statement is empty", code="text.empty",
                                        params={"field": "statement"})),
     "line 9: Statement is empty.", "पंक्ति 9: कथन खाली है।"),
    (ImportFailed("2 row(s) have problems ...", line=3, code="import.rows",
                  params={"count": 2, "line": 3, "detail": "line 3: bad; line 8: bad"}),
     "2 row(s) have problems, nothing was imported (first at line 3): line 3: bad; line 8: "
     "bad. Fix them, or import with the option to skip invalid rows.",
     "2 पंक्तियों में समस्याएँ हैं, इसलिए कुछ भी आयात नहीं हुआ (पहली समस्या पंक्ति 3 में): line 3: "
     "bad; line 8: bad। इन्हें ठीक करें, या अमान्य पंक्तियाँ छोड़ने का विकल्प चुनकर आयात करें।"),
]


@pytest.mark.parametrize("exc,english,hindi", CASES, ids=lambda v: getattr(v, "code", None))
def test_each_code_reads_in_both_languages(exc, english, hindi):
    assert describe(EN, exc) == english
    assert describe(HI, exc) == hindi


def test_every_code_the_services_raise_has_a_catalogue_entry_and_a_test():
    raised = set()
    for path in DESK.rglob("*.py"):
        for code, scoped in RAISED.findall(path.read_text(encoding="utf-8")):
            raised |= {code + s for s in ("account", "desk")} if scoped else {code}
    raised |= {"conflict", "import.line"}             # built in desk.store.common / ImportFailed
    assert len(raised) > 20                           # the scan really found the codes
    missing = sorted(c for c in raised if f"errcode.{c}" not in CATALOGUE)
    assert not missing, missing
    tested = {exc.code for exc, _, _ in CASES}
    assert raised <= tested, sorted(raised - tested)
    assert {k.removeprefix("errcode.") for k in CATALOGUE if k.startswith("errcode.")} <= raised


@pytest.mark.parametrize("exc", [
    DeskError("something odd happened"),                             # no code
    ValidationError("made up", code="no.such.code", params={"x": 1}),  # a code not catalogued
])
def test_without_a_catalogued_code_the_english_message_is_shown(exc):
    assert describe(HI, exc) == describe(EN, exc) == str(exc)


def test_unknown_field_and_noun_names_are_shown_as_written():
    exc = ValidationError("x", code="text.empty", params={"field": "sighting 3: sender"})
    assert describe(HI, exc) == "sighting 3: sender खाली है।"


def test_the_services_attach_codes_and_params(desk, seeded):
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    desk.svc.claims.assign(desk.ids["editor"], claim.id, desk.ids["researcher"],
                           expected_version=claim.version)
    with pytest.raises(Conflict) as caught:
        desk.svc.claims.assign(desk.ids["editor"], claim.id, desk.ids["editor"],
                               expected_version=claim.version)
    assert caught.value.code == "conflict"
    assert caught.value.params == {"noun": "claim", "id": claim.id, "by": "editor",
                                   "at": caught.value.params["at"], "loaded": claim.version,
                                   "now": claim.version + 1}
    assert describe(HI, caught.value).startswith(f"दावा {claim.id} को editor ने ")


# -- the pages, in Hindi ------------------------------------------------------------------

def _hindi_claim_page(desk, who: str, claim_id: int) -> AppTest:
    desk.svc.users.set_language(desk.ids[who], "hi")
    at = desk.app(who)
    at.session_state["claim.id"] = claim_id
    return desk.goto(at, "claim")


def test_a_conflict_is_shown_in_hindi(desk, seeded):
    at = _hindi_claim_page(desk, "fact_checker", seeded.other_claim)
    claim = desk.svc.claims.get(desk.system, seeded.other_claim)
    desk.svc.claims.assign(desk.ids["editor"], claim.id, desk.ids["researcher"],
                           expected_version=claim.version)
    at.button(key="claim.take").click().run()
    assert not at.exception
    message = desk.shown(at.error[0].value)
    assert message.startswith("किसी और ने बदल दिया है — दोबारा लोड करें। "
                              f"दावा {claim.id} को editor ने ")
    assert "changed by" not in message and "reload it" not in message


def test_an_empty_note_is_refused_in_hindi(desk, seeded):
    at = _hindi_claim_page(desk, "researcher", seeded.other_claim)
    at.text_area(key="claim.note").set_value("   ")
    at.button(key="claim.note_add").click().run()
    assert not at.exception
    assert desk.shown(at.error[0].value) == "यह नहीं हो सका: टिप्पणी खाली है।"


def _approve_in_guard(lang: str, actor: int, rebuttal_id: int, version: int) -> None:
    # The review page hides "approve" from the author, so the refusal is raised by the
    # service inside the same guard the page uses.
    import streamlit as st

    from desk.ui.i18n import Translator
    from desk.ui.widgets import guard

    with guard(Translator(lang)):
        st.session_state["svc"].rebuttals.approve(actor, rebuttal_id, expected_version=version)


def test_a_four_eyes_refusal_is_shown_in_hindi(desk, seeded):
    ed = desk.ids["editor"]
    r = desk.svc.rebuttals.get(ed, seeded.in_review)
    r = desk.svc.rebuttals.save_version(ed, r.id, RebuttalDraft(
        "false", "Edited by the editor.", "Edited."), expected_version=r.version)
    at = AppTest.from_function(_approve_in_guard, args=("hi", ed, r.id, r.version))
    at.session_state["svc"] = desk.svc
    at.run()
    assert not at.exception
    message = desk.shown(at.error[0].value)
    assert message.startswith("यह नहीं हो सका: दोहरी जाँच का नियम: "
                              f"खंडन {r.id} आपने बनाया है")
    assert not re.search(r"[A-Za-z]{3,}", message), message
    assert desk.svc.rebuttals.get(ed, r.id).status.value == "in_review"
