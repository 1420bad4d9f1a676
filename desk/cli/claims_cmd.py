"""``desk claims import``: WhatsApp exports and CSV/JSON files of claims."""
from __future__ import annotations

from pathlib import Path

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.cli.progress import StageProgress, engines_for, services
from desk.intake import FIELDS


@cli.group("claims")
def claims_group() -> None:
    """Bring claims into the desk in bulk.

    Example:

        desk claims import chat.txt --format whatsapp --region UP-LKO
    """


def _mapping(pairs: tuple[str, ...]) -> dict[str, str] | None:
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field = field.strip()
        if not sep or not field or not column.strip():
            raise click.BadParameter(f"{pair!r}: write field=column", param_hint="--map")
        if field not in FIELDS:
            raise click.BadParameter(f"{field!r} is not a field; fields: {', '.join(FIELDS)}",
                                     param_hint="--map")
        mapping[field] = column.strip()
    return mapping or None


@claims_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True,
              type=click.Choice(["whatsapp", "csv", "json", "jsonl"]),
              help="whatsapp (.txt or .zip export), csv, json or jsonl.")
@click.option("--group", help="WhatsApp group name (default: from the file name).")
@click.option("--region", "region_code", help="Region code for a WhatsApp export's claims.")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
              help="CSV/JSON column for a field (repeatable); others are detected.")
@click.option("--skip-invalid", is_flag=True,
              help="CSV/JSON: leave out rows with problems instead of refusing the file.")
@click.option("--no-match", is_flag=True,
              help="Do not load the embedding model: fold exact duplicates only.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.pass_context
@friendly_errors
def import_claims(ctx: click.Context, file: Path, fmt: str, group: str | None,
                  region_code: str | None, mapping: tuple[str, ...], skip_invalid: bool,
                  no_match: bool, as_json: bool) -> None:
    """Import claims from a file, in one transaction (all or nothing).

    Chatter is skipped, every claim message becomes a sighting, identical and
    near-identical forwards fold into one claim (also into claims already on
    the desk), and new claims get "already answered" suggestions.  The same
    file imported twice adds nothing.  Prints the import report.

    Example:

        desk claims import "WhatsApp Chat with Lucknow Nagrik Suchna Manch.txt" --format whatsapp --region UP-LKO

        desk claims import helpline.csv --format csv --map text=Complaint --map seen_at=Date --json
    """
    if fmt == "whatsapp" and (mapping or skip_invalid):
        raise click.UsageError("--map and --skip-invalid are for CSV/JSON files")
    if fmt != "whatsapp" and (group or region_code):
        raise click.UsageError("--group and --region are for WhatsApp exports; CSV/JSON rows "
                               "carry their own source_group and region_code")
    columns = _mapping(mapping)
    settings = settings_from(ctx)
    engines = None if no_match else engines_for(settings, required=False)
    progress = StageProgress(enabled=not as_json)
    with services(settings, engines) as svc:
        actor = svc.system_user_id()
        data = file.read_bytes()
        try:
            if fmt == "whatsapp":
                report = svc.intake.import_whatsapp(actor, data, filename=file.name, group=group,
                                                    region_code=region_code, progress=progress)
            else:
                report = svc.intake.import_tabular(actor, data, fmt=fmt, mapping=columns,
                                                   skip_invalid=skip_invalid, progress=progress)
        finally:
            progress.close()
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(f"{report.messages} messages read from {file.name}")
    click.echo(f"  new claims:              {report.claims_created}")
    click.echo(f"  merged into earlier:     {report.merged_into_existing}")
    click.echo(f"  folded within the file:  {report.folded_within_import}")
    click.echo(f"  sightings added:         {report.sightings_added}")
    click.echo(f"  already imported:        {report.already_imported}")
    click.echo(f"  suggestions made:        {report.suggestions}")
    if report.skipped:
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(report.skipped.items()))
        click.echo(f"  skipped:                 {skipped}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
