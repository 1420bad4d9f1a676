"""Stable per-message keys, so re-importing an overlapping export adds nothing twice."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d"
                                    "\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"))
_SPACE = re.compile(r"\s+")


def canonical_text(text: str) -> str:
    """NFC, invisible and bidi characters removed, whitespace runs collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACE.sub(" ", text).strip()


def message_key(group: str | None, timestamp: datetime | str, sender: str | None,
                text: str) -> str:
    """A 32-hex-digit key for one chat message.

    The timestamp is cut to the minute (Android exports have no seconds, iOS
    ones do) and all parts are put through ``canonical_text``, so the same
    message in two overlapping exports of the same group gets the same key.
    ZWJ/ZWNJ are removed too: keyboards disagree on them in Devanagari.
    """
    if isinstance(timestamp, str):
        timestamp = datetime.fromisoformat(timestamp)
    minute = timestamp.replace(second=0, microsecond=0, tzinfo=None).isoformat(timespec="minutes")
    parts = (canonical_text(group or ""), minute, canonical_text(sender or ""), canonical_text(text))
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]
