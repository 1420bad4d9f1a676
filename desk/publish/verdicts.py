"""The verdicts a rebuttal can carry, with their labels and ClaimReview ratings.

The table is data so the desk's verdict set and the exporters cannot drift
apart silently: an unknown verdict is refused when an ``ExportRebuttal`` is
built.  ``rating`` places a verdict on ClaimReview's 1 (false) … 5 (true) scale;
verdicts that are not a point on a truth scale (``unverified``, ``satire``)
have no rating and are published with ``alternateName`` only, which is all
Google's ClaimReview guidelines require.
"""
from __future__ import annotations

from dataclasses import dataclass

from desk.errors import ValidationError

WORST_RATING = 1
BEST_RATING = 5


@dataclass(frozen=True)
class Verdict:
    code: str
    label_en: str
    label_hi: str
    rating: int | None

    def label(self, lang: str) -> str:
        """The human label in ``lang`` (Devanagari Hindi for ``hi``, English otherwise)."""
        return self.label_hi if uses_hindi_labels(lang) else self.label_en


VERDICTS: dict[str, Verdict] = {
    v.code: v
    for v in (
        Verdict("false", "False", "गलत", 1),
        Verdict("misleading", "Misleading", "भ्रामक", 2),
        Verdict("partly_true", "Partly true", "आंशिक रूप से सही", 3),
        Verdict("true", "True", "सही", 5),
        Verdict("unverified", "Unverified", "अपुष्ट", None),
        Verdict("satire", "Satire", "व्यंग्य", None),
    )
}


def uses_hindi_labels(lang: str | None) -> bool:
    """Devanagari labels for Hindi; romanised Hindi (``hi-Latn``) readers get English ones."""
    return bool(lang) and lang.lower().split("-")[0] == "hi" and "latn" not in lang.lower()


def get_verdict(code: str) -> Verdict:
    """Look a verdict up by code; unknown codes are a ``ValidationError``."""
    try:
        return VERDICTS[code]
    except (KeyError, TypeError):
        known = ", ".join(VERDICTS)
        raise ValidationError(f"unknown verdict {code!r}; expected one of: {known}") from None
