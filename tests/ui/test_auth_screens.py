"""First-run setup, sign-in, throttling, sign-out, revocation, password change,
single sign-on and the language preference, through the real app."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from desk.config import load_settings
from desk.errors import AuthError, Throttled
from desk.services import open_services
from desk.services.auth import AuthService
from desk.services.installation import init_runtime

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"
PASSWORD = "सुरक्षित पासवर्ड 2026"      # a Unicode passphrase
SSO_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback",
                        "cookie_secret": "not-a-real-secret", "client_id": "desk",
                        "client_secret": "not-a-real-secret",
                        "server_metadata_url": "https://id.example/.well-known/openid-configuration"}}


def _fresh(timeout: float = 60) -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=timeout)


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin.username").set_value(username)
    at.text_input(key="signin.password").set_value(password)
    at.button(key="signin.submit").click()
    return at.run()


@pytest.fixture
def empty_home(home):
    settings = load_settings()
    init_runtime(settings)
    return settings


def test_first_run_shows_setup_and_creates_the_first_admin(empty_home):
    at = _fresh().run()
    assert not at.exception
    assert at.title[0].value == "Welcome to Fact Desk"
    assert "signin.username" not in [w.key for w in at.text_input]
    at.text_input(key="setup.username").set_value("asha")
    at.text_input(key="setup.display_name").set_value("Asha Verma")
    at.text_input(key="setup.password").set_value(PASSWORD)
    at.text_input(key="setup.password_repeat").set_value(PASSWORD + "!")
    at.button(key="setup.submit").click()
    at.run()
    assert at.error[0].value == "The two passwords are not the same\\."
    assert at.session_state["setup.password"] == ""          # never kept in the session
    at.text_input(key="setup.password").set_value(PASSWORD)
    at.text_input(key="setup.password_repeat").set_value(PASSWORD)
    at.button(key="setup.submit").click()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Triage inbox"
    assert "Administrator created" in at.success[0].value
    svc = open_services(empty_home)
    try:
        user = svc.auth.resolve(at.session_state["auth.token"])
        assert (user.username, user.role.value) == ("asha", "admin")
        assert not svc.auth.needs_setup()
    finally:
        svc.close()
    # Once an account exists, nobody sees the setup screen again.
    assert _fresh().run().title[0].value == "Sign in to Fact Desk"


def test_setup_refuses_a_short_password(empty_home):
    at = _fresh().run()
    at.text_input(key="setup.username").set_value("asha")
    at.text_input(key="setup.password").set_value("short")
    at.text_input(key="setup.password_repeat").set_value("short")
    at.button(key="setup.submit").click()
    at.run()
    assert not at.exception
    assert "at least 10 characters" in at.error[0].value
    assert at.title[0].value == "Welcome to Fact Desk"


@pytest.fixture
def person(desk):
    uid = desk.svc.users.create(desk.system, "meera", role="fact_checker",
                                display_name="Meera", email="meera@desk.test",
                                password=PASSWORD).id
    return uid


def test_sign_in_with_a_unicode_passphrase(desk, person):
    at = _fresh().run()
    assert at.title[0].value == "Sign in to Fact Desk"
    _sign_in(at, "meera", PASSWORD)
    assert not at.exception
    assert at.title[0].value == "Triage inbox"
    assert desk.svc.auth.resolve(at.session_state["auth.token"]).id == person
    assert "signin.password" not in at.session_state or at.session_state["signin.password"] == ""


@pytest.mark.parametrize("username,password", [("meera", "wrong password!"),
                                               ("nobody", PASSWORD), ("", "")])
def test_wrong_credentials_give_one_message(desk, person, username, password):
    at = _sign_in(_fresh().run(), username, password)
    assert not at.exception
    assert [e.value for e in at.error] == ["Wrong username or password\\."]
    assert "auth.token" not in at.session_state


def test_throttling_is_shown_clearly(desk, person):
    at = _fresh().run()
    for _ in range(5):
        _sign_in(at, "meera", "wrong password!")
        assert at.error[0].value == "Wrong username or password\\."
    _sign_in(at, "meera", PASSWORD)                      # even the right password waits
    message = at.error[0].value
    assert "locked" in message and "try again in" in message
    assert "auth.token" not in at.session_state


def test_throttling_message_in_hindi(desk, person):
    at = _fresh().run()
    at.segmented_control(key="signin.language").set_value("hi").run()
    assert at.title[0].value == "फ़ैक्ट डेस्क में साइन इन करें"
    for _ in range(6):
        _sign_in(at, "meera", "wrong password!")
    assert "सेकंड बाद" in at.error[0].value


@pytest.mark.parametrize("scope,lang,expected", [
    ("account", "en", "locked; try again in 42 seconds"),
    ("desk", "en", "paused; try again in 42 seconds"),
    ("account", "hi", "42 सेकंड बाद"),
    ("desk", "hi", "रुका हुआ है; 42 सेकंड बाद"),
])
def test_throttling_shows_the_wait_from_the_error_not_its_wording(desk, person, monkeypatch,
                                                                  scope, lang, expected):
    def throttled(self, username, password):
        raise Throttled("refused (any wording at all)", retry_after=42, scope=scope)

    monkeypatch.setattr(AuthService, "sign_in", throttled)
    at = _fresh().run()
    at.segmented_control(key="signin.language").set_value(lang).run()
    _sign_in(at, "meera", PASSWORD)
    assert not at.exception
    assert expected in desk.shown(at.error[0].value)
    assert "wording" not in at.error[0].value


def test_the_desk_wide_pause_is_shown_with_its_wait(desk, person):
    at = _fresh().run()
    for n in range(50):                                      # 50 failures desk-wide in a minute
        with pytest.raises(AuthError):
            desk.svc.auth.sign_in(f"nobody{n}", "wrong password!")
    _sign_in(at, "meera", PASSWORD)
    message = desk.shown(at.error[0].value)
    assert "paused; try again in" in message and "seconds" in message
    assert "auth.token" not in at.session_state


def test_sign_out_revokes_the_session(desk, person):
    at = _sign_in(_fresh().run(), "meera", PASSWORD)
    token = at.session_state["auth.token"]
    at.button(key="app.sign_out").click().run()
    assert not at.exception
    assert at.title[0].value == "Sign in to Fact Desk"
    assert at.info[0].value == "You have signed out\\."
    with pytest.raises(AuthError):
        desk.svc.auth.resolve(token)
    # The old token, reused, is no session.
    again = _fresh()
    again.session_state["auth.token"] = token
    assert again.run().title[0].value == "Sign in to Fact Desk"


def test_a_downgraded_user_cannot_act_at_the_next_click(desk, seeded):
    at = desk.app("fact_checker")
    at.session_state["claim.id"] = seeded.other_claim
    desk.goto(at, "claim")
    assert at.button(key="claim.take")
    desk.svc.users.set_role(desk.system, desk.ids["fact_checker"], "coordinator")
    at.button(key="claim.take").click().run()
    assert not at.exception
    assert desk.svc.claims.get(desk.system, seeded.other_claim).assignee_id is None
    assert at.title[0].value == "Rebuttal library"         # the claim page is gone for them
    with pytest.raises(ValueError):
        desk.goto(at, "claim")


def test_a_deactivated_user_is_signed_out_at_the_next_click(desk, seeded):
    at = desk.app("fact_checker")
    at.multiselect(key="triage.selected").set_value([seeded.other_claim])
    at.run()
    desk.svc.users.set_active(desk.system, desk.ids["fact_checker"], False)
    at.button(key="triage.bulk_take").click().run()
    assert not at.exception
    assert at.title[0].value == "Sign in to Fact Desk"
    assert "session has ended" in at.info[0].value or "deactivated" in at.info[0].value
    assert desk.svc.claims.get(desk.system, seeded.other_claim).assignee_id is None


def test_password_change_signs_out_other_sessions(desk, person):
    first = _sign_in(_fresh().run(), "meera", PASSWORD)
    second = _sign_in(_fresh().run(), "meera", PASSWORD)
    desk.goto(second, "account")
    second.text_input(key="account.pw_current").set_value(PASSWORD)
    second.text_input(key="account.pw_new").set_value("a new passphrase 2026")
    second.text_input(key="account.pw_repeat").set_value("a new passphrase 2026")
    second.button(key="account.pw_submit").click().run()
    assert not second.exception
    assert "Password changed" in second.success[0].value
    assert second.title[0].value == "My account"
    first.run()
    assert first.title[0].value == "Sign in to Fact Desk"
    assert _sign_in(_fresh().run(), "meera", "a new passphrase 2026").title[0].value == \
        "Triage inbox"


def test_wrong_current_password_is_refused(desk, person):
    at = _sign_in(_fresh().run(), "meera", PASSWORD)
    desk.goto(at, "account")
    at.text_input(key="account.pw_current").set_value("not my password")
    at.text_input(key="account.pw_new").set_value("a new passphrase 2026")
    at.text_input(key="account.pw_repeat").set_value("a new passphrase 2026")
    at.button(key="account.pw_submit").click().run()
    assert not at.exception
    assert at.error and "wrong" in at.error[0].value.lower()
    assert at.title[0].value == "My account"


def _sso(desk, email, **claims) -> AppTest:
    at = _fresh()
    at.secrets = dict(SSO_SECRETS)
    at.user = {"is_logged_in": True, "email": email, **claims}
    return at.run()


def test_single_sign_on_maps_to_the_database_role(desk, seeded):
    at = _sso(desk, "editor@desk.test", email_verified=True)
    assert not at.exception
    assert at.title[0].value == "Triage inbox"
    user = desk.svc.auth.resolve(at.session_state["auth.token"])
    assert user.role.value == "editor"
    desk.goto(at, "review")                                  # an editor's page
    assert at.title[0].value == "Review"


@pytest.mark.parametrize("email,claims", [("stranger@elsewhere.test", {}),
                                          ("editor@desk.test", {"email_verified": False})])
def test_single_sign_on_refuses_unknown_or_unverified_identities(desk, seeded, email, claims):
    at = _sso(desk, email, **claims)
    assert not at.exception
    assert at.title[0].value == "Sign in to Fact Desk"
    assert "auth.token" not in at.session_state
    shown = " ".join(e.value for e in [*at.error, *at.info])
    assert "not registered" in shown or "verified" in shown
    assert at.button(key="signin.sso_sign_out")


def test_sign_in_page_offers_sso_only_when_configured(desk, seeded):
    plain_at = _fresh().run()
    assert "signin.sso_default" not in [b.key for b in plain_at.button]
    at = _fresh()
    at.secrets = dict(SSO_SECRETS)
    at.user = {"is_logged_in": False}
    at.run()
    assert at.button(key="signin.sso_default").label == "Sign in with single sign-on"


def test_language_preference_is_stored_on_the_user(desk, seeded):
    at = desk.app("researcher")
    at.segmented_control(key="app.language").set_value("hi").run()
    assert not at.exception
    assert at.title[0].value == "ट्राइएज इनबॉक्स"
    assert desk.svc.users.get(desk.system, desk.ids["researcher"]).language == "hi"
    # A new session of the same user starts in Hindi.
    assert desk.app("researcher").title[0].value == "ट्राइएज इनबॉक्स"
    # Changed elsewhere (another session): the stale widget does not write it back.
    desk.svc.users.set_language(desk.ids["researcher"], "en")
    at.run()
    assert at.title[0].value == "Triage inbox"
    assert desk.svc.users.get(desk.system, desk.ids["researcher"]).language == "en"


def test_language_from_the_account_page(desk, seeded):
    at = desk.app("coordinator", page="account")
    at.segmented_control(key="account.language").set_value("hi").run()
    assert not at.exception
    assert at.title[0].value == "मेरा खाता"
    assert desk.svc.users.get(desk.system, desk.ids["coordinator"]).language == "hi"
    at.segmented_control(key="account.language").set_value("en").run()
    assert at.title[0].value == "My account"


def test_the_desk_works_without_the_matching_engine(desk, seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("FACTDESK_MODEL", str(tmp_path / "no-such-model"))
    at = desk.app("fact_checker")
    assert not at.exception
    assert at.title[0].value == "Triage inbox"
    assert any("Matching is unavailable" in desk.shown(w.value) for w in at.sidebar.warning)
    assert "triage.semantic" not in [w.key for w in at.text_input]
    at.text_area(key="triage.new_text").set_value("A claim typed while matching is down")
    at.button(key="triage.new_submit").click().run()
    assert not at.exception
    assert any(c.text == "A claim typed while matching is down"
               for c in desk.svc.claims.get_many(desk.system, [r.id for r in
                                                 desk.svc.claims.queue(desk.system).rows]))
