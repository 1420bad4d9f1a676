"""Import boundaries: UI -> services -> store and index, never the other way.

* only ``desk/store`` runs SQL (imports sqlite3 / sqlite_utils);
* only ``index/`` touches FAISS, torch, sentence-transformers, onnxruntime;
* only ``desk/ui`` and ``streamlit_app.py`` import Streamlit;
* ``index/`` never imports ``desk``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

RULES = [
    # (module prefix that may be imported, path prefixes allowed to import it)
    ("sqlite3", ("desk/store/",)),
    ("sqlite_utils", ("desk/store/",)),
    ("faiss", ("index/",)),
    ("torch", ("index/",)),
    ("sentence_transformers", ("index/",)),
    ("onnxruntime", ("index/",)),
    ("streamlit", ("desk/ui/", "streamlit_app.py")),
    ("desk", ("desk/", "streamlit_app.py")),
]


def _sources():
    for path in [REPO / "streamlit_app.py", *sorted((REPO / "desk").rglob("*.py")),
                 *sorted((REPO / "index").rglob("*.py"))]:
        if path.exists():
            yield path.relative_to(REPO).as_posix(), path


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_there_are_sources_to_check():
    assert any(rel.startswith("index/") for rel, _ in _sources())
    assert any(rel.startswith("desk/") for rel, _ in _sources())


@pytest.mark.parametrize("module,allowed", RULES)
def test_import_boundary(module, allowed):
    offenders = []
    for rel, path in _sources():
        for name in _imports(path):
            if (name == module or name.startswith(module + ".")) and not rel.startswith(allowed):
                offenders.append(f"{rel} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_services_do_not_import_ui():
    offenders = [
        f"{rel} imports {name}"
        for rel, path in _sources()
        if not rel.startswith("desk/ui/") and rel != "streamlit_app.py"
        for name in _imports(path)
        if name.startswith("desk.ui")
    ]
    assert not offenders, "\n".join(offenders)
