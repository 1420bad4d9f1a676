"""``desk init``, ``desk backup``, ``desk restore`` and ``desk stats``.

These run as the built-in ``system`` user (see ``desk user``); every change is
audited with that actor.
"""
from __future__ import annotations

from pathlib import Path

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.services import open_services
from desk.services.installation import init_runtime, secret_path


@cli.command("init")
@click.pass_context
@friendly_errors
def init(ctx: click.Context) -> None:
    """Create the runtime directory, the database and the installation secret.

    Safe to run again: nothing that exists is overwritten.  Keep the secret
    (installation.key) with your backups: it keys the sender hashes.

    Example:

        desk --home /srv/desk init
    """
    settings = settings_from(ctx)
    report = init_runtime(settings)
    click.echo(f"Runtime directory: {report.home}")
    click.echo(f"Database: {report.database}" + (" (created)" if report.migrations_applied else ""))
    click.echo(f"Installation secret: {secret_path(settings)}"
               + (" (created)" if report.secret_created else " (kept)"))
    svc = open_services(settings)
    try:
        if svc.auth.needs_setup():
            click.echo("No accounts yet: create the first with "
                       "`desk user add NAME --role admin` or in the web desk.")
    finally:
        svc.close()


@cli.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=True, path_type=Path))
@click.pass_context
@friendly_errors
def backup(ctx: click.Context, path: Path | None) -> None:
    """Write a consistent copy of the database (SQLite online backup API),
    safe while the desk is in use.  Default: backups/desk-<time>.db.

    Example:

        desk backup /mnt/usb/desk-2026-11-22.db
    """
    svc = open_services(settings_from(ctx))
    try:
        report = svc.admin.backup(svc.system_user_id(), path)
    finally:
        svc.close()
    click.echo(f"Backup written: {report.path} ({report.bytes} bytes)")


@cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: replace every record with the backup.")
@click.pass_context
@friendly_errors
def restore(ctx: click.Context, path: Path, yes: bool) -> None:
    """Replace the database with a backup.  The current database is saved
    first as backups/pre-restore-<time>.db; the matching index is rebuilt on
    the next start (index_epoch changes).

    Example:

        desk restore backups/desk-20261122T101500Z.db --yes
    """
    if not yes:
        raise click.UsageError("a restore replaces every record; add --yes to confirm")
    svc = open_services(settings_from(ctx))
    try:
        report = svc.admin.restore(svc.system_user_id(), path, confirm=True)
    finally:
        svc.close()
    click.echo(f"Restored from {report.restored_from}")
    click.echo(f"Previous database saved as {report.safety_backup}")
    click.echo(f"Integrity: {report.integrity}; index epoch now {report.index_epoch} "
               "(the matching index will be rebuilt)")
    for problem in report.index_problems:
        click.echo(f"warning: {problem}", err=True)


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
@friendly_errors
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of claims, rebuttals, facts, users and index rows.

    Example:

        desk stats --json
    """
    svc = open_services(settings_from(ctx))
    try:
        data = svc.admin.stats(svc.system_user_id())
    finally:
        svc.close()
    if as_json:
        echo_json(data)
        return
    for key, value in data.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
            click.echo(f"{key:<14} {inner}")
        else:
            click.echo(f"{key:<14} {value}")
