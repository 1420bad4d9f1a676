"""``desk demo``: load the demo data into an empty desk."""
from __future__ import annotations

from pathlib import Path

import click

from desk.cli.base import cli, friendly_errors, settings_from
from desk.cli.progress import StageProgress


@cli.command("demo")
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Demo data directory (default: the data/demo shipped with Fact Desk).")
@click.pass_context
@friendly_errors
def demo(ctx: click.Context, data_dir: Path | None) -> None:
    """Set up the runtime directory and load the demo data, then build the index.

    Only into a desk without claims; run again, it loads nothing.  The team's
    passwords are generated, printed once and written to
    $FACTDESK_HOME/demo-credentials.txt (readable only by you).

    Example:

        FACTDESK_HOME=/tmp/demo-desk desk demo
    """
    from desk.demo import load_demo

    settings = settings_from(ctx)
    progress = StageProgress()
    try:
        report = load_demo(settings, data_dir=data_dir, progress=progress)
    finally:
        progress.close()
    if not report.loaded:
        click.echo(f"Nothing loaded: {report.message}.")
        return
    claims = sum(report.counts.get("claims", {}).values())
    facts = sum(report.counts.get("facts", {}).values())
    rebuttals = sum(report.counts.get("rebuttals", {}).values())
    click.echo(f"Demo desk ready in {settings.home} ({report.seconds:.1f} s): {claims} claims, "
               f"{facts} facts, {rebuttals} rebuttals; index of "
               f"{report.index['library'] if report.index else 0} library items and "
               f"{report.index['claims'] if report.index else 0} claims.")
    if report.credentials:
        click.echo("Accounts (passwords shown once; also in "
                   f"{report.credentials_path}, readable only by you):")
        width = max(len(u) for u, _, _ in report.credentials)
        for username, role, password in report.credentials:
            click.echo(f"  {username:<{width}}  {role:<12}  {password}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo("Demo data only: invented claims and unverified texts; do not publish them.")
