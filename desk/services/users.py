"""Account administration: create users, change roles, deactivate, reset passwords."""
from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Sequence

from desk.clock import Clock
from desk.domain import Role, User
from desk.errors import NotFound, ValidationError
from desk.services import validate
from desk.services.auth import AuthService
from desk.services.base import Service
from desk.store import Store
from desk.store import regions as regions_repo
from desk.store import users as users_repo
from desk.store.common import load_for_update, update_versioned


def generate_password() -> str:
    """A random 20-character password for accounts created without one."""
    return secrets.token_urlsafe(15)


def _public(user: User) -> dict:
    return {k: v for k, v in asdict(user).items() if k not in ("has_password",)}


class UserService(Service):
    """Admin-only account management (``user.*`` actions)."""

    def __init__(self, store: Store, clock: Clock | None = None, *, auth: AuthService) -> None:
        super().__init__(store, clock)
        self.auth = auth

    def list(self, actor_id: int) -> list[User]:
        self.require(actor_id, "user.view")
        return users_repo.list_users(self.store)

    def get(self, actor_id: int, user_id: int) -> User:
        """Anyone may read their own account; other accounts need ``user.view``."""
        if actor_id != user_id:
            self.require(actor_id, "user.view", entity="user", entity_id=user_id)
        else:
            self.require(actor_id, "account.view_own", entity="user", entity_id=user_id)
        user = users_repo.get(self.store, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        return user

    def display_names(self, actor_id: int, user_ids: Sequence[int]) -> dict[int, str]:
        """``{id: display name}`` for showing authors and reviewers (any role)."""
        self.require(actor_id, "user.names")
        return users_repo.display_names(self.store, list(user_ids))

    def by_username(self, actor_id: int, username: str) -> User:
        self.require(actor_id, "user.view")
        user = users_repo.by_username(self.store, username.strip())
        if user is None:
            raise NotFound(f"no user called {username.strip()[:40]!r}")
        return user

    def create(self, actor_id: int, username: str, *, role: Role | str,
               display_name: str | None = None, email: str | None = None,
               language: str | None = None, region_code: str | None = None,
               password: str | None = None) -> User:
        """Create an account.  Without ``password`` the account cannot sign in until
        an administrator sets one (or the user signs in through SSO by email)."""
        actor = self.require(actor_id, "user.create", entity="user")
        name = validate.username(username)
        role = validate.choice(Role, role, "role")
        shown = validate.text(display_name, "display name", max_chars=200, required=False) or name
        mail = validate.email(email)
        lang = validate.text(language, "language", max_chars=20, required=False)
        hashed = self.auth.hash_password(password) if password is not None else None
        with self.store.write():
            if users_repo.by_username(self.store, name) is not None:
                raise ValidationError(f"username {name!r} is already taken")
            if mail and users_repo.by_email(self.store, mail) is not None:
                raise ValidationError(f"email {mail!r} belongs to another account")
            region_id = None
            if region_code:
                region = regions_repo.by_code(self.store, region_code.strip())
                if region is None:
                    raise ValidationError(f"unknown region code {region_code.strip()[:40]!r}")
                region_id = region.id
            uid = users_repo.insert(
                self.store, username=name, display_name=shown, role=role, email=mail,
                language=lang, region_id=region_id, password_hash=hashed, at=self.now(),
                actor_id=actor.id)
            user = users_repo.get(self.store, uid)
            assert user is not None
            self.audit(actor, "user.create", entity="user", entity_id=uid, after=_public(user))
        return user

    def set_role(self, actor_id: int, user_id: int, role: Role | str, *,
                 expected_version: int | None = None) -> User:
        """Change a role; it applies at the user's next action (sessions never cache it)."""
        actor = self.require(actor_id, "user.set_role", entity="user", entity_id=user_id)
        role = validate.choice(Role, role, "role")
        with self.store.write():
            row = load_for_update(self.store, "users", user_id, expected_version, noun="user")
            if row["is_system"]:
                raise ValidationError("the built-in system account cannot be changed")
            if row["role"] == Role.ADMIN and role != Role.ADMIN:
                self._keep_an_admin(user_id)
            after = update_versioned(self.store, "users", row, {"role": role.value},
                                     actor_id=actor.id, at=self.now())
            self.audit(actor, "user.set_role", entity="user", entity_id=user_id,
                       before={"role": row["role"]}, after={"role": after["role"]})
        user = users_repo.get(self.store, user_id)
        assert user is not None
        return user

    def set_active(self, actor_id: int, user_id: int, active: bool, *,
                   expected_version: int | None = None) -> User:
        """Deactivate (revoking every session) or reactivate an account."""
        actor = self.require(actor_id, "user.deactivate", entity="user", entity_id=user_id)
        with self.store.write():
            row = load_for_update(self.store, "users", user_id, expected_version, noun="user")
            if row["is_system"]:
                raise ValidationError("the built-in system account cannot be changed")
            if not active and row["role"] == Role.ADMIN and row["active"]:
                self._keep_an_admin(user_id)
            update_versioned(self.store, "users", row, {"active": int(bool(active))},
                             actor_id=actor.id, at=self.now())
            revoked = 0
            if not active:
                revoked = users_repo.revoke_user_sessions(self.store, user_id, at=self.now(),
                                                          reason="account deactivated")
            self.audit(actor, "user.deactivate" if not active else "user.reactivate",
                       entity="user", entity_id=user_id, before={"active": bool(row["active"])},
                       after={"active": bool(active)}, detail={"sessions_revoked": revoked})
        user = users_repo.get(self.store, user_id)
        assert user is not None
        return user

    def reset_password(self, actor_id: int, user_id: int, new_password: str) -> None:
        """Set another user's password; all of that user's sessions are revoked."""
        actor = self.require(actor_id, "user.reset_password", entity="user", entity_id=user_id)
        hashed = self.auth.hash_password(new_password)
        with self.store.write():
            row = load_for_update(self.store, "users", user_id, None, noun="user")
            if row["is_system"]:
                raise ValidationError("the built-in system account has no password")
            at = self.now()
            update_versioned(self.store, "users", row,
                             {"password_hash": hashed, "password_changed_at": at},
                             actor_id=actor.id, at=at)
            revoked = users_repo.revoke_user_sessions(self.store, user_id, at=at,
                                                      reason="password reset")
            self.audit(actor, "user.reset_password", entity="user", entity_id=user_id,
                       detail={"sessions_revoked": revoked})

    def set_language(self, actor_id: int, language: str | None) -> User:
        """Change your own interface language (``users.language``; ``None``: the default)."""
        actor = self.require(actor_id, "account.view_own", entity="user", entity_id=actor_id)
        lang = validate.text(language, "language", max_chars=20, required=False)
        with self.store.write():
            row = load_for_update(self.store, "users", actor.id, None, noun="user")
            update_versioned(self.store, "users", row, {"language": lang}, actor_id=actor.id,
                             at=self.now())
            self.audit(actor, "user.set_language", entity="user", entity_id=actor.id,
                       before={"language": row["language"]}, after={"language": lang})
        user = users_repo.get(self.store, actor.id)
        assert user is not None
        return user

    def _keep_an_admin(self, user_id: int) -> None:
        if not users_repo.other_active_admins(self.store, user_id):
            raise ValidationError("this is the last active administrator; appoint another first")
