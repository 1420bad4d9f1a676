"""``desk regions``: the region tree (states down to booths) from CSV."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.cli.progress import services


@cli.group("regions")
def regions_group() -> None:
    """Import and list the region tree.

    Example:

        desk regions import data/demo/regions.csv
    """


@regions_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
@friendly_errors
def import_regions(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Add or update regions from a CSV file (code,name,name_hi,level,parent_code).

    All or nothing: any bad row names its line and nothing is written.  A
    second import of the same file changes nothing.

    Example:

        desk regions import data/demo/regions.csv
    """
    with services(settings_from(ctx)) as svc:
        report = svc.regions.import_csv(svc.system_user_id(), file.read_bytes())
    if as_json:
        echo_json(asdict(report))
        return
    click.echo(f"{report.rows} rows: {report.inserted} added, {report.updated} updated, "
               f"{report.unchanged} unchanged.")


@regions_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
@friendly_errors
def list_regions(ctx: click.Context, as_json: bool) -> None:
    """List regions, parents before children.

    Example:

        desk regions list --json
    """
    with services(settings_from(ctx)) as svc:
        regions = svc.regions.list(svc.system_user_id())
    if as_json:
        echo_json([{"code": r.code, "name": r.name, "name_hi": r.name_hi,
                    "level": r.level.value, "parent_code": _parent(regions, r.parent_id)}
                   for r in regions])
        return
    if not regions:
        click.echo("No regions yet.  Import them with: desk regions import FILE")
        return
    depth = {r.id: r.path.strip("/").count("/") for r in regions}
    for r in regions:
        click.echo(f"{'  ' * depth[r.id]}{r.code}  {r.name}  ({r.level.value})")


def _parent(regions, parent_id):
    for r in regions:
        if r.id == parent_id:
            return r.code
    return None
