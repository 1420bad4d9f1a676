"""The README states the real commands (docs kept honest by tests)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click

from desk.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _quick_start_block() -> str:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def test_quick_start_is_exactly_two_commands_of_the_run_script():
    commands = [line.split("#")[0].strip() for line in _quick_start_block().splitlines()]
    commands = [c for c in commands if c]
    assert commands == ["./run desk", "./run test"]


def test_run_script_knows_the_quick_start_commands():
    out = subprocess.run(["bash", str(REPO / "run"), "help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "./run desk" in out.stdout and "./run test" in out.stdout
    script = (REPO / "run").read_text(encoding="utf-8")
    assert re.search(r"^\s*desk\)", script, re.M) and re.search(r"^\s*test\)", script, re.M)
    # torch is pinned and installed before the package, or pip pulls CUDA wheels.
    assert script.index('"torch==2.13.0"') < script.index('-e ".[test]"')


def test_ci_builds_a_fresh_environment_and_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "rm -rf .venv" in ci
    assert ci.strip().endswith("./run test")


def test_every_cli_command_is_in_the_readme():
    missing = [name for name in cli.commands if f"desk {name}" not in README]
    assert not missing, f"README's command table lacks: {missing}"


def test_every_group_subcommand_is_in_the_readme():
    missing = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            for sub in command.commands:
                if sub not in README.split(f"desk {name}", 1)[1][:400]:
                    missing.append(f"{name} {sub}")
    assert not missing, f"README lacks subcommands: {missing}"


def test_every_environment_variable_the_desk_reads_is_documented():
    sources = [*REPO.glob("desk/**/*.py"), *REPO.glob("index/**/*.py")]
    used = set()
    for path in sources:
        used |= set(re.findall(r"FACTDESK_[A-Z_]+", path.read_text(encoding="utf-8")))
    missing = sorted(v for v in used if v not in README)
    assert not missing, f"README does not document: {missing}"


def test_linked_documents_exist():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (REPO / target).exists(), target
