"""docs/CLI.md keeps up with the command line: every command is documented with an
example there, and every command's help carries an ``Example:`` block."""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from desk.cli import cli

DOC = (Path(__file__).resolve().parent.parent / "docs" / "CLI.md").read_text(encoding="utf-8")
EXAMPLE_LINES = [line.strip() for block in re.findall(r"```\n(.*?)```", DOC, re.DOTALL)
                 for line in block.splitlines() if line.strip()]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = list(_commands(cli))
LEAVES = [(p, c) for p, c in COMMANDS if not isinstance(c, click.Group)]


def test_the_walk_finds_the_commands():
    names = {" ".join(p) for p, _ in LEAVES}
    assert {"init", "demo", "claims import", "match", "export", "thresholds fit"} <= names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_help_has_an_example(path, command):
    assert "Example:" in (command.help or ""), f"desk {' '.join(path)} has no Example: block"


@pytest.mark.parametrize("path,command", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_command_is_documented_with_an_example(path, command):
    name = " ".join(path)
    assert f"`desk {name}" in DOC or f"desk {name}" in DOC.replace("|", " "), \
        f"docs/CLI.md does not mention desk {name}"
    usage = re.compile(rf"^desk(?: --home \S+)? {re.escape(name)}(?: |$)")
    assert any(usage.match(line) or usage.match(line.split(" ", 1)[-1])
               for line in EXAMPLE_LINES), f"docs/CLI.md has no example of desk {name}"


def test_a_missing_command_would_fail():
    usage = re.compile(r"^desk(?: --home \S+)? frobnicate(?: |$)")
    assert not any(usage.match(line) for line in EXAMPLE_LINES)
