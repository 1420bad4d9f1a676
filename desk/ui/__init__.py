"""The Streamlit desk: a router (``streamlit_app.py`` -> :mod:`desk.ui.app`) and thin pages.

Pages read widgets, call services and render.  They hold no rules: permissions,
workflow and validation live in ``desk.services``.  Every string a person reads
comes from the catalogue in :mod:`desk.ui.i18n` (English and Hindi).  Text that
users, imports or the engine supplied is shown as literal text, never as HTML or
live Markdown (:mod:`desk.ui.safe`).  See ``docs/UI.md``.
"""
