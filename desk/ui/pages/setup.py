"""First run: create the first administrator.  There are no default passwords."""
from __future__ import annotations

import streamlit as st

from desk.ui.app import TOKEN_KEY
from desk.ui.context import PageContext, current
from desk.ui.guest import guest_language
from desk.ui.widgets import alert, flash, guard


def _take_passwords() -> None:
    # Move the passwords out of the widgets at once: they never linger in the session.
    for key in ("setup.password", "setup.password_repeat"):
        st.session_state[f"{key}_value"] = st.session_state.get(key, "")
        st.session_state[key] = ""


def render(ctx: PageContext) -> None:
    t = ctx.t
    guest_language("setup.language", t("app.language"))
    st.title(t("setup.title"))
    st.info(t("setup.intro"))
    with st.form("setup.form"):
        username = st.text_input(t("setup.username"), key="setup.username", max_chars=40,
                                 help=t("setup.username_help"))
        display = st.text_input(t("setup.display_name"), key="setup.display_name",
                                max_chars=200)
        email = st.text_input(t("setup.email"), key="setup.email", max_chars=254,
                              help=t("setup.email_help"))
        st.text_input(t("setup.password"), type="password", key="setup.password",
                      help=t("setup.password_help"))
        st.text_input(t("setup.password_repeat"), type="password", key="setup.password_repeat")
        submitted = st.form_submit_button(t("setup.submit"), key="setup.submit", type="primary",
                                          on_click=_take_passwords)
    if not submitted:
        return
    password = st.session_state.pop("setup.password_value", "")
    repeat = st.session_state.pop("setup.password_repeat_value", "")
    if password != repeat:
        alert("error", t("setup.mismatch"))
        return
    with guard(t) as attempt:
        ctx.svc.auth.create_first_admin(username, password, display_name=display or None,
                                        email=email or None)
        token, _user = ctx.svc.auth.sign_in(username, password)
    if attempt.ok:
        st.session_state[TOKEN_KEY] = token
        flash("success", t("setup.done"))
        st.rerun()


if __name__ == "__main__":
    render(current())
