"""Sign in with a desk account (or single sign-on, when configured)."""
from __future__ import annotations

import streamlit as st

from desk.errors import AuthError, DeskError, Throttled
from desk.ui.app import NOTICE_KEY, SSO_REFUSED_KEY, TOKEN_KEY, sso_providers
from desk.ui.context import PageContext, current
from desk.ui.guest import guest_language
from desk.ui.widgets import alert, error_message


def _take_password() -> None:
    st.session_state["signin.password_value"] = st.session_state.get("signin.password", "")
    st.session_state["signin.password"] = ""


def _password_form(ctx: PageContext) -> None:
    t = ctx.t
    with st.form("signin.form"):
        username = st.text_input(t("signin.username"), key="signin.username", max_chars=200)
        st.text_input(t("signin.password"), type="password", key="signin.password")
        submitted = st.form_submit_button(t("signin.submit"), key="signin.submit", type="primary",
                                          on_click=_take_password)
    if not submitted:
        return
    password = st.session_state.pop("signin.password_value", "")
    try:
        token, _user = ctx.svc.auth.sign_in(username, password)
    except Throttled as exc:
        key = "signin.paused" if exc.scope == "desk" else "signin.locked"
        alert("error", t(key, seconds=exc.retry_after))
        return
    except AuthError:
        alert("error", t("signin.failed"))
        return
    except DeskError as exc:
        alert("error", error_message(t, exc))
        return
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop(NOTICE_KEY, None)
    st.rerun()


def _single_sign_on(ctx: PageContext) -> None:
    providers = sso_providers()
    if not providers:
        return
    t = ctx.t
    st.divider()
    if st.session_state.get(SSO_REFUSED_KEY) and st.user.get("is_logged_in"):
        alert("error", t("signin.sso_refused", email=st.session_state[SSO_REFUSED_KEY]))
        if st.button(t("signin.sso_sign_out"), key="signin.sso_sign_out"):
            st.session_state.pop(SSO_REFUSED_KEY, None)
            st.logout()
        return
    for name in providers:
        label = t("signin.sso", provider=name.title() if name else t("signin.sso_default"))
        if st.button(label, key=f"signin.sso_{name or 'default'}",
                     icon=":material/key:"):
            st.login(name) if name else st.login()


def render(ctx: PageContext) -> None:
    t = ctx.t
    guest_language("signin.language", t("app.language"))
    st.title(t("signin.title"))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        alert("info", notice)
    _password_form(ctx)
    _single_sign_on(ctx)


if __name__ == "__main__":
    render(current())
