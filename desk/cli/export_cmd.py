"""``desk export``: approved and published rebuttals as files, with every pull recorded."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from desk.cli.base import cli, friendly_errors, settings_from
from desk.cli.progress import services
from desk.services.publishing import FORMATS


@cli.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(list(FORMATS)),
              help="whatsapp, claimreview (JSON-LD), csv, json or bulletin (Markdown).")
@click.option("--region", "region_code", help="Region code (its sub-regions, its parents and "
                                               "nation-wide rebuttals are included).")
@click.option("--topic", help="Topic slug.")
@click.option("--lang", help="Language to export in (rebuttals written in it or translated).")
@click.option("--since", help="From this date or time (ISO-8601).")
@click.option("--until", help="Up to this date or time (ISO-8601).")
@click.option("--id", "ids", type=int, multiple=True, help="Only these rebuttals (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
@click.pass_context
@friendly_errors
def export(ctx: click.Context, fmt: str, region_code: str | None, topic: str | None,
           lang: str | None, since: str | None, until: str | None, ids: tuple[int, ...],
           output: Path | None) -> None:
    """Export approved and published rebuttals; each one handed out is recorded
    as a pull, so a later correction reaches whoever took it.

    Example:

        desk export --format whatsapp --region UP-LKO --lang hi -o lucknow.txt

        desk export --format bulletin --region RJ --since 2026-11-15 --until 2026-11-22
    """
    with services(settings_from(ctx)) as svc:
        made = svc.publishing.export(svc.system_user_id(), fmt, rebuttal_ids=list(ids) or None,
                                     region_code=region_code, topic=topic, lang=lang,
                                     since=since, until=until)
    if output is None:
        sys.stdout.buffer.write(made.data)
        sys.stdout.flush()
    else:
        tmp = output.with_name(output.name + ".partial")
        tmp.write_bytes(made.data)
        tmp.replace(output)
    for warning in made.warnings:
        where = f"rebuttal {warning.rebuttal_id}: " if warning.rebuttal_id else ""
        click.echo(f"warning: {where}{warning.message}", err=True)
    target = output or "standard output"
    click.echo(f"Exported {made.count} rebuttal(s) as {fmt} to {target}.", err=True)
