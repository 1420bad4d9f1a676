"""Fixtures shared by every test package.

Runtime state never leaks between tests: an autouse fixture points
``FACTDESK_HOME`` at a fresh temporary directory.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.embedding import FakeEmbedder

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("FACTDESK_BENCH", REPO.parent / "shared" / "bench"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("FACTDESK_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return home


@pytest.fixture
def home(_isolated_home):
    return _isolated_home


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    if not BENCH.is_dir():
        pytest.skip(f"benchmark data not found at {BENCH}")
    return BENCH


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled all-MiniLM-L6-v2, loaded once per test session (slow tests only)."""
    from index.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()
