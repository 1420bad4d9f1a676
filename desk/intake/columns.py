"""Which file column holds which claim field: auto-detection and explicit mappings."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from desk.errors import ImportFailed
from desk.intake.records import FIELDS

# Header names people use, in English, Hinglish and Hindi.  Compared after
# header_key(): case, spaces, underscores and punctuation do not matter.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "text": ("text", "claim", "claim text", "claims", "message", "message text", "msg",
             "content", "body", "post", "rumour", "rumor", "statement", "forward",
             "dawa", "sandesh", "दावा", "दावे", "दावा पाठ", "संदेश", "मैसेज", "मेसेज", "पाठ",
             "टेक्स्ट", "विवरण", "सामग्री", "खबर"),
    "channel": ("channel", "platform", "medium", "app", "social media", "source platform",
                "माध्यम", "प्लेटफॉर्म", "प्लेटफार्म", "चैनल", "मंच"),
    "source_url": ("source url", "url", "link", "source link", "href", "web link", "post url",
                   "लिंक", "यूआरएल", "स्रोत लिंक", "स्रोत यूआरएल"),
    "source_group": ("source group", "group", "group name", "whatsapp group", "chat",
                     "chat name", "ग्रुप", "समूह", "ग्रुप का नाम", "समूह का नाम"),
    "seen_at": ("seen at", "seen", "seen on", "date", "datetime", "date time", "timestamp",
                "time", "received", "received at", "received on", "reported at",
                "reported on", "created at", "posted at", "dinank", "tarikh", "दिनांक",
                "तारीख", "तिथि", "समय", "दिनांक और समय", "प्राप्ति तिथि"),
    "region_code": ("region code", "region", "state", "state code", "pradesh", "rajya",
                    "राज्य", "क्षेत्र", "प्रदेश"),
    "topic": ("topic", "topics", "category", "categories", "subject", "theme", "tag", "tags",
              "vishay", "विषय",
              "श्रेणी", "मुद्दा", "वर्ग"),
    "language": ("language", "lang", "bhasha", "भाषा"),
    "sender": ("sender", "sender name", "from", "author", "posted by", "reported by",
               "forwarded by", "phone", "mobile", "bhejne wala", "भेजने वाला", "भेजनेवाला",
               "प्रेषक", "नाम", "फोन", "मोबाइल"),
}

_PUNCT = re.compile(r"[\s_\-.:/()#*'\"]+")


def header_key(name: str) -> str:
    """Fold a header for comparison: NFC, nukta removed, case and punctuation ignored."""
    name = unicodedata.normalize("NFC", name).replace("\u093c", "").replace("\ufeff", "")
    return _PUNCT.sub("", name.casefold())


_LOOKUP = {header_key(s): field for field, names in HEADER_SYNONYMS.items() for s in names}


def detect_mapping(columns: Sequence[str]) -> dict[str, str]:
    """Guess ``{our field: column}`` from header names; the first matching column wins."""
    mapping: dict[str, str] = {}
    for column in columns:
        field = _LOOKUP.get(header_key(column))
        if field is not None and field not in mapping:
            mapping[field] = column
    return mapping


def resolve_mapping(columns: Sequence[str], mapping: Mapping[str, str | None] | None,
                    *, require_text: bool = True) -> dict[str, str]:
    """The mapping to use: ``mapping`` where given, auto-detection for the rest.

    ``mapping`` maps our field names to the file's column names (CSV headers
    or JSON keys); a value of ``None`` keeps a field out even if a column
    looks like it.  Raises ``ImportFailed`` for unknown fields, columns that
    are not in the file, a column used twice, or no text column at all.
    """
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ImportFailed(f"unknown field(s) in the column mapping: {', '.join(unknown)} "
                           f"(known: {', '.join(FIELDS)})")
    present = set(columns)
    resolved: dict[str, str] = {}
    for field, column in mapping.items():
        if column is None:
            continue
        if column not in present:
            raise ImportFailed(f"the column {column!r} mapped to {field} is not in the file "
                               f"(columns: {_listing(columns)})")
        resolved[field] = column
    used = list(resolved.values())
    twice = {c for c in used if used.count(c) > 1}
    if twice:
        raise ImportFailed(f"the column {sorted(twice)[0]!r} is mapped to more than one field")
    for field, column in detect_mapping([c for c in columns if c not in used]).items():
        if field not in mapping:
            resolved[field] = column
    if require_text and "text" not in resolved:
        raise ImportFailed("no column holds the claim text; map one to 'text' "
                           f"(columns: {_listing(columns)})")
    return {field: resolved[field] for field in FIELDS if field in resolved}


def _listing(columns: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in list(columns)[:12])
    return shown + (", …" if len(columns) > 12 else "") if columns else "none"
