"""What every service shares: the store, the clock, and the permission check.

Every public service method takes the acting user's id first.  It reloads
that user from the database (the role and active flag are never taken from
the caller or a session cache), checks one action of the permission matrix,
and only then reads or writes.  Denials raise ``PermissionDenied`` and are
audited; the audit row is written after any surrounding transaction ends, so a
rollback cannot erase it.
"""
from __future__ import annotations

from typing import Any

from desk.clock import Clock, SystemClock, iso
from desk.domain import User
from desk.errors import PermissionDenied
from desk.permissions import MATRIX, allowed
from desk.store import Store
from desk.store import audit as audit_repo
from desk.store import users as users_repo


class Service:
    """Base class: holds the collaborators and implements the permission check."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or SystemClock()

    def now(self) -> str:
        return iso(self.clock.now())

    def require(self, actor_id: int, action: str, *, entity: str | None = None,
                entity_id: int | None = None) -> User:
        """Reload the actor and check ``action``; raise ``PermissionDenied`` otherwise."""
        if action not in MATRIX:  # a programming error, not a user's
            raise KeyError(f"unknown action {action!r}")
        # bool is an int in Python; a forged True must not become user 1.
        valid_id = isinstance(actor_id, int) and not isinstance(actor_id, bool)
        user = users_repo.get(self.store, actor_id) if valid_id else None
        if user is None:
            raise self.denied(None, action, "unknown user", entity=entity, entity_id=entity_id,
                              actor_id=actor_id if valid_id else None, code="denied.unknown_user")
        if not user.active:
            raise self.denied(user, action, "account is deactivated", entity=entity,
                              entity_id=entity_id, code="denied.inactive")
        if not allowed(user.role, action):
            raise self.denied(user, action, f"role {user.role.value} may not {action}",
                              entity=entity, entity_id=entity_id, code="denied.role",
                              params={"role": user.role.value, "action": action})
        return user

    def denied(self, user: User | None, action: str, reason: str, *, entity: str | None = None,
               entity_id: int | None = None, actor_id: int | None = None,
               code: str | None = None, params: dict[str, Any] | None = None) -> PermissionDenied:
        """Audit a refusal and return the exception for the caller to raise
        (``code``/``params``: see :class:`desk.errors.DeskError`)."""
        at = self.now()
        uid = user.id if user else actor_id
        name = user.username if user else None
        role = user.role.value if user else None

        def write() -> None:
            with self.store.write():
                audit_repo.append(self.store, at=at, actor_id=uid, actor_name=name,
                                  action=action, entity=entity, entity_id=entity_id,
                                  outcome="denied", detail={"reason": reason, "role": role})

        self.store.after_transaction(write)
        return PermissionDenied(f"not allowed: {reason}", code=code, params=params)

    def audit(self, user: User | None, action: str, *, entity: str | None = None,
              entity_id: int | None = None, before: Any = None, after: Any = None,
              detail: Any = None, outcome: str = "ok") -> None:
        """Append to the audit log inside the caller's transaction."""
        audit_repo.append(self.store, at=self.now(), actor_id=user.id if user else None,
                          actor_name=user.username if user else None, action=action,
                          entity=entity, entity_id=entity_id, outcome=outcome, before=before,
                          after=after, detail=detail)
