"""``desk user``: manage accounts from the server's shell.

The local CLI acts as the built-in ``system`` user (role admin, no password,
cannot sign in).  Anyone who can run it already has file access to the
database; every change is still audited, with ``system`` as the actor.
"""
from __future__ import annotations

import sys
from dataclasses import asdict

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.domain import Role
from desk.services import open_services
from desk.services.users import generate_password

ROLES = [r.value for r in Role]


@cli.group("user")
def user_group() -> None:
    """Create accounts, list them and change roles.

    Example:

        desk user add asha --role editor
    """


@user_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The user's role.")
@click.option("--display-name", help="Name shown in the desk (default: the username).")
@click.option("--email", help="Email, for sign-in through SSO.")
@click.option("--region", "region_code", help="Home region code (coordinators).")
@click.option("--language", help="Preferred language, e.g. hi or en.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
@click.pass_context
@friendly_errors
def add(ctx: click.Context, username: str, role: str, display_name: str | None,
        email: str | None, region_code: str | None, language: str | None,
        password_stdin: bool) -> None:
    """Create an account.  Without --password-stdin a random password is
    generated and printed once.

    Example:

        desk user add asha --role editor --display-name "Asha Verma"

        printf '%s' "$PASS" | desk user add ravi --role fact_checker --password-stdin
    """
    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
        generated = False
    else:
        password, generated = generate_password(), True
    svc = open_services(settings_from(ctx))
    try:
        user = svc.users.create(svc.system_user_id(), username, role=role,
                                display_name=display_name, email=email, language=language,
                                region_code=region_code, password=password)
    finally:
        svc.close()
    click.echo(f"Created {user.username} ({user.role.value}).")
    if generated:
        click.echo(f"Password (shown once, pass it on privately): {password}")


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
@friendly_errors
def list_users(ctx: click.Context, as_json: bool) -> None:
    """List accounts (never passwords).

    Example:

        desk user list --json
    """
    svc = open_services(settings_from(ctx))
    try:
        users = svc.users.list(svc.system_user_id())
    finally:
        svc.close()
    if as_json:
        echo_json([{k: v for k, v in asdict(u).items() if k != "is_system"} for u in users])
        return
    if not users:
        click.echo("No users yet.  Create one with: desk user add NAME --role admin")
        return
    width = max(len(u.username) for u in users)
    for u in users:
        state = "" if u.active else "  (deactivated)"
        click.echo(f"{u.username:<{width}}  {u.role.value:<12}  {u.display_name}{state}")


@user_group.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_context
@friendly_errors
def set_role(ctx: click.Context, username: str, role: str) -> None:
    """Change a user's role; it applies at their next action.

    Example:

        desk user set-role ravi editor
    """
    svc = open_services(settings_from(ctx))
    try:
        actor = svc.system_user_id()
        user = svc.users.by_username(actor, username)
        user = svc.users.set_role(actor, user.id, role, expected_version=user.version)
    finally:
        svc.close()
    click.echo(f"{user.username} is now {user.role.value}.")


@user_group.command("deactivate")
@click.argument("username")
@click.option("--reactivate", is_flag=True, help="Allow the account to sign in again.")
@click.pass_context
@friendly_errors
def deactivate(ctx: click.Context, username: str, reactivate: bool) -> None:
    """Deactivate an account (its sessions end at once), or reactivate it.

    Example:

        desk user deactivate ravi
    """
    svc = open_services(settings_from(ctx))
    try:
        actor = svc.system_user_id()
        user = svc.users.by_username(actor, username)
        user = svc.users.set_active(actor, user.id, reactivate, expected_version=user.version)
    finally:
        svc.close()
    click.echo(f"{user.username} is {'active' if user.active else 'deactivated'}.")
