"""Claim records: the fields a claim may carry, and their validation.

Used for every CSV/JSON row and for a single claim typed into the desk.  Text
is kept verbatim (only surrounding whitespace is trimmed): HTML, scripts and
markdown links are data here, made safe where they are shown or exported.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from desk.errors import ValidationError
from desk.intake.dates import DateOrder, epoch_to_iso, parse_datetime_value
from desk.intake.limits import IntakeLimits
from desk.intake.regions import STATES
from desk.intake.senders import normalize_sender

FIELDS: tuple[str, ...] = ("text", "channel", "source_url", "source_group", "seen_at",
                           "region_code", "topic", "language", "sender")
LANGUAGES: tuple[str, ...] = ("hi", "hi-Latn", "en", "mixed")
MAX_URL_CHARS = 2048

Record = dict[str, str | None]

_LANGUAGE_ALIASES = {
    "hi": "hi", "hin": "hi", "hindi": "hi", "हिंदी": "hi", "हिन्दी": "hi", "hi-deva": "hi",
    "en": "en", "eng": "en", "english": "en", "अंग्रेजी": "en", "अंग्रेज़ी": "en", "इंग्लिश": "en",
    "hi-latn": "hi-Latn", "hinglish": "hi-Latn", "roman hindi": "hi-Latn", "हिंग्लिश": "hi-Latn",
    "mixed": "mixed", "code-mixed": "mixed", "codemixed": "mixed", "मिश्रित": "mixed",
}
_CHANNEL_ALIASES = {
    "wa": "whatsapp", "whatsapp": "whatsapp", "whats app": "whatsapp", "व्हाट्सएप": "whatsapp",
    "व्हाट्सऐप": "whatsapp", "fb": "facebook", "facebook": "facebook", "फेसबुक": "facebook",
    "twitter": "twitter", "x": "twitter", "ट्विटर": "twitter", "yt": "youtube", "youtube": "youtube",
    "यूट्यूब": "youtube", "insta": "instagram", "instagram": "instagram",
    "इंस्टाग्राम": "instagram", "telegram": "telegram", "टेलीग्राम": "telegram",
    "sharechat": "sharechat", "शेयरचैट": "sharechat", "sms": "sms", "एसएमएस": "sms",
}
_REGION_CODE = re.compile(r"^(?:IN-)?([A-Z]{2})$")
_SPACES = re.compile(r"\s+")


def _key(value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value).replace("\u093c", "")).strip().casefold()


_REGION_NAMES = {_key(name): code for code, names in STATES.items() for name in names}
_REGION_NAMES.update({_key(code[3:]): code for code in STATES})


@dataclass(frozen=True)
class RowError:
    """A problem with one row of a CSV/JSON file."""

    line: int
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def normalize_region(value: str) -> str:
    """``UP``, ``in-up``, ``Uttar Pradesh``, ``उत्तर प्रदेश`` → ``IN-UP``; ``ValueError`` otherwise."""
    code = _REGION_NAMES.get(_key(value))
    if code:
        return code
    m = _REGION_CODE.match(value.strip().upper())
    if m and f"IN-{m.group(1)}" in STATES:
        return f"IN-{m.group(1)}"
    raise ValueError(f"region_code {_show(value)} is not an Indian state or a code like IN-UP")


def normalize_language(value: str) -> str:
    """``Hindi``/``हिंदी`` → ``hi``, ``Hinglish`` → ``hi-Latn``…; ``ValueError`` otherwise."""
    code = _LANGUAGE_ALIASES.get(_key(value))
    if code is None:
        raise ValueError(f"language {_show(value)} is not one of {', '.join(LANGUAGES)}")
    return code


def normalize_channel(value: str) -> str:
    """Common spellings of platforms folded (``WA`` → ``whatsapp``); others lower-cased."""
    key = _key(value)
    return _CHANNEL_ALIASES.get(key, key)


def normalize_url(value: str) -> str:
    """An http(s) link; a bare ``bit.ly/x`` gets ``https://``.  ``ValueError`` otherwise."""
    url = value.strip()
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"source_url is longer than {MAX_URL_CHARS} characters")
    if re.search(r"\s", url):
        raise ValueError("source_url contains spaces")
    if "://" not in url and re.match(r"^[\w-]+(?:\.[\w-]+)+(?:[/?#]|$)", url):
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"source_url {_show(url)} is not an http(s) link")
    return url


def validate_fields(raw: Mapping[str, object], *, limits: IntakeLimits,
                    date_order: DateOrder = "DMY") -> tuple[Record, bool, list[tuple[str, str]]]:
    """Validate one record given by our field names.

    Returns ``(record, sender_is_phone, problems)``: the record has every field
    of ``FIELDS`` (``None`` when missing or blank), and ``problems`` lists
    ``(field, message)``; the record is only usable when it is empty.
    """
    record: Record = dict.fromkeys(FIELDS)
    problems: list[tuple[str, str]] = []
    is_phone = False
    for name in FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append((name, f"{name} must be text, not {type(value).__name__}"))
            continue
        if name == "seen_at" and isinstance(value, (int, float)):
            try:
                record[name] = epoch_to_iso(float(value))
            except (OverflowError, ValueError):
                problems.append((name, f"seen_at {value!r} is not a date"))
            continue
        text = str(value)
        if "\x00" in text:
            problems.append((name, f"{name} contains a NUL character"))
            continue
        if not text.strip():
            continue
        cap = limits.max_message_chars if name == "text" else limits.max_field_chars
        if len(text) > cap:
            problems.append((name, f"{name} is {len(text)} characters long; the limit is {cap}"))
            continue
        try:
            record[name], phone = _normalize(name, text, date_order)
        except (ValueError, OverflowError) as exc:
            problems.append((name, str(exc) if name != "seen_at" else
                             f"seen_at {_show(text)} is not a date (write 2026-11-22, "
                             "22/11/2026 or 22/11/2026 21:05)"))
            continue
        is_phone = is_phone or phone
    if record["text"] is None and not any(field == "text" for field, _ in problems):
        problems.insert(0, ("text", "text is empty"))
    return record, is_phone, problems


def _normalize(name: str, text: str, order: DateOrder) -> tuple[str, bool]:
    if name == "text":
        return text.strip(), False
    if name == "sender":
        return normalize_sender(text)
    value = {
        "channel": normalize_channel,
        "source_url": normalize_url,
        "seen_at": lambda v: parse_datetime_value(v, order),
        "region_code": normalize_region,
        "language": normalize_language,
    }.get(name, lambda v: _SPACES.sub(" ", v).strip())(text)
    return value, False


def validate_claim(fields: Mapping[str, object], *,
                   limits: IntakeLimits | None = None) -> tuple[Record, bool]:
    """Validate a single claim typed into the desk.

    Returns ``(record, sender_is_phone)``.  Raises ``ValidationError`` naming
    every problem in one sentence; unknown field names are an error too.
    """
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValidationError(f"unknown claim field(s): {', '.join(unknown)}")
    record, is_phone, problems = validate_fields(fields, limits=limits or IntakeLimits())
    if problems:
        raise ValidationError("; ".join(message for _, message in problems))
    return record, is_phone


def _show(value: str) -> str:
    # Echo a short piece of the offending value, never a whole cell.
    return repr(value if len(value) <= 40 else value[:37] + "…")
