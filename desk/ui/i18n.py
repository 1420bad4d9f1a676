"""The interface in English and Hindi: one catalogue, one translator.

Every string a person reads in the desk is a key of :data:`desk.ui.catalogue.CATALOGUE`
with both languages.  Pages call ``t("triage.title")`` or, for values of the
domain's enums, ``t.label("status", claim.status)``.  ``tests/ui/test_i18n.py``
checks that every key has both languages, that every key the pages use exists,
and that every enum value has a label.

Translations are plain text (no Markdown); placeholders use ``str.format``
names (``{count}``).  A missing key never breaks a page: it shows the key.
"""
from __future__ import annotations

import string
from typing import Any, Mapping

from desk.ui.catalogue import CATALOGUE

LANGUAGES: tuple[str, ...] = ("en", "hi")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "hi": "हिन्दी"}

#: Enum groups with labels in the catalogue: ``t.label(group, value)`` reads
#: ``f"{group}.{value}"``.
LABEL_GROUPS: tuple[str, ...] = (
    "status", "rstatus", "verdict", "role", "channel", "reason", "tier", "decision",
    "level", "fstatus", "lang", "kind",
)


class _Params(dict):
    """Missing placeholders stay visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def normalise_language(lang: object) -> str:
    """A supported language code (``en`` for anything unknown)."""
    code = str(lang or "").strip().lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """``t(key, **params)`` in one language."""

    def __init__(self, lang: str | None,
                 catalogue: Mapping[str, Mapping[str, str]] = CATALOGUE) -> None:
        self.lang = normalise_language(lang)
        self.catalogue = catalogue

    def __call__(self, key: str, **params: Any) -> str:
        entry = self.catalogue.get(key)
        if entry is None:
            return key
        text = entry.get(self.lang) or entry.get(DEFAULT_LANGUAGE) or key
        if params:
            text = string.Formatter().vformat(text, (), _Params(params))
        return text

    def label(self, group: str, value: object) -> str:
        """The label of an enum value (``status.new`` -> "New" / "नया")."""
        raw = getattr(value, "value", value)
        if raw is None or raw == "":
            return self("common.none")
        key = f"{group}.{raw}"
        return self(key) if key in self.catalogue else str(raw)

    def has(self, key: str) -> bool:
        return key in self.catalogue
