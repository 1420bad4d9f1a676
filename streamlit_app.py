"""Fact Desk in the browser: ``streamlit run streamlit_app.py``.

This file only routes; :mod:`desk.ui.app` decides who is signed in and which
pages their role may use, and the pages live in ``desk/ui/pages/``.
"""
from desk.ui.app import main

main()
