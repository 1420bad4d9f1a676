"""Streamlit helpers every page uses: safe text, alerts, error handling, versions.

Rules they enforce:

* untrusted text goes through ``st.text``/``st.code`` or :func:`desk.ui.safe.md_escape`;
  links become buttons only for http(s) URLs;
* every ``DeskError`` becomes a readable ``st.error`` (a ``Conflict`` says who
  changed the record and keeps the user's unsaved text on screen), never a
  traceback;
* edits send the version the user *saw* (rendered in the previous run) as
  ``expected_version``, so a change made meanwhile by someone else is refused.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import streamlit as st

from desk.errors import AuthError, Conflict, DeskError, NotFound, PermissionDenied, Throttled
from desk.ui.i18n import Translator
from desk.ui.messages import describe
from desk.ui.safe import is_http_url, md_escape

FLASH_KEY = "app.flash"


# -- text --------------------------------------------------------------------------

def plain(text: object) -> None:
    """Untrusted text, shown literally."""
    st.text(str(text if text is not None else ""))


def caption(text: object) -> None:
    st.caption(md_escape(text))


def heading(text: object, level: int = 3) -> None:
    """A heading whose text is shown literally (it may contain user input)."""
    if level <= 2:
        st.header(md_escape(text), anchor=False)
    else:
        st.subheader(md_escape(text), anchor=False)


def field(label: str, value: object) -> None:
    """``label: value`` on one line; both shown literally."""
    st.markdown(f"**{md_escape(label)}:** {md_escape(value if value not in (None, '') else '—')}")


def link(url: object, label: str, *, key: str | None = None) -> None:
    """A link button for an http(s) URL; anything else is shown as plain text."""
    if is_http_url(url):
        # Button labels render Markdown (even links): the label may be a source title.
        st.link_button(md_escape(label), str(url), key=key)
    elif url:
        plain(url)


def alert(kind: str, message: object) -> None:
    """``st.error``/``warning``/``info``/``success`` with the message escaped."""
    getattr(st, kind)(md_escape(message))


def flash(kind: str, message: str) -> None:
    """An alert shown at the top of the next run (survives ``st.rerun``)."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop(FLASH_KEY, []) or []:
        alert(kind, message)


# -- errors ---------------------------------------------------------------------------

@dataclass
class Attempt:
    ok: bool = False
    error: DeskError | None = None


def error_message(t: Translator, exc: DeskError) -> str:
    """A translated lead-in and the error itself, in the reader's language where the
    error has a code (:func:`desk.ui.messages.describe`)."""
    detail = describe(t, exc)
    if isinstance(exc, Throttled):
        return t("error.general", detail=detail)
    if isinstance(exc, Conflict):
        return t("error.conflict", detail=detail)
    # "Not allowed for your role" would be wrong for a four-eyes refusal: the role may.
    if isinstance(exc, PermissionDenied) and exc.code != "denied.four_eyes":
        return t("error.denied", detail=detail)
    if isinstance(exc, NotFound):
        return t("error.not_found", detail=detail)
    if isinstance(exc, AuthError):
        return t("error.auth", detail=detail)
    return t("error.general", detail=detail)


@contextlib.contextmanager
def guard(t: Translator, *, unsaved: Mapping[str, object] | None = None) -> Iterator[Attempt]:
    """Run an action; a ``DeskError`` becomes an ``st.error`` instead of a traceback.

    ``unsaved`` maps labels to the user's unsaved input: on a ``Conflict`` it is
    shown again (with a copy button) so nothing typed is lost.
    """
    attempt = Attempt()
    try:
        yield attempt
    except DeskError as exc:
        attempt.error = exc
        st.error(md_escape(error_message(t, exc)))
        if isinstance(exc, Conflict) and unsaved:
            st.warning(md_escape(t("error.unsaved_kept")))
            for label, value in unsaved.items():
                if value:
                    caption(label)
                    st.code(str(value), language=None, wrap_lines=True)
    else:
        attempt.ok = True


# -- optimistic versions ------------------------------------------------------------------

def seen_version(key: str, current: int) -> int:
    """The version the user saw when they clicked (the one rendered in the previous
    run), and remember ``current`` as what this run renders.

    Call once per record per run, before rendering the record's action buttons.
    """
    previous = st.session_state.get(key)
    st.session_state[key] = current
    return previous if isinstance(previous, int) and not isinstance(previous, bool) else current


def remember(key: str, value: Any) -> Any:
    st.session_state[key] = value
    return value


# -- progress --------------------------------------------------------------------------

class ProgressBar:
    """A ``st.progress`` bar that services can call as ``progress(done, total)``,
    ``progress(fraction)`` or ``progress(stage, done, total)``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bar = st.progress(0.0, text=md_escape(text))

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        numbers = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
        labels = [a for a in args if isinstance(a, str)]
        if len(numbers) >= 2 and numbers[1]:
            fraction = numbers[0] / numbers[1]
        elif numbers:
            fraction = float(numbers[0])
        else:
            return
        text = f"{self.text} · {labels[0]}" if labels else self.text
        self.bar.progress(min(1.0, max(0.0, fraction)), text=md_escape(text))

    def done(self) -> None:
        self.bar.progress(1.0, text=md_escape(self.text))


def optional_service(ctx: Any, name: str) -> Any | None:
    """``svc.<name>`` when that service is installed (matching, intake, publishing)."""
    return getattr(ctx.svc, name, None)


def live_matching(ctx: Any) -> Any | None:
    """``svc.matching`` when the engines are loaded in this process, else ``None``
    (searches would only refuse; the page hides them instead)."""
    return optional_service(ctx, "matching") if ctx.engines is not None else None


def table(data: Any, key: str, *, where: Any = None) -> None:
    """A read-only table (cells are shown as text) in a container keyed ``key``,
    so tests and the browser find it (CSS class ``st-key-<key>``)."""
    with (where or st).container(key=key):
        st.dataframe(data, hide_index=True, width="stretch")
