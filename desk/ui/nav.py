"""Which pages exist and which roles see them.  Pure data: no Streamlit here.

A page is visible when the role may perform at least one of its ``any_of``
actions (``desk.permissions``) and none of its ``none_of`` actions.  Hiding is
a convenience: every service call checks permissions again.
"""
from __future__ import annotations

from dataclasses import dataclass

from desk.domain import Role
from desk.permissions import allowed

PAGES_DIR = "desk/ui/pages"


@dataclass(frozen=True)
class PageSpec:
    key: str                      # short name, also the URL path
    title_key: str                # catalogue key of the title
    icon: str
    any_of: tuple[str, ...]       # permission actions; any one grants the page
    none_of: tuple[str, ...] = ()  # roles with any of these use another page instead
    section: str = "nav.section.desk"

    @property
    def script(self) -> str:
        """Path of the page script, relative to ``streamlit_app.py``."""
        return f"{PAGES_DIR}/{self.key}.py"

    def visible_to(self, role: Role | str) -> bool:
        return (any(allowed(role, a) for a in self.any_of)
                and not any(allowed(role, a) for a in self.none_of))


#: Signed-in pages, in menu order.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("triage", "nav.triage", ":material/inbox:", ("claim.triage",)),
    PageSpec("claim", "nav.claim", ":material/fact_check:", ("claim.triage",)),
    PageSpec("review", "nav.review", ":material/rate_review:", ("rebuttal.approve",)),
    PageSpec("research", "nav.research", ":material/library_books:",
             ("fact.edit", "rebuttal.draft")),
    PageSpec("library", "nav.library", ":material/campaign:", ("pull.create",)),
    PageSpec("report", "nav.report", ":material/add_comment:", ("claim.create",),
             none_of=("claim.triage",)),
    PageSpec("dashboard", "nav.dashboard", ":material/monitoring:", ("stats.view",)),
    PageSpec("admin", "nav.admin", ":material/admin_panel_settings:",
             ("user.view", "region.import", "topic.manage", "settings.edit",
              "index.rebuild", "backup.create"), section="nav.section.manage"),
    PageSpec("account", "nav.account", ":material/person:", ("account.view_own",),
             section="nav.section.manage"),
)

#: Pages for visitors who are not signed in.
SETUP = PageSpec("setup", "nav.setup", ":material/build:", ())
SIGN_IN = PageSpec("sign_in", "nav.sign_in", ":material/login:", ())

PAGE_KEYS: tuple[str, ...] = tuple(p.key for p in PAGES)


def page(key: str) -> PageSpec:
    for spec in (*PAGES, SETUP, SIGN_IN):
        if spec.key == key:
            return spec
    raise KeyError(key)


def pages_for(role: Role | str) -> list[PageSpec]:
    return [p for p in PAGES if p.visible_to(role)]


def home_page(role: Role | str) -> str:
    """The page a role lands on: the triage inbox for the desk, the rebuttal
    library for coordinators."""
    visible = [p.key for p in pages_for(role)]
    for key in ("triage", "library"):
        if key in visible:
            return key
    return visible[0]
