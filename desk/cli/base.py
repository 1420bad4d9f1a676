"""The root ``desk`` group and helpers shared by every command module."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from desk.config import load_settings
from desk.errors import DeskError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="fact-desk")
@click.option(
    "--home", type=click.Path(file_okay=False, path_type=Path), envvar="FACTDESK_HOME",
    help="Runtime directory (database, index, backups). Default: $FACTDESK_HOME or ./var",
)
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """Fact Desk: match, triage, review and publish fact-checks.

    Example:

        desk --home /srv/desk queue --json
    """
    ctx.obj = {"settings": load_settings(home)}


def settings_from(ctx: click.Context):
    return ctx.find_root().obj["settings"]


def friendly_errors(fn):
    """Turn domain errors (and a few OS errors) into one line and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DeskError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
