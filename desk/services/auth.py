"""Local accounts: argon2id passwords, throttled sign-in, server-side sessions.

* Passwords are NFC-normalised, then hashed with ``argon2-cffi``'s
  ``PasswordHasher`` (argon2id, its defaults).  Longer than
  ``max_password_bytes`` (UTF-8) is refused *before* hashing, so a 1 MB
  "password" costs nothing.
* Sign-in is throttled: after ``max_failures`` failures for one username the
  account locks for ``lockout_base_s * 2**(n - max_failures)`` seconds (capped),
  and when more than ``global_max_failures`` failures happen within
  ``global_window_s`` every password sign-in waits.  Throttled attempts never
  reach the hasher.  Every failure is audited.
* A session is a random token given to the client; only its SHA-256 is stored.
  ``resolve(token)`` rereads the user (role, active flag) on every call, so a
  role change or deactivation takes effect at the user's next action.
"""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
import math
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from desk.clock import Clock, iso, parse_iso
from desk.domain import Role, User
from desk.errors import AuthError, Throttled, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.store import Store
from desk.store import users as users_repo


@dataclass(frozen=True)
class AuthPolicy:
    min_password_chars: int = 10
    max_password_bytes: int = 1024
    max_failures: int = 5
    lockout_base_s: int = 30
    lockout_max_s: int = 3600
    failure_memory_s: int = 24 * 3600      # failures older than this are forgotten
    global_window_s: int = 60
    global_max_failures: int = 50
    session_ttl_s: int = 12 * 3600         # absolute lifetime
    session_idle_s: int = 2 * 3600         # sign out after this long without activity
    touch_every_s: int = 60                # how often last_seen_at is written


