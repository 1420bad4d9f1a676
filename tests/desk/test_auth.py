"""Accounts and sessions: argon2id, Unicode passphrases, limits before hashing,
throttling, revocation, first-run setup, external identities."""
from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher

from desk.domain import Role
from desk.errors import AuthError, PermissionDenied, Throttled, ValidationError
from desk.services.auth import AuthPolicy, AuthService, token_hash
from desk.services.rebuttals import RebuttalDraft
from desk.store import audit as audit_repo

# Devanagari nukta letters stay decomposed under NFC, so a Latin "é" makes the
# NFC and NFD forms differ.
HINDI_PASSPHRASE = "मेरा चुनावी कक्ष सुरक्षित है, café वाला वाक्य काफ़ी लंबा है 🙏 ४२"
GOOD = "correct horse battery staple"


class CountingHasher(PasswordHasher):
    """A fast argon2id hasher that counts how often it does real work."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.calls = 0

    def hash(self, password, *, salt=None):  # type: ignore[override]
        self.calls += 1
        return super().hash(password, salt=salt)

    def verify(self, hash, password):  # type: ignore[override]
        self.calls += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def auth(store, clock, hasher) -> AuthService:
    return AuthService(store, clock, hasher=hasher)


@pytest.fixture
def alice(svc, system_id):
    return svc.users.create(system_id, "alice", role=Role.EDITOR, password=GOOD,
                            email="alice@example.org")


def test_default_hasher_is_argon2id_and_hash_is_what_is_stored(store, clock, svc, system_id):
    service = AuthService(store, clock)
    hashed = service.hash_password(GOOD)
    assert hashed.startswith("$argon2id$")
    default = PasswordHasher()
    assert f"m={default.memory_cost},t={default.time_cost},p={default.parallelism}" in hashed


def test_first_admin_only_once(auth):
    assert auth.needs_setup()
    admin = auth.create_first_admin("Chief", GOOD)
    assert (admin.username, admin.role, admin.has_password) == ("chief", Role.ADMIN, True)
    assert not auth.needs_setup()
    with pytest.raises(AuthError, match="already complete"):
        auth.create_first_admin("second", GOOD)
    token, user = auth.sign_in("chief", GOOD)
    assert user.id == admin.id and auth.resolve(token).id == admin.id


@pytest.mark.parametrize("password,message", [
    ("short", "at least 10"),
    (" " * 12, "only spaces"),
    ("x" * 1025, "longer than 1024 bytes"),
    ("क" * 400, "longer than 1024 bytes"),   # 400 characters, 1200 UTF-8 bytes
])
def test_weak_or_oversized_new_passwords_are_refused(auth, password, message):
    with pytest.raises(ValidationError, match=message):
        auth.create_first_admin("chief", password)
    assert auth.needs_setup()


def test_long_hindi_passphrase_works_in_either_normal_form(auth, svc, system_id):
    nfd = unicodedata.normalize("NFD", HINDI_PASSPHRASE)
    assert nfd != HINDI_PASSPHRASE
    svc.users.create(system_id, "ravi", role="fact_checker", password=nfd)
    token, user = auth.sign_in("ravi", HINDI_PASSPHRASE)
    assert user.username == "ravi"
    auth.sign_in("ravi", nfd)
    with pytest.raises(AuthError):
        auth.sign_in("ravi", HINDI_PASSPHRASE[:-1])     # nothing truncated: one char matters


def test_one_megabyte_password_is_refused_before_hashing(auth, alice, hasher):
    hasher.calls = 0
    with pytest.raises(ValidationError, match="longer than 1024 bytes"):
        auth.sign_in("alice", "p" * 1_000_000)
    with pytest.raises(ValidationError, match="longer than 1024 bytes"):
        auth.hash_password("प" * 1_000_000)
    assert hasher.calls == 0


def test_unknown_user_and_wrong_password_look_the_same(auth, alice, store):
    with pytest.raises(AuthError) as unknown:
        auth.sign_in("nobody", GOOD)
    with pytest.raises(AuthError) as wrong:
        auth.sign_in("alice", "wrong password!")
    assert str(unknown.value) == str(wrong.value) == "wrong username or password"
    failures = audit_repo.entries(store, action="auth.sign_in", outcome="denied")
    assert [f.detail["reason"] for f in failures] == ["wrong password", "unknown user or no password"]


def test_system_account_and_passwordless_accounts_cannot_sign_in(auth, svc, system_id):
    svc.users.create(system_id, "sso-only", role="coordinator")
    for name in ("system", "sso-only"):
        with pytest.raises(AuthError):
            auth.sign_in(name, GOOD)


def test_hundred_fast_wrong_attempts_are_throttled(auth, alice, hasher, clock, store):
    hasher.calls = 0
    messages = []
    for _ in range(100):
        with pytest.raises(AuthError) as exc:
            auth.sign_in("alice", "guess-" + "x" * 8)
        messages.append(str(exc.value))
    policy = auth.policy
    assert messages[:policy.max_failures] == ["wrong username or password"] * policy.max_failures
    assert all("too many failed sign-ins" in m for m in messages[policy.max_failures:])
    assert hasher.calls == policy.max_failures, "throttled attempts must not reach the hasher"
    # Even the right password is refused while locked...
    with pytest.raises(AuthError, match="too many"):
        auth.sign_in("alice", GOOD)
    # ...and works once the lockout has passed; success clears the counter.
    clock.advance(seconds=policy.lockout_base_s + 1)
    token, _ = auth.sign_in("alice", GOOD)
    assert auth.resolve(token).username == "alice"
    assert audit_repo.count(store, action="auth.sign_in", outcome="denied") == 101


def test_lockout_grows_exponentially(auth, alice, clock):
    base = auth.policy.lockout_base_s
    for _ in range(auth.policy.max_failures):
        with pytest.raises(AuthError):
            auth.sign_in("alice", "wrong wrong wrong")
    clock.advance(seconds=base + 1)
    with pytest.raises(AuthError, match="wrong username"):   # allowed to try: counts as failure 6
        auth.sign_in("alice", "wrong wrong wrong")
    clock.advance(seconds=base + 1)                             # 6th failure locks for 2 x base
    with pytest.raises(AuthError, match="too many"):
        auth.sign_in("alice", GOOD)
    clock.advance(seconds=base)
    assert auth.sign_in("alice", GOOD)[1].username == "alice"


def test_desk_wide_throttle_when_many_accounts_are_attacked(store, clock, hasher, svc, system_id):
    svc.users.create(system_id, "bob", role="editor", password=GOOD)
    auth = AuthService(store, clock, hasher=hasher, policy=AuthPolicy(global_max_failures=20))
    for n in range(20):
        with pytest.raises(AuthError, match="wrong username"):
            auth.sign_in(f"user{n}", "wrong wrong wrong")
    with pytest.raises(AuthError, match="on this desk"):
        auth.sign_in("bob", GOOD)
    clock.advance(seconds=61)
    assert auth.sign_in("bob", GOOD)[1].username == "bob"


def test_a_locked_account_says_how_long_to_wait(auth, alice, clock):
    base = auth.policy.lockout_base_s
    for _ in range(auth.policy.max_failures):
        with pytest.raises(AuthError):
            auth.sign_in("alice", "wrong wrong wrong")
    with pytest.raises(Throttled) as first:
        auth.sign_in("alice", GOOD)
    assert (first.value.retry_after, first.value.scope) == (base, "account")
    clock.advance(seconds=base - 7.5)
    with pytest.raises(Throttled) as later:
        auth.sign_in("alice", GOOD)
    assert later.value.retry_after == 8                     # rounded up, never 0
    assert isinstance(later.value, AuthError)               # callers catching AuthError still do


def test_the_desk_wide_pause_says_when_it_lifts(store, clock, hasher, svc, system_id):
    svc.users.create(system_id, "bob", role="editor", password=GOOD)
    auth = AuthService(store, clock, hasher=hasher, policy=AuthPolicy(global_max_failures=4))
    for n in range(4):                                      # failures at 0, 10, 20 and 30 s
        with pytest.raises(AuthError, match="wrong username"):
            auth.sign_in(f"user{n}", "wrong wrong wrong")
        clock.advance(seconds=10)
    # At 40 s: the oldest failure (0 s) is inside the 60 s window up to and including
    # 60 s, so sign-in resumes at 61 s, 21 s from now.
    with pytest.raises(Throttled) as paused:
        auth.sign_in("bob", GOOD)
    assert (paused.value.retry_after, paused.value.scope) == (21, "desk")
    clock.advance(seconds=20)
    with pytest.raises(Throttled) as still:
        auth.sign_in("bob", GOOD)
    assert still.value.retry_after == 1
    clock.advance(seconds=1)
    assert auth.sign_in("bob", GOOD)[1].username == "bob"


def test_a_throttled_password_change_raises_throttled(auth, alice, clock):
    token, _ = auth.sign_in("alice", GOOD)
    for _ in range(auth.policy.max_failures):
        with pytest.raises(AuthError):
            auth.change_password(token, "not my password", "a brand new passphrase")
    with pytest.raises(Throttled) as exc:
        auth.change_password(token, GOOD, "a brand new passphrase")
    assert exc.value.retry_after == auth.policy.lockout_base_s


def test_only_a_hash_of_the_token_is_stored(auth, alice, store):
    token, _ = auth.sign_in("alice", GOOD)
    stored = [r[0] for r in store.all("SELECT token_hash FROM sessions")]
    assert stored == [token_hash(token)] and token not in stored


def test_logout_revokes_the_session(auth, alice):
    token, _ = auth.sign_in("alice", GOOD)
    auth.sign_out(token)
    with pytest.raises(AuthError, match="ended"):
        auth.resolve(token)
    with pytest.raises(AuthError):
        auth.resolve("forged-token")


def test_sessions_expire_and_idle_out(auth, alice, clock):
    token, _ = auth.sign_in("alice", GOOD)
    clock.advance(seconds=auth.policy.session_idle_s + 1)
    with pytest.raises(AuthError, match="inactivity"):
        auth.resolve(token)
    token, _ = auth.sign_in("alice", GOOD)
    hours = auth.policy.session_ttl_s // 3600
    for _ in range(hours - 1):           # active every hour: never idle
        clock.advance(hours=1)
        auth.resolve(token)
    clock.advance(hours=1)
    with pytest.raises(AuthError, match="expired"):
        auth.resolve(token)


def test_downgraded_or_deactivated_user_is_stopped_at_the_next_action(auth, svc, alice,
                                                                      system_id, people):
    token, _ = auth.sign_in("alice", GOOD)
    r = svc.rebuttals.create(people["fact_checker"], RebuttalDraft("false", "t", "t"))
    r = svc.rebuttals.submit(people["fact_checker"], r.id, expected_version=r.version)
    svc.users.set_role(system_id, alice.id, "coordinator")
    user = auth.resolve(token)                     # the session is fine, the role is new
    assert user.role == Role.COORDINATOR
    with pytest.raises(PermissionDenied):
        svc.rebuttals.approve(user.id, r.id, expected_version=r.version)
    svc.users.set_active(system_id, alice.id, False)
    with pytest.raises(AuthError):
        auth.resolve(token)
    with pytest.raises(AuthError):
        auth.sign_in("alice", GOOD)


def test_password_change_revokes_other_sessions(auth, alice):
    laptop, _ = auth.sign_in("alice", GOOD)
    phone, _ = auth.sign_in("alice", GOOD)
    with pytest.raises(AuthError):
        auth.change_password(laptop, "not my password", "a brand new passphrase")
    auth.change_password(laptop, GOOD, "a brand new passphrase")
    assert auth.resolve(laptop).username == "alice"
    with pytest.raises(AuthError):
        auth.resolve(phone)
    with pytest.raises(AuthError):
        auth.sign_in("alice", GOOD)
    assert auth.sign_in("alice", "a brand new passphrase")[1].username == "alice"


def test_admin_password_reset_revokes_every_session(auth, svc, alice, system_id):
    token, _ = auth.sign_in("alice", GOOD)
    svc.users.reset_password(system_id, alice.id, "reset by the admin 123")
    with pytest.raises(AuthError):
        auth.resolve(token)


def test_external_identity_maps_to_an_existing_active_user(auth, alice, store, svc, system_id):
    token, user = auth.sign_in_external("Alice@Example.org")
    assert user.id == alice.id and auth.resolve(token).role == Role.EDITOR
    with pytest.raises(AuthError, match="not registered"):
        auth.sign_in_external("mallory@example.org")
    svc.users.set_active(system_id, alice.id, False)
    with pytest.raises(AuthError):
        auth.sign_in_external("alice@example.org")
    assert audit_repo.count(store, action="auth.sign_in_external", outcome="denied") == 2


def test_last_admin_cannot_be_removed(auth, svc):
    admin = auth.create_first_admin("chief", GOOD)
    with pytest.raises(ValidationError, match="last active administrator"):
        svc.users.set_role(admin.id, admin.id, "editor")
    with pytest.raises(ValidationError, match="last active administrator"):
        svc.users.set_active(admin.id, admin.id, False)


@pytest.mark.parametrize("username", ["ab", "has space", "<script>", "ünïcode", "-dash", "x" * 41])
def test_usernames_are_validated(svc, system_id, username):
    with pytest.raises(ValidationError, match="username"):
        svc.users.create(system_id, username, role="editor")


def test_duplicate_username_is_a_clear_error(svc, system_id, alice):
    with pytest.raises(ValidationError, match="already taken"):
        svc.users.create(system_id, "ALICE", role="editor")
    with pytest.raises(ValidationError, match="already taken"):
        svc.users.create(system_id, "system", role="editor")
