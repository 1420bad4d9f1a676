"""docs/SERVICES.md stays in step with the code: every public service method
is documented with its exact parameter names."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import desk.services as services

DOC = (Path(__file__).resolve().parents[2] / "docs" / "SERVICES.md").read_text(encoding="utf-8")
CLASSES = [services.AuthService, services.UserService, services.RegionService,
           services.ClaimService, services.SightingService, services.FactService,
           services.RebuttalService, services.MatchLinkService, services.NoteService,
           services.PullService, services.SettingsService, services.AdminService]
INTERNAL = {"now", "require", "denied", "audit"}


def _methods():
    for cls in CLASSES:
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_") and name not in INTERNAL:
                yield cls.__name__, name, fn


@pytest.mark.parametrize("cls,name,fn", list(_methods()),
                         ids=[f"{c}.{n}" for c, n, _ in _methods()])
def test_every_service_method_is_documented(cls, name, fn):
    section = DOC.split(f"## {cls}", 1)
    assert len(section) == 2, f"docs/SERVICES.md has no section for {cls}"
    body = section[1].split("\n## ", 1)[0]
    match = re.search(rf"^{name}\((.*?)\) ->", body, re.MULTILINE | re.DOTALL)
    assert match, f"{cls}.{name} is not documented in docs/SERVICES.md"
    documented = re.findall(r"(\w+)\s*:", match.group(1))
    params = [p for p in inspect.signature(fn).parameters if p != "self"]
    assert documented == params, f"{cls}.{name}: documented {documented}, code {params}"
