"""Domain exceptions.

The core raises these; the CLI and the UI turn them into one friendly line.
Never raise bare ``Exception`` from a service.
"""
from __future__ import annotations


class DeskError(Exception):
    """Base class: a problem the user can understand and act on."""


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
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
        self.scope = scope


class ImportFailed(ValidationError):
    """An import was rejected as a whole; nothing was written."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line
