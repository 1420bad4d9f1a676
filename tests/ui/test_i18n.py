"""The catalogue: both languages for every key, every key the UI uses exists, every
enum value has a label, placeholders agree, Hindi is really Hindi."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from desk import domain
from desk.ui import nav
from desk.ui.catalogue import CATALOGUE
from desk.ui.i18n import LABEL_GROUPS, LANGUAGES, Translator

UI = Path(__file__).resolve().parents[2] / "desk" / "ui"
SOURCES = {p.relative_to(UI).as_posix(): p.read_text(encoding="utf-8") for p in UI.rglob("*.py")}

# t("key"), ctx.t("key"), t.has("key"), format_func=lambda ...: t("key")
LITERAL_CALL = re.compile(r"""\bt\(\s*["']([a-z][a-z0-9_.\-]*)["']""")
# t(f"prefix.{name}") -> the families checked below
FSTRING_CALL = re.compile(r"""\bt\(\s*f["']([a-z][a-z0-9_.]*)\{""")
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
SAME_IN_BOTH = {"common.none", "intake.format_csv", "intake.format_json", "library.format_json",
                "library.format_claimreview"}

# Dynamic keys: prefix -> the values the code fills in.
FAMILIES = {
    "intake.format_": ("whatsapp", "csv", "json"),
    "library.format_": ("whatsapp", "csv", "json", "claimreview", "bulletin"),
    "library.scope_": ("one", "all"),
    "admin.password_": ("generate", "sso"),
}
ENUMS = {
    "status": domain.ClaimStatus, "rstatus": domain.RebuttalStatus, "verdict": domain.Verdict,
    "role": domain.Role, "channel": domain.Channel, "reason": domain.DismissReason,
    "tier": domain.Tier, "decision": domain.LinkDecision, "level": domain.RegionLevel,
    "fstatus": domain.FactStatus, "kind": domain.LinkKind,
}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages(key):
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES)
    assert all(entry[lang].strip() for lang in LANGUAGES), key
    assert _placeholders(entry["en"]) == _placeholders(entry["hi"]), key
    if key not in SAME_IN_BOTH:
        assert DEVANAGARI.search(entry["hi"]), f"{key}: the Hindi text has no Devanagari"


def test_every_literal_key_used_in_the_ui_exists():
    used = {(name, key) for name, src in SOURCES.items() for key in LITERAL_CALL.findall(src)}
    assert len(used) > 300          # the scan really found the pages' strings
    missing = sorted(f"{name}: {key}" for name, key in used if key not in CATALOGUE)
    assert not missing, "\n".join(missing)


def test_every_dynamic_key_family_is_known_and_complete():
    prefixes = {p for src in SOURCES.values() for p in FSTRING_CALL.findall(src)}
    assert prefixes <= set(FAMILIES), f"new f-string keys: {prefixes - set(FAMILIES)}"
    for prefix, values in FAMILIES.items():
        for value in values:
            assert prefix + value in CATALOGUE, prefix + value


@pytest.mark.parametrize("group,enum", sorted(ENUMS.items()))
def test_every_enum_value_has_a_label(group, enum):
    assert group in LABEL_GROUPS
    for member in enum:
        assert f"{group}.{member.value}" in CATALOGUE


def test_every_page_title_and_section_exists():
    for spec in (*nav.PAGES, nav.SETUP, nav.SIGN_IN):
        assert spec.title_key in CATALOGUE
        assert spec.section in CATALOGUE


def test_language_labels_cover_what_the_normaliser_detects():
    for code in ("hi", "hi-Latn", "en", "mixed"):
        assert f"lang.{code}" in CATALOGUE


@pytest.mark.parametrize("lang,expected", [("en", "Claim #7"), ("hi", "दावा #7"),
                                           ("HI", "दावा #7"), ("fr", "Claim #7"),
                                           (None, "Claim #7")])
def test_translator_picks_the_language_and_fills_placeholders(lang, expected):
    assert Translator(lang)("claim.title", id=7) == expected


def test_translator_never_breaks_a_page():
    t = Translator("hi")
    assert t("no.such.key") == "no.such.key"
    assert t("claim.title") == "दावा #{id}"                    # missing value stays visible
    assert t("claim.title", id="{x}") == "दावा #{x}"            # values are not formatted again
    assert t.label("status", domain.ClaimStatus.IN_REVIEW) == "समीक्षा में"
    assert t.label("status", None) == "—"
    assert t.label("status", "made_up") == "made_up"


def test_every_catalogue_key_is_used():
    code = "\n".join(src for name, src in SOURCES.items() if name != "catalogue.py")
    quoted = set(re.findall(r"""["']([a-z][a-z0-9_.\-]*)["']""", code))
    families = tuple(FAMILIES) + ("admin.tab_", "intake.r_", "claim.why_", "nav.",
                                     "errcode.", "field.", "noun.")
    unused = [k for k in CATALOGUE if k not in quoted and not k.startswith(families)
              and k.split(".", 1)[0] not in LABEL_GROUPS]
    assert not unused, unused
