"""Switching the interface to Hindi shows Devanagari labels on every page, and no
English string of the catalogue is left on screen."""
from __future__ import annotations

import re

import pytest

from desk.ui import nav
from desk.ui.catalogue import CATALOGUE

DEVANAGARI = re.compile(r"[\u0900-\u097f]")
ENGLISH_ONLY = {v["en"] for v in CATALOGUE.values() if v["en"] != v["hi"] and "{" not in v["en"]}
ROLE_PAGES = [(role, spec.key) for role in ("admin", "coordinator", "fact_checker")
              for spec in nav.pages_for(role)]


def _labels(at) -> list[str]:
    out = []
    for kind in ("button", "form_submit_button", "text_input", "text_area", "selectbox",
                 "multiselect", "number_input", "date_input", "checkbox", "toggle", "radio",
                 "expander", "tabs", "metric", "file_uploader", "download_button"):
        out += [str(w.label) for w in getattr(at, kind) if getattr(w, "label", "")]
    return out


def _catalogue_texts(at, desk) -> list[str]:
    shown = [desk.shown(el.value) for kind in ("title", "header", "subheader", "caption",
                                                "info", "warning", "success", "error")
             for el in getattr(at, kind)]
    return shown + [desk.shown(label) for label in _labels(at)]


@pytest.mark.parametrize("role,page", ROLE_PAGES)
def test_every_page_in_hindi(desk, seeded, role, page):
    desk.svc.users.set_language(desk.ids[role], "hi")
    at = desk.app(role)
    at.session_state["claim.id"] = seeded.other_claim
    desk.goto(at, page)
    assert not at.exception
    assert DEVANAGARI.search(at.title[0].value), at.title[0].value
    labels = _labels(at)
    assert labels
    hindi = [label for label in labels if DEVANAGARI.search(label)]
    assert len(hindi) / len(labels) >= 0.8, [x for x in labels if x not in hindi]
    leftovers = sorted({text for text in _catalogue_texts(at, desk) if text in ENGLISH_ONLY})
    assert leftovers == [], leftovers


def test_sign_in_and_setup_pages_in_hindi(desk, seeded):
    at = desk.app(None)
    at.segmented_control(key="signin.language").set_value("hi").run()
    assert at.title[0].value == "फ़ैक्ट डेस्क में साइन इन करें"
    assert at.text_input(key="signin.password").label == "पासवर्ड"
    assert at.button(key="signin.submit").label == "साइन इन"


def test_navigation_titles_follow_the_language(desk, seeded):
    desk.svc.users.set_language(desk.ids["editor"], "hi")
    at = desk.app("editor")
    assert at.title[0].value == "ट्राइएज इनबॉक्स"
    assert at.segmented_control(key="app.language").value == "hi"
    assert at.button(key="app.sign_out").label == "साइन आउट"
