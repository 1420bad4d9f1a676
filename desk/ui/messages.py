"""Domain errors in the reader's language.

The services raise English messages; the errors people meet most also carry a
stable ``code`` and ``params`` (:class:`desk.errors.DeskError`).  :func:`describe`
renders those from the catalogue (``errcode.<code>``) in the user's language,
translating the parameters that name things the catalogue knows (a field, a
kind of record, a status, a role); anything without a code, or with a code the
catalogue does not have yet, is shown as the service wrote it.
"""
from __future__ import annotations

import re
from typing import Any

from desk.errors import DeskError, ImportFailed
from desk.ui.i18n import Translator

#: Which label group the ``current``/``target`` statuses of a code belong to.
_STATUS_GROUP = {
    "transition.claim": "status", "transition.claim_direct": "status",
    "transition.rebuttal": "rstatus", "transition.rebuttal_edit": "rstatus",
}
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: object) -> str:
    return _SLUG.sub("_", str(text).lower()).strip("_")


def _when(value: object) -> str:
    """A stored UTC time as people read it (``2026-11-22 10:15 UTC``)."""
    text = str(value)
    if len(text) >= 16 and text[10:11] == "T":
        return f"{text[:10]} {text[11:16]} UTC"
    return text


def _param(t: Translator, code: str, name: str, value: Any) -> Any:
    if name == "field":
        key = f"field.{_slug(value)}"
        return t(key) if t.has(key) else value
    if name == "noun":
        key = f"noun.{_slug(value)}"
        return t(key) if t.has(key) else value
    if name in ("current", "target") and code in _STATUS_GROUP:
        return t.label(_STATUS_GROUP[code], value)
    if name == "role":
        return t.label("role", value)
    if name == "at":
        return _when(value)
    return value


def describe(t: Translator, exc: DeskError) -> str:
    """The error's message in ``t``'s language (the English message as fallback)."""
    code = getattr(exc, "code", None)
    key = f"errcode.{code}"
    if not code or not t.has(key):
        return str(exc)
    params = {name: _param(t, code, name, value)
              for name, value in (getattr(exc, "params", None) or {}).items()}
    cause = getattr(exc, "cause", None) if isinstance(exc, ImportFailed) else None
    if isinstance(cause, DeskError) and "detail" in params:
        params["detail"] = describe(t, cause)
    return t(key, **params)
