"""``desk facts``: the library of verified facts."""
from __future__ import annotations

from pathlib import Path

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.cli.progress import StageProgress, services


@cli.group("facts")
def facts_group() -> None:
    """Import verified facts with their sources.

    Example:

        desk facts import data/demo/facts.jsonl
    """


@facts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl"]),
              help="File format (default: from the extension).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@friendly_errors
def import_facts(ctx: click.Context, file: Path, fmt: str | None, as_json: bool) -> None:
    """Import facts from CSV, JSON or JSON Lines, with their sources.

    JSON/JSONL: objects with statement, lang, topic, valid_until, status and
    sources (a list of url, title, publisher, date).  CSV: the same columns
    with one source per row in source_url, source_title, source_publisher,
    source_date; rows repeating a statement add sources to it.  All or
    nothing; facts already in the library are left alone.

    Example:

        desk facts import data/demo/facts.jsonl

        desk facts import facts.csv --json
    """
    progress = StageProgress(enabled=not as_json)
    with services(settings_from(ctx)) as svc:
        try:
            report = svc.intake.import_facts(svc.system_user_id(), file.read_bytes(),
                                             filename=file.name, fmt=fmt, progress=progress)
        finally:
            progress.close()
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(f"{report.rows} facts read: {report.created} added, "
               f"{report.already_present} already in the library.")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
