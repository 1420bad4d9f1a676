"""docs/SERVICES.md documents the matching, intake and publishing services and the
EngineSet with their exact parameter names (like tests/desk/test_docs.py does for the core)."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from desk.services import EngineSet
from desk.services.intake import IntakeService
from desk.services.matching import MatchingService
from desk.services.publishing import PublishingService

DOC = (Path(__file__).resolve().parents[3] / "docs" / "SERVICES.md").read_text(encoding="utf-8")
SECTIONS = {MatchingService: "## MatchingService", IntakeService: "## IntakeService",
            PublishingService: "## PublishingService", EngineSet: "## EngineSet"}
INTERNAL = {"now", "require", "denied", "audit"}


def _methods():
    for cls, heading in SECTIONS.items():
        members = inspect.getmembers(cls, lambda m: inspect.isfunction(m) or inspect.ismethod(m))
        for name, fn in members:
            if not name.startswith("_") and name not in INTERNAL:
                yield cls, heading, name, fn


CASES = list(_methods())


@pytest.mark.parametrize("cls,heading,name,fn", CASES,
                         ids=[f"{c.__name__}.{n}" for c, _, n, _ in CASES])
def test_every_method_is_documented_with_its_parameters(cls, heading, name, fn):
    parts = DOC.split(heading, 1)
    assert len(parts) == 2, f"docs/SERVICES.md has no section {heading}"
    body = parts[1].split("\n## ", 1)[0]
    match = re.search(rf"^(?:engines\.|engines = EngineSet\.)?{name}\((.*?)\) ->", body,
                      re.MULTILINE | re.DOTALL)
    assert match, f"{cls.__name__}.{name} is not documented"
    documented = re.findall(r"(\w+)\s*:", match.group(1))
    params = [p for p in inspect.signature(fn).parameters if p not in ("self", "cls")]
    assert documented == params, f"{cls.__name__}.{name}: documented {documented}, code {params}"


def test_the_contract_methods_are_all_there():
    names = {(c.__name__, n) for c, _, n, _ in CASES}
    assert {("MatchingService", "search"), ("MatchingService", "suggest_for_claim"),
            ("IntakeService", "import_whatsapp"), ("PublishingService", "whatsapp_text"),
            ("EngineSet", "ensure_synced"), ("EngineSet", "create")} <= names
