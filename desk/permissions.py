"""The permission matrix: which roles may perform which action.

This dictionary is the single source of truth.  Every service method checks
exactly one action from it before doing anything; ``docs/PERMISSIONS.md`` is
generated from it (``render_markdown``) and a test keeps the two identical.
Rules that depend on the record, not only the role (four eyes: nobody approves
their own rebuttal), are enforced by the services on top of this table.
"""
from __future__ import annotations

from desk.domain import Role

A, E, F, R, C = Role.ADMIN, Role.EDITOR, Role.FACT_CHECKER, Role.RESEARCHER, Role.COORDINATOR
EVERYONE = frozenset(Role)
DESK = frozenset({A, E, F, R})          # everybody who works on claims

#: action -> (roles allowed, what the action means)
MATRIX: dict[str, tuple[frozenset[Role], str]] = {
    # users and accounts
    "account.view_own": (EVERYONE, "see your own account"),
    "user.names": (EVERYONE, "see colleagues' display names (authors, reviewers)"),
    "user.view": (frozenset({A}), "list users and see their roles"),
    "user.create": (frozenset({A}), "create accounts"),
    "user.set_role": (frozenset({A}), "change a user's role"),
    "user.deactivate": (frozenset({A}), "deactivate or reactivate an account"),
    "user.reset_password": (frozenset({A}), "set another user's password"),
    # reference data
    "region.view": (EVERYONE, "see the region tree"),
    "region.import": (frozenset({A}), "import or update regions from CSV"),
    "topic.view": (EVERYONE, "see topics"),
    "topic.manage": (frozenset({A, E}), "create and rename topics"),
    # claims
    "claim.view": (EVERYONE, "see claims, the triage queue and sightings"),
    "claim.create": (EVERYONE, "submit a claim (single claim or field report)"),
    "claim.import": (frozenset({A, E, F}), "bulk intake: WhatsApp exports, CSV/JSON"),
    "claim.edit": (frozenset({A, E, F}), "edit claim details: region, topics, due date, verdict"),
    "claim.triage": (DESK, "move a claim through triage and research"),
    "claim.dismiss": (frozenset({A, E, F}), "dismiss, mark duplicate or answered, reopen"),
    "claim.assign": (frozenset({A, E}), "assign a claim to anyone"),
    "claim.take": (DESK, "assign a claim to yourself"),
    "sighting.record": (frozenset({A, E, F, C}), "record sightings of a claim"),
    # matching
    "match.run": (DESK, "run the matcher and record its suggestions"),
    "match.decide": (DESK, "confirm or reject a suggested match"),
    "match.calibrate": (frozenset({A, E}), "read reviewer decisions for calibration"),
    # library
    "fact.view": (EVERYONE, "see verified facts"),
    "fact.edit": (frozenset({A, E, R}), "create and edit facts, retire them"),
    # rebuttals
    "rebuttal.view": (EVERYONE, "see approved and published rebuttals"),
    "rebuttal.view_drafts": (DESK, "see drafts and rebuttals in review"),
    "rebuttal.draft": (frozenset({A, E, F, R}), "write a rebuttal or a new version"),
    "rebuttal.submit": (frozenset({A, E, F, R}), "send a draft for review"),
    "rebuttal.approve": (frozenset({A, E}), "approve (never your own; four eyes)"),
    "rebuttal.send_back": (frozenset({A, E}), "return a rebuttal in review to draft"),
    "rebuttal.publish": (frozenset({A, E}), "publish an approved rebuttal"),
    "rebuttal.retract": (frozenset({A, E}), "retract a published rebuttal"),
    # notes, pulls
    "note.add": (EVERYONE, "add notes to claims and rebuttals"),
    "note.view": (EVERYONE, "read notes"),
    "pull.create": (EVERYONE, "pull (export) approved rebuttals for a region"),
    "pull.view": (EVERYONE, "see your own pulls and corrections since"),
    # administration
    "settings.view": (EVERYONE, "read shared settings (match thresholds)"),
    "settings.edit": (frozenset({A}), "change shared settings"),
    "audit.view": (frozenset({A}), "read the audit log"),
    "stats.view": (EVERYONE, "see desk statistics"),
    "index.rebuild": (frozenset({A}), "rebuild the matching index"),
    "backup.create": (frozenset({A}), "make a backup"),
    "backup.restore": (frozenset({A}), "restore a backup"),
}

ACTIONS: tuple[str, ...] = tuple(MATRIX)


def allowed(role: Role | str, action: str) -> bool:
    """True when ``role`` may perform ``action``; unknown actions raise ``KeyError``."""
    return Role(role) in MATRIX[action][0]


def roles_for(action: str) -> frozenset[Role]:
    return MATRIX[action][0]


def render_markdown() -> str:
    """The permission matrix as the Markdown in ``docs/PERMISSIONS.md``."""
    roles = list(Role)
    lines = [
        "# Permissions",
        "",
        "Generated from `desk/permissions.py` by `desk.permissions.render_markdown()`;",
        "`tests/desk/test_permissions.py` fails when this file and the code disagree.",
        "Every service call checks one action; denials are refused with",
        "`PermissionDenied` and written to the audit log (outcome `denied`).",
        "",
        "Rules beyond the role: nobody approves a rebuttal they created or a version they",
        "wrote (four eyes); `claim.take` only assigns the claim to the acting user;",
        "coordinators see only approved and published rebuttals.  The local CLI acts as",
        "the built-in `system` user (role admin, cannot sign in), audited as `system`.",
        "",
        "| action | " + " | ".join(r.value for r in roles) + " | meaning |",
        "| --- | " + " | ".join(":-:" for _ in roles) + " | --- |",
    ]
    for action, (allowed_roles, meaning) in MATRIX.items():
        cells = ["yes" if r in allowed_roles else "-" for r in roles]
        lines.append(f"| `{action}` | " + " | ".join(cells) + f" | {meaning} |")
    return "\n".join(lines) + "\n"
