"""The ``desk`` command line: a thin layer over the services.

Each command group lives in its own module and registers itself on ``cli``.
Commands parse options, call the core and format output; errors from the core
(:class:`desk.errors.DeskError`) become one line on stderr and exit code 1.
"""
from __future__ import annotations

import sys

import click

from desk.cli.base import cli

# Command modules register themselves on import (one line per module).
import desk.cli.users_cmd  # noqa: F401,E402
import desk.cli.admin_cmd  # noqa: F401,E402
import desk.cli.eval_cmd  # noqa: F401,E402
import desk.cli.calibrate_cmd  # noqa: F401,E402
import desk.cli.regions_cmd  # noqa: F401,E402
import desk.cli.facts_cmd  # noqa: F401,E402
import desk.cli.claims_cmd  # noqa: F401,E402
import desk.cli.match_cmd  # noqa: F401,E402
import desk.cli.queue_cmd  # noqa: F401,E402
import desk.cli.export_cmd  # noqa: F401,E402
import desk.cli.index_cmd  # noqa: F401,E402
import desk.cli.demo_cmd  # noqa: F401,E402


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        click.echo("interrupted", err=True)
        sys.exit(130)


__all__ = ["cli", "main"]
