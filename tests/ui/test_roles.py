"""What each role sees and may do in the desk (AppTest from streamlit_app.py).

The tables below are the issue's rules written out by hand, not derived from
``desk/ui/nav.py``, so a wrong page registry fails them.
"""
from __future__ import annotations

import itertools

import pytest

from desk.domain import Role

ROLES = tuple(r.value for r in Role)

# role -> pages in its navigation
VISIBLE = {
    "admin": {"triage", "claim", "review", "research", "library", "dashboard", "admin",
              "account"},
    "editor": {"triage", "claim", "review", "research", "library", "dashboard", "admin",
               "account"},
    "fact_checker": {"triage", "claim", "research", "library", "dashboard", "account"},
    "researcher": {"triage", "claim", "research", "library", "dashboard", "account"},
    "coordinator": {"library", "report", "dashboard", "account"},
}
PAGES = sorted(set().union(*VISIBLE.values()))
TITLES = {"triage": "Triage inbox", "claim": "Claim #", "review": "Review",
          "research": "Research library", "library": "Rebuttal library",
          "report": "Report a claim", "dashboard": "Dashboard", "admin": "Administration",
          "account": "My account"}
HOME = {"admin": "Triage inbox", "editor": "Triage inbox", "fact_checker": "Triage inbox",
        "researcher": "Triage inbox", "coordinator": "Rebuttal library"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_home_page(desk, seeded, role):
    at = desk.app(role)
    assert not at.exception
    assert at.title[0].value == HOME[role]


@pytest.mark.parametrize("role,page", list(itertools.product(ROLES, PAGES)))
def test_role_page_visibility(desk, seeded, role, page):
    at = desk.app(role)
    at.session_state["claim.id"] = seeded.claim
    if page in VISIBLE[role]:
        desk.goto(at, page)
        assert not at.exception, at.exception
        assert at.title[0].value.startswith(TITLES[page])
        assert not at.error, [e.value for e in at.error]
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            desk.goto(at, page)


# (page, widget key, roles that must see it); every other role must not.
ACTIONS = [
    ("triage", "triage.bulk_take", {"admin", "editor", "fact_checker", "researcher"}),
    ("triage", "triage.bulk_assign", {"admin", "editor"}),
    ("triage", "triage.bulk_dismiss", {"admin", "editor", "fact_checker"}),
    ("triage", "triage.bulk_duplicate", {"admin", "editor", "fact_checker"}),
    ("triage", "triage.new_submit", {"admin", "editor", "fact_checker", "researcher"}),
    ("claim", "claim.take", {"admin", "editor", "fact_checker", "researcher"}),
    ("claim", "claim.assign", {"admin", "editor"}),
    ("claim", "claim.dismiss", {"admin", "editor", "fact_checker"}),
    ("claim", "claim.to_triaged", {"admin", "editor", "fact_checker", "researcher"}),
    ("claim", "claim.edit_save", {"admin", "editor", "fact_checker"}),
    ("claim", "claim.note_add", {"admin", "editor", "fact_checker", "researcher"}),
    ("claim", "claim.rb_save", {"admin", "editor", "fact_checker", "researcher"}),
    ("review", "review.approve", {"admin", "editor"}),
    ("review", "review.send_back", {"admin", "editor"}),
    ("research", "research.new_submit", {"admin", "editor", "researcher"}),
    ("research", "research.retire", {"admin", "editor", "researcher"}),
    ("library", "library.retract", {"admin", "editor"}),
    ("report", "report.new_submit", {"coordinator"}),
    ("admin", "admin.new_user_submit", {"admin"}),
    ("admin", "admin.set_role", {"admin"}),
    ("admin", "admin.regions_import", set()),          # appears once a file is chosen
    ("admin", "admin.topic_save", {"admin", "editor"}),
    ("admin", "admin.th_apply", {"admin"}),
    ("admin", "admin.backup", {"admin"}),
    ("account", "account.sign_out", set(ROLES)),
]


def _keys(at) -> set[str]:
    keys = set()
    for kind in ("button", "form_submit_button", "download_button"):
        keys |= {w.key for w in getattr(at, kind) if w.key}
    return keys


@pytest.mark.parametrize("role,page,key,allowed", [
    (role, page, key, role in allowed) for page, key, allowed in ACTIONS for role in ROLES
    if page in VISIBLE[role]])
def test_role_action_buttons(desk, seeded, role, page, key, allowed):
    at = desk.app(role)
    at.session_state["claim.id"] = seeded.other_claim      # a new claim: every move is open
    desk.goto(at, page)
    assert not at.exception
    assert (key in _keys(at)) is allowed, sorted(_keys(at))


@pytest.mark.parametrize("forged", [
    {"role": "admin"}, {"auth.role": "admin"}, {"app.role": "admin", "user": {"role": "admin"}},
    {"auth.user": {"id": 1, "role": "admin"}}, {"admin": True},
])
def test_forged_session_state_changes_nothing(desk, seeded, forged):
    at = desk.app("coordinator")
    for key, value in forged.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    assert at.title[0].value == "Rebuttal library"
    for page in ("triage", "admin", "review"):
        with pytest.raises(ValueError):
            desk.goto(at, page)


def test_a_forged_token_is_not_a_session(desk, seeded):
    at = desk.app(None)
    at.session_state["auth.token"] = "forged-token-" + "x" * 30
    at.run()
    assert not at.exception
    assert at.title[0].value == "Sign in to Fact Desk"
    assert "auth.token" not in at.session_state
