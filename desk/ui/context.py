"""What a page needs for one script run, handed over by the router.

The router (:mod:`desk.ui.app`) resolves the session token, opens the services
and builds a :class:`PageContext` on every run; pages get it with
:func:`current`.  It lives in a context variable for the duration of the page
run only, so nothing about the user (least of all the role) is ever read back
from ``st.session_state``.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from desk.config import Settings
from desk.domain import User
from desk.permissions import allowed
from desk.services import Services
from desk.ui.i18n import Translator


@dataclass
class PageContext:
    svc: Services
    settings: Settings
    t: Translator
    user: User | None = None        # None on the setup and sign-in pages
    token: str | None = None
    engines: Any | None = None
    pages: dict[str, Any] = field(default_factory=dict)   # page key -> st.Page
    memo: dict[str, Any] = field(default_factory=dict)    # lookups shared within one run

    @property
    def actor(self) -> int:
        if self.user is None:
            raise RuntimeError("this page needs a signed-in user")
        return self.user.id

    @property
    def lang(self) -> str:
        return self.t.lang

    def may(self, action: str) -> bool:
        """Whether the user's role (reloaded this run) allows ``action``; for
        hiding controls only, the services check again."""
        return self.user is not None and allowed(self.user.role, action)


    def once(self, key: str, load: Callable[[], Any]) -> Any:
        """``load()`` at most once per run (reference data several widgets need)."""
        if key not in self.memo:
            self.memo[key] = load()
        return self.memo[key]


_CURRENT: ContextVar[PageContext | None] = ContextVar("factdesk_page_context", default=None)


@contextlib.contextmanager
def active(ctx: PageContext) -> Iterator[PageContext]:
    token = _CURRENT.set(ctx)
    try:
        yield ctx
    finally:
        _CURRENT.reset(token)


def current() -> PageContext:
    ctx = _CURRENT.get()
    if ctx is None:
        raise RuntimeError("desk pages run through streamlit_app.py, not on their own")
    return ctx
