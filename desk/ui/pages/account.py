"""Your account: language, password, sign out."""
from __future__ import annotations

import streamlit as st

from desk.ui import lookups
from desk.ui.app import language_switch, sign_out
from desk.ui.context import PageContext, current
from desk.ui.widgets import alert, field, flash, guard, heading

PASSWORD_KEYS = ("account.pw_current", "account.pw_new", "account.pw_repeat")


def _take_passwords() -> None:
    for key in PASSWORD_KEYS:
        st.session_state[f"{key}_value"] = st.session_state.get(key, "")
        st.session_state[key] = ""


def _password(ctx: PageContext) -> None:
    t = ctx.t
    heading(t("account.password"))
    with st.form("account.pw_form"):
        st.text_input(t("account.pw_current"), type="password", key="account.pw_current")
        st.text_input(t("account.pw_new"), type="password", key="account.pw_new",
                      help=t("setup.password_help"))
        st.text_input(t("account.pw_repeat"), type="password", key="account.pw_repeat")
        submitted = st.form_submit_button(t("account.pw_submit"), key="account.pw_submit",
                                          on_click=_take_passwords)
    if not submitted:
        return
    current_pw, new, repeat = (st.session_state.pop(f"{k}_value", "") for k in PASSWORD_KEYS)
    if new != repeat:
        alert("error", t("setup.mismatch"))
        return
    with guard(t) as attempt:
        ctx.svc.auth.change_password(ctx.token, current_pw, new)
    if attempt.ok:
        flash("success", t("account.pw_changed"))
        st.rerun()


def render(ctx: PageContext) -> None:
    t = ctx.t
    user = ctx.user
    st.title(t("account.title"))
    field(t("account.name"), user.display_name)
    field(t("admin.username"), user.username)
    field(t("admin.role"), t.label("role", user.role))
    field(t("admin.region"), lookups.region_label_by_id(ctx, user.region_id))
    if user.email:
        field(t("admin.email"), user.email)
    heading(t("app.language"))
    language_switch(ctx, "account.language")
    if user.has_password:
        _password(ctx)
    else:
        alert("info", t("account.sso_only"))
    st.divider()
    if st.button(t("app.sign_out"), key="account.sign_out", icon=":material/logout:"):
        sign_out(ctx)


if __name__ == "__main__":
    render(current())