def normalize_password(password: object, policy: AuthPolicy) -> str:
    """NFC-normalise and check the size limit; never hashes."""
    if not isinstance(password, str):
        raise ValidationError("password must be text")
    # Cheap bound first: a code point is at most 4 UTF-8 bytes.
    if len(password) > policy.max_password_bytes:
        raise ValidationError(f"password is longer than {policy.max_password_bytes} bytes",
                              code="password.too_long",
                              params={"limit": policy.max_password_bytes})
    nfc = unicodedata.normalize("NFC", password)
    try:
        size = len(nfc.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValidationError("password contains characters that are not valid Unicode") from None
    if size > policy.max_password_bytes:
        raise ValidationError(f"password is longer than {policy.max_password_bytes} bytes",
                              code="password.too_long", params={"limit": policy.max_password_bytes})
    return nfc


def check_new_password(password: object, policy: AuthPolicy) -> str:
    """Normalise a new password and apply the length rules."""
    nfc = normalize_password(password, policy)
    if len(nfc) < policy.min_password_chars:
        raise ValidationError(f"password must be at least {policy.min_password_chars} characters",
                              code="password.too_short", params={"limit": policy.min_password_chars})
    if not nfc.strip():
        raise ValidationError("password must not be only spaces")
    return nfc


def _whole_seconds(left: timedelta) -> int:
    """Seconds to wait, rounded up (never 0: "try again in 0 s" would be wrong)."""
    return max(1, math.ceil(left.total_seconds()))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _username_key(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().casefold()[:200]


class AuthService(Service):
    """Sign-in, sessions and first-run setup.  Methods here take credentials or a
    session token instead of an actor id."""

    def __init__(self, store: Store, clock: Clock | None = None, *,
                 hasher: PasswordHasher | None = None, policy: AuthPolicy | None = None) -> None:
        super().__init__(store, clock)
        self.hasher = hasher or PasswordHasher()
        self.policy = policy or AuthPolicy()
        self._dummy_hash: str | None = None

    # -- first run ----------------------------------------------------------------

    def needs_setup(self) -> bool:
        """True while no account exists besides the built-in system actor."""
        return users_repo.count_people(self.store) == 0

    def create_first_admin(self, username: str, password: str, *,
                           display_name: str | None = None, email: str | None = None) -> User:
        """Create the first administrator; refused once any account exists."""
        name = validate.username(username)
        pw = check_new_password(password, self.policy)
        mail = validate.email(email)
        hashed = self.hasher.hash(pw)
        with self.store.write():
            if users_repo.count_people(self.store) != 0:
                raise AuthError("setup is already complete; ask an administrator for an account")
            uid = users_repo.insert(
                self.store, username=name, display_name=(display_name or name).strip()[:200],
                role=Role.ADMIN, email=mail, language=None, region_id=None,
                password_hash=hashed, at=self.now(), actor_id=None)
            user = users_repo.get(self.store, uid)
            self.audit(user, "user.create", entity="user", entity_id=uid,
                       after={"username": name, "role": "admin"}, detail={"first_admin": True})
        assert user is not None
        return user

    # -- passwords ------------------------------------------------------------------

    def hash_password(self, password: str) -> str:
        """Validate a new password and return its argon2id hash."""
        return self.hasher.hash(check_new_password(password, self.policy))

    # -- sign-in ------------------------------------------------------------------------

    def _throttle(self, key: str, now_dt: datetime) -> Throttled | None:
        """The refusal to raise before checking a password, or ``None``."""
        p = self.policy
        since_dt = now_dt - timedelta(seconds=p.global_window_s)
        since = iso(since_dt)
        overall = users_repo.failures_overall(self.store, since)
        if overall >= p.global_max_failures:
            # The pause lifts once enough failures have left the window: the one that
            # takes the count below the limit is the (overall - limit)-th oldest.  The
            # window includes its first (whole) second, hence the extra second.
            pivot = users_repo.failure_time_at(self.store, since, overall - p.global_max_failures)
            leaves = ((parse_iso(pivot) if pivot else now_dt)
                      + timedelta(seconds=p.global_window_s + 1))
            secs = _whole_seconds(leaves - now_dt)
            return Throttled(f"too many failed sign-ins on this desk; try again in {secs} s",
                             retry_after=secs, scope="desk")
        count, last = users_repo.failures_for(
            self.store, key, iso(now_dt - timedelta(seconds=p.failure_memory_s)))
        if count >= p.max_failures and last:
            wait = min(p.lockout_base_s * 2 ** (count - p.max_failures), p.lockout_max_s)
            until = parse_iso(last) + timedelta(seconds=wait)
            if now_dt < until:
                secs = _whole_seconds(until - now_dt)
                return Throttled(f"too many failed sign-ins for this account; try again in {secs} s",
                                 retry_after=secs, scope="account")
        return None

    def _fail(self, key: str, user: User | None, reason: str, *,
              error: AuthError | None = None) -> AuthError:
        """Audit a refused sign-in and return the error to raise.  A throttled attempt
        (``error`` given) is not counted as a failure: it never reached the hasher."""
        at = self.now()
        with self.store.write():
            if error is None:
                users_repo.add_failure(self.store, key, at)
            self.audit(user, "auth.sign_in", entity="user", entity_id=user.id if user else None,
                       outcome="denied", detail={"reason": reason, "username": key})
        return error or AuthError("wrong username or password", code="auth.failed")

    def sign_in(self, username: str, password: str) -> tuple[str, User]:
        """Check a password; return ``(token, user)`` for a new session.

        Raises ``AuthError`` (one message for unknown user and wrong password),
        ``Throttled`` (an ``AuthError`` with ``retry_after`` seconds) while the
        account is locked or sign-in is paused, ``ValidationError`` for an
        over-long password.
        """
        if not isinstance(username, str) or not username.strip():
            raise AuthError("wrong username or password", code="auth.failed")
        key = _username_key(username)
        now_dt = self.clock.now()
        throttled = self._throttle(key, now_dt)
        if throttled:
            raise self._fail(key, None, "throttled", error=throttled)
        pw = normalize_password(password, self.policy)   # too long: refused, never hashed
        user = users_repo.by_username(self.store, username.strip())
        stored = users_repo.password_hash(self.store, user.id) if user else None
        if user is None or stored is None or user.is_system:
            self._burn(pw)   # same cost as a real check, so timing reveals nothing
            raise self._fail(key, user, "unknown user or no password")
        try:
            self.hasher.verify(stored, pw)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise self._fail(key, user, "wrong password") from None
        if not user.active:
            raise self._fail(key, user, "account deactivated")
        token = self._open_session(user, "password", clear_failures_for=key)
        if self.hasher.check_needs_rehash(stored):
            with self.store.write():
                users_repo.rehash_password(self.store, user.id, self.hasher.hash(pw))
        return token, user

    def sign_in_external(self, email: str) -> tuple[str, User]:
        """Map an identity already verified by an SSO provider to an active user.

        Roles come from our database; an unknown or deactivated identity is refused.
        """
        if not isinstance(email, str) or "@" not in email:
            raise AuthError("no verified email in the external identity")
        user = users_repo.by_email(self.store, email.strip())
        if user is None or not user.active:
            with self.store.write():
                self.audit(user, "auth.sign_in_external", entity="user",
                           entity_id=user.id if user else None, outcome="denied",
                           detail={"email": email.strip()[:200],
                                   "reason": "unknown identity" if user is None else "deactivated"})
            raise AuthError("this account is not registered on the desk; ask an administrator",
                            code="auth.not_registered")
        return self._open_session(user, "external"), user

    def _burn(self, password: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_hex(16))
        try:
            self.hasher.verify(self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            pass

    def _open_session(self, user: User, method: str, *, clear_failures_for: str | None = None) -> str:
        token = secrets.token_urlsafe(32)
        now_dt = self.clock.now()
        with self.store.write():
            if clear_failures_for:
                users_repo.clear_failures(self.store, clear_failures_for)
            users_repo.prune_failures(
                self.store, iso(now_dt - timedelta(seconds=self.policy.failure_memory_s)))
            sid = users_repo.insert_session(
                self.store, token_hash=token_hash(token), user_id=user.id, method=method,
                at=iso(now_dt), expires_at=iso(now_dt + timedelta(seconds=self.policy.session_ttl_s)))
            self.audit(user, "auth.sign_in", entity="session", entity_id=sid,
                       detail={"method": method})
        return token

    # -- sessions ----------------------------------------------------------------------

    def _session(self, token: str) -> dict:
        if not isinstance(token, str) or not token:
            raise AuthError("not signed in", code="session.missing")
        row = users_repo.session_by_hash(self.store, token_hash(token))
        if row is None:
            raise AuthError("session not found; sign in again", code="session.missing")
        return row

    def resolve(self, token: str) -> User:
        """The user behind a session token, reread from the database.

        Raises ``AuthError`` when the session is unknown, revoked, expired or idle
        too long, or the account is deactivated.
        """
        row = self._session(token)
        now_dt = self.clock.now()
        if row["revoked_at"]:
            raise AuthError("this session has ended; sign in again", code="session.ended")
        if now_dt >= parse_iso(row["expires_at"]):
            raise AuthError("session expired; sign in again", code="session.expired")
        last = parse_iso(row["last_seen_at"])
        if now_dt - last > timedelta(seconds=self.policy.session_idle_s):
            raise AuthError("signed out after inactivity; sign in again", code="session.idle")
        user = users_repo.get(self.store, row["user_id"])
        if user is None or not user.active:
            raise AuthError("this account is deactivated", code="session.deactivated")
        if now_dt - last >= timedelta(seconds=self.policy.touch_every_s):
            with self.store.write():
                users_repo.touch_session(self.store, row["id"], iso(now_dt))
        return user

    def sign_out(self, token: str) -> None:
        """Revoke the session (the token is useless afterwards)."""
        row = self._session(token)
        user = users_repo.get(self.store, row["user_id"])
        with self.store.write():
            users_repo.revoke_session(self.store, row["id"], at=self.now(), reason="logout")
            self.audit(user, "auth.sign_out", entity="session", entity_id=row["id"])

    def change_password(self, token: str, current_password: str, new_password: str) -> None:
        """Change your own password; every other session of yours is revoked."""
        user = self.resolve(token)
        row = self._session(token)
        key = _username_key(user.username)
        throttled = self._throttle(key, self.clock.now())
        if throttled:
            raise self._fail(key, user, "throttled", error=throttled)
        stored = users_repo.password_hash(self.store, user.id)
        try:
            self.hasher.verify(stored or "", normalize_password(current_password, self.policy))
        except (VerificationError, InvalidHashError):
            raise self._fail(key, user, "wrong current password") from None
        hashed = self.hash_password(new_password)
        with self.store.write():
            at = self.now()
            users_repo.set_password_hash(self.store, user.id, hashed, at=at, actor_id=user.id)
            revoked = users_repo.revoke_user_sessions(self.store, user.id, at=at,
                                                      reason="password changed",
                                                      except_session_id=row["id"])
            self.audit(user, "user.change_password", entity="user", entity_id=user.id,
                       detail={"other_sessions_revoked": revoked})
