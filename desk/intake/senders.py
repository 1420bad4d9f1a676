"""Sender names and phone numbers as they appear in exports and spreadsheets."""
from __future__ import annotations

import re
import unicodedata

# Android wraps phone numbers in U+202A…U+202C; newer exports prefix people who
# are not saved contacts with "~" and a (narrow) no-break space.
_BIDI_AND_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                         "\u2066\u2067\u2068\u2069\ufeff"))
_PHONE = re.compile(r"^\+?\d[\d \-().\u00a0\u202f\u2011]{5,24}\d$")
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d \-()\u00a0\u202f\u2011]{5,24}\d")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def normalize_sender(raw: str) -> tuple[str, bool]:
    """Return ``(sender, is_phone)``.

    Bidi marks and the ``~`` prefix are dropped and whitespace collapsed.  A
    phone number becomes ``+`` and digits (``+91 98765 43210`` →
    ``+919876543210``) so that the same number hashes the same whatever the
    formatting; the caller must hash it before storing.
    """
    name = unicodedata.normalize("NFC", raw.translate(_BIDI_AND_MARKS))
    name = _SPACES.sub(" ", name).strip()
    if name.startswith("~"):
        name = name[1:].strip()
    if _PHONE.match(name):
        digits = re.sub(r"\D", "", name)
        if 7 <= len(digits) <= 15:
            return ("+" if name.startswith("+") else "") + digits, True
    return name, False


def strip_bidi(text: str) -> str:
    """Remove bidi embedding/isolate controls and marks (WhatsApp wraps numbers in them)."""
    return text.translate(_BIDI_AND_MARKS)


def mask_phones(text: str) -> str:
    """Replace phone-number-like runs (7+ digits) with ``[phone]``."""
    def repl(m: re.Match[str]) -> str:
        return "[phone]" if sum(ch.isdigit() for ch in m.group()) >= 7 else m.group()

    return _PHONE_IN_TEXT.sub(repl, text)
