"""Input checks shared by the services: text, URLs, timestamps, enums.

Text is kept verbatim (HTML and scripts are data, rendered as literal text by
the UI and escaped by the exporters); only surrounding whitespace is trimmed.
What is refused: non-strings, lone surrogates (not encodable as UTF-8), NUL
characters, empty required values and values over the limit.
"""
from __future__ import annotations

from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit

from desk.clock import iso, parse_iso
from desk.errors import ValidationError

MAX_TEXT_CHARS = 20_000
MAX_SHORT_CHARS = 500
MAX_URL_CHARS = 2_000

E = TypeVar("E", bound=StrEnum)


def text(value: object, field: str, *, max_chars: int = MAX_TEXT_CHARS,
         required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"{field} is empty", code="text.empty", params={"field": field})
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{field} contains characters that are not valid Unicode",
                              code="text.not_unicode", params={"field": field}) from None
    if "\x00" in value:
        raise ValidationError(f"{field} contains a NUL character", code="text.nul",
                              params={"field": field})
    value = value.strip()
    if len(value) > max_chars:
        raise ValidationError(f"{field} is too long ({len(value)} characters; limit {max_chars})",
                              code="text.too_long",
                              params={"field": field, "length": len(value), "limit": max_chars})
    return value


def required_text(value: object, field: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    result = text(value, field, max_chars=max_chars, required=True)
    assert result is not None
    return result


def url(value: object, field: str = "URL") -> str | None:
    """An http(s) URL, or None.  Anything else (javascript:, data:) is refused."""
    cleaned = text(value, field, max_chars=MAX_URL_CHARS, required=False)
    if cleaned is None:
        return None
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(f"{field} must be an http or https address: {cleaned[:80]!r}")
    if any(c.isspace() for c in cleaned):
        raise ValidationError(f"{field} must not contain spaces")
    return cleaned


def timestamp(value: object, field: str, *, required: bool = False) -> str | None:
    """An ISO-8601 time (or date), returned in the stored UTC form."""
    if value is None or value == "":
        if required:
            raise ValidationError(f"{field} is required")
        return None
    if not isinstance(value, str):
        try:
            return iso(value)  # type: ignore[arg-type]
        except (AttributeError, TypeError, ValueError):
            raise ValidationError(f"{field} must be an ISO-8601 time") from None
    try:
        return iso(parse_iso(value))
    except ValueError:
        raise ValidationError(f"{field} must be an ISO-8601 time, got {value[:40]!r}") from None


def choice(enum: type[E], value: object, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        options = ", ".join(e.value for e in enum)
        raise ValidationError(f"{field} must be one of {options}; got {str(value)[:40]!r}") from None


def expected_version(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError("expected_version must be the version you loaded (a positive integer)")
    return value


_USERNAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def username(value: object) -> str:
    """3-40 characters of a-z, 0-9, '.', '_' or '-' (stored lower-case)."""
    name = required_text(value, "username", max_chars=40).lower()
    if len(name) < 3 or not set(name) <= _USERNAME_OK or not name[0].isalnum():
        raise ValidationError(
            "username must be 3-40 characters: letters a-z, digits, '.', '_' or '-'")
    return name


def email(value: object) -> str | None:
    cleaned = text(value, "email", max_chars=254, required=False)
    if cleaned is None:
        return None
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in cleaned):
        raise ValidationError(f"not an email address: {cleaned[:80]!r}")
    return cleaned.lower()
