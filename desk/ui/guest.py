"""Helpers for the pages shown before sign-in (setup and sign-in)."""
from __future__ import annotations

import streamlit as st

from desk.ui.app import GUEST_LANG_KEY
from desk.ui.i18n import LANGUAGE_NAMES, LANGUAGES, normalise_language


def _copy_language(key: str) -> None:
    st.session_state[GUEST_LANG_KEY] = normalise_language(st.session_state.get(key))


def guest_language(key: str, label: str) -> None:
    """Language choice before sign-in (kept in the session, not on an account)."""
    st.session_state[key] = normalise_language(st.session_state.get(GUEST_LANG_KEY))
    st.segmented_control(label, options=list(LANGUAGES), format_func=LANGUAGE_NAMES.get, required=True,
                         key=key, on_change=_copy_language, args=(key,))
