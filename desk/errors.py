"""Domain exceptions.

The core raises these; the CLI and the UI turn them into one friendly line.
Never raise bare ``Exception`` from a service.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DeskError(Exception):
    """Base class: a problem the user can understand and act on.

    The message is English.  Errors people meet often also carry a stable
    ``code`` (``"conflict"``, ``"text.empty"``, ...) and the ``params`` it needs,
    so an interface can write the message in its own language (the desk's
    catalogue has ``errcode.<code>``); anything without a code is shown as
    the English message.  Codes and their params are listed in
    ``docs/SERVICES.md``.
    """

    def __init__(self, message: str = "", *, code: str | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, Any] = dict(params or {})


class ValidationError(DeskError):
    """Input is malformed, too large, or violates a rule."""


class NotFound(DeskError):
    """The record does not exist (or is not visible to this user)."""


class PermissionDenied(DeskError):
    """The acting user's role does not allow this action."""


class Conflict(DeskError):
    """Optimistic-concurrency failure: the record changed since it was loaded."""


class InvalidTransition(DeskError):
    """A workflow transition that makes no sense from the current state."""


class AuthError(DeskError):
    """Sign-in failed, session expired or revoked, or sign-in throttled."""


class Throttled(AuthError):
    """Sign-in refused without checking the password: too many recent failures.

    ``retry_after`` is the number of whole seconds until a sign-in is allowed
    again; ``scope`` is ``"account"`` (this username is locked) or ``"desk"``
    (every password sign-in is paused).  Interfaces show these fields, never
    parse the message.
    """

    def __init__(self, message: str, *, retry_after: int, scope: str = "account") -> None:
        seconds = max(1, int(retry_after))
        super().__init__(message, code=f"throttled.{scope}", params={"seconds": seconds})
        self.retry_after = seconds
        self.scope = scope


class ImportFailed(ValidationError):
    """An import was rejected as a whole; nothing was written.

    ``line`` is the line of the file at fault (code ``import.line``, params
    ``line`` and ``detail``, the English message, unless a ``code`` is given).  ``cause`` is the error found
    on that line when it has its own code (an empty text, say), so an interface
    can translate the detail too; without a line, the cause's code is the
    import's.
    """

    def __init__(self, message: str, *, line: int | None = None,
                 cause: DeskError | None = None, code: str | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        if code is None and line is not None:
            code, params = "import.line", {"line": line, "detail": message}
        elif code is None and cause is not None:
            code, params = cause.code, cause.params
        super().__init__(f"line {line}: {message}" if line is not None else message,
                         code=code, params=params)
        self.line = line
        self.cause = cause
