"""The router behind ``streamlit_app.py``: who is this, and which pages may they see?

On every run (every click) it:

1. opens the services for this run (one SQLite connection, closed afterwards);
2. shows the first-run setup screen while no account exists;
3. resolves the session token kept in ``st.session_state["auth.token"]`` with
   ``svc.auth.resolve`` — the user, role and active flag are reread from the
   database, so a logout, password change, role change or deactivation applies
   at the next click.  Nothing else about the user is kept in session state;
4. optionally maps a single-sign-on identity (``st.login``, configured in
   ``[auth]`` of ``.streamlit/secrets.toml``) to an existing account;
5. builds ``st.navigation`` from the pages that user's role may use and runs
   the chosen page with a :class:`desk.ui.context.PageContext`.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from desk.config import Settings
from desk.domain import User
from desk.errors import AuthError, DeskError
from desk.services import Services
from desk.ui import nav, resources
from desk.ui.context import PageContext, active
from desk.ui.i18n import LANGUAGE_NAMES, LANGUAGES, Translator, normalise_language
from desk.ui.messages import describe
from desk.ui.safe import md_escape
from desk.ui.widgets import alert, caption, error_message, plain, show_flashes

TOKEN_KEY = "auth.token"
GUEST_LANG_KEY = "app.lang"
NOTICE_KEY = "signin.notice"
SSO_REFUSED_KEY = "signin.sso_refused"


def main() -> None:
    # An emoji icon becomes an inline data: favicon; a ":material/...:" one makes every
    # browser fetch it from fonts.gstatic.com (an outside request on every page load).
    st.set_page_config(page_title="Fact Desk", page_icon="✅", layout="wide")
    settings = resources.settings()
    try:
        _run(settings)
    except DeskError as exc:
        # Only reached when the desk itself cannot start (damaged secret or database).
        t = Translator(st.session_state.get(GUEST_LANG_KEY))
        st.error(md_escape(error_message(t, exc)))


def _run(settings: Settings) -> None:
    token = st.session_state.get(TOKEN_KEY)
    engines, engine_problem = (resources.engine_set(settings) if isinstance(token, str)
                               else (None, None))
    with resources.open_desk(settings, engines) as svc:
        guest_t = Translator(st.session_state.get(GUEST_LANG_KEY))
        if svc.auth.needs_setup():
            _guest_page(svc, settings, guest_t, nav.SETUP)
            return
        user = _resolve(svc, token)
        if user is None:
            signed = _sso_sign_in(svc)
            if signed is not None:
                st.rerun()
            _guest_page(svc, settings, guest_t, nav.SIGN_IN)
            return
        _member_pages(svc, settings, engines, engine_problem, user, token)


def _resolve(svc: Services, token: Any) -> User | None:
    if not isinstance(token, str) or not token:
        st.session_state.pop(TOKEN_KEY, None)
        return None
    try:
        return svc.auth.resolve(token)
    except AuthError as exc:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state[NOTICE_KEY] = describe(Translator(st.session_state.get(GUEST_LANG_KEY)),
                                                exc)
        return None


# -- single sign-on ----------------------------------------------------------------------

def sso_providers() -> list[str | None]:
    """Configured ``st.login`` providers (``None`` = the default one); empty when
    ``[auth]`` is not configured."""
    try:
        auth = st.secrets["auth"] if "auth" in st.secrets else None
    except Exception:  # noqa: BLE001 - no or unreadable secrets: SSO is simply off
        return []
    if not hasattr(auth, "keys"):
        return []
    providers: list[str | None] = [None] if "client_id" in auth else []
    providers += sorted(k for k in auth.keys() if hasattr(auth[k], "keys"))
    return providers


def _sso_sign_in(svc: Services) -> User | None:
    """Map a verified SSO identity to a desk account; roles come from our database."""
    if not sso_providers() or not st.user.get("is_logged_in"):
        return None
    email = st.user.get("email")
    if st.session_state.get(SSO_REFUSED_KEY) == email:
        return None
    try:
        if st.user.get("email_verified") is False:
            raise AuthError("the identity provider has not verified this email address")
        token, user = svc.auth.sign_in_external(email if isinstance(email, str) else "")
    except AuthError as exc:
        st.session_state[SSO_REFUSED_KEY] = email
        st.session_state[NOTICE_KEY] = describe(Translator(st.session_state.get(GUEST_LANG_KEY)),
                                                exc)
        return None
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop(NOTICE_KEY, None)
    return user


# -- pages -----------------------------------------------------------------------------------

def _guest_page(svc: Services, settings: Settings, t: Translator, spec: nav.PageSpec) -> None:
    page = st.Page(spec.script, title=t(spec.title_key), icon=spec.icon, url_path=spec.key,
                   default=True)
    # Every member page's address shows this page too, so a link to /claim?claim=7
    # asks for a sign-in (not "page not found") and opens the claim right after.
    aliases = [st.Page(spec.script, title=t(spec.title_key), icon=spec.icon, url_path=p.key)
               for p in nav.PAGES]
    current = st.navigation([page, *aliases], position="hidden")
    ctx = PageContext(svc=svc, settings=settings, t=t, pages={spec.key: page})
    _run_page(ctx, current)


def _member_pages(svc: Services, settings: Settings, engines: Any, engine_problem: str | None,
                  user: User, token: str) -> None:
    t = Translator(user.language or st.session_state.get(GUEST_LANG_KEY))
    home = nav.home_page(user.role)
    pages: dict[str, Any] = {}
    sections: dict[str, list[Any]] = {}
    for spec in nav.pages_for(user.role):
        page = st.Page(spec.script, title=t(spec.title_key), icon=spec.icon, url_path=spec.key,
                       default=spec.key == home)
        pages[spec.key] = page
        sections.setdefault(t(spec.section), []).append(page)
    current = st.navigation(sections)
    ctx = PageContext(svc=svc, settings=settings, t=t, user=user, token=token, engines=engines,
                      pages=pages)
    _sidebar(ctx, engine_problem)
    _run_page(ctx, current)


def _run_page(ctx: PageContext, current: Any) -> None:
    with active(ctx):
        show_flashes()
        try:
            current.run()
        except DeskError as exc:
            # Pages guard their actions; this catches what a page did not expect
            # (a record deleted meanwhile, a permission revoked mid-run).
            st.error(md_escape(error_message(ctx.t, exc)))


# -- sidebar ----------------------------------------------------------------------------------

def _mark(flag: str) -> None:
    st.session_state[flag] = True


def language_switch(ctx: PageContext, key: str, *, where: Any = None) -> None:
    """A language selector stored on the user (``users.language``).

    Only a change the user made in this widget is saved: a stale widget value
    (the preference was changed in another session) is replaced by the
    database's value instead of being written back.
    """
    box = where or st
    flag = f"{key}_changed"
    if st.session_state.pop(flag, False):
        chosen = normalise_language(st.session_state.get(key))
        if chosen != ctx.lang:
            try:
                ctx.svc.users.set_language(ctx.actor, chosen)
            except DeskError as exc:
                st.error(md_escape(error_message(ctx.t, exc)))
            else:
                st.rerun()
    st.session_state[key] = ctx.lang
    box.segmented_control(ctx.t("app.language"), options=list(LANGUAGES), required=True,
                          format_func=lambda code: LANGUAGE_NAMES[code], key=key,
                          on_change=_mark, args=(flag,))


def _sidebar(ctx: PageContext, engine_problem: str | None) -> None:
    user = ctx.user
    assert user is not None
    with st.sidebar:
        plain(user.display_name)
        caption(f"{ctx.t('app.signed_in_as', username=user.username)} · "
                f"{ctx.t.label('role', user.role)}")
        language_switch(ctx, "app.language")
        if st.button(ctx.t("app.sign_out"), key="app.sign_out", icon=":material/logout:"):
            sign_out(ctx)
        if engine_problem:
            alert("warning", ctx.t("app.matching_unavailable", detail=engine_problem))


def sign_out(ctx: PageContext) -> None:
    """End the server-side session (the token is useless afterwards)."""
    if ctx.token:
        try:
            ctx.svc.auth.sign_out(ctx.token)
        except AuthError:
            pass  # already ended elsewhere
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state[NOTICE_KEY] = ctx.t("signin.signed_out")
    if sso_providers() and st.user.get("is_logged_in"):
        st.logout()
    st.rerun()
