"""The CLI commands of the core: init, user, backup, restore, stats."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from desk.cli import cli
from desk.config import load_settings
from desk.store import Store


@pytest.fixture
def run(home):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, ["--home", str(home), *args], input=input,
                             catch_exceptions=False)
    return invoke


def test_init_creates_database_and_a_private_secret(run, home):
    result = run("init")
    assert result.exit_code == 0, result.output
    assert "(created)" in result.output and "No accounts yet" in result.output
    secret = home / "installation.key"
    assert secret.stat().st_mode & 0o777 == 0o600
    first = secret.read_text()
    assert len(bytes.fromhex(first.strip())) == 32
    again = run("init")
    assert again.exit_code == 0 and "(kept)" in again.output
    assert secret.read_text() == first, "init never replaces the secret"


def test_commands_before_init_fail_with_one_line(run):
    result = run("user", "list")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no installation secret") or \
        "run `desk init` first" in result.output


def test_user_add_list_set_role_deactivate(run, home):
    run("init")
    added = run("user", "add", "asha", "--role", "editor", "--display-name", "Asha Verma")
    assert added.exit_code == 0, added.output
    password = added.output.split("privately): ")[1].strip()
    assert len(password) >= 20
    piped = run("user", "add", "ravi", "--role", "fact_checker", "--password-stdin",
                input="मेरा लंबा पासवर्ड है\n")
    assert piped.exit_code == 0 and "shown once" not in piped.output

    listed = json.loads(run("user", "list", "--json").output)
    assert [(u["username"], u["role"]) for u in listed] == [("asha", "editor"),
                                                            ("ravi", "fact_checker")]
    assert not any("password_hash" in u for u in listed)

    assert run("user", "set-role", "ravi", "researcher").output == "ravi is now researcher.\n"
    assert "deactivated" in run("user", "deactivate", "ravi").output
    text = run("user", "list").output
    assert "ravi" in text and "(deactivated)" in text

    store = Store.open(load_settings(home).db_path)
    actors = {r[0] for r in store.all("SELECT actor_name FROM audit_log")}
    store.close()
    assert actors == {"system"}, "CLI changes are audited as the system actor"


@pytest.mark.parametrize("args,message", [
    (["user", "add", "x", "--role", "editor"], "username must be"),
    (["user", "set-role", "nobody", "editor"], "no user called"),
])
def test_user_errors_are_one_line(run, args, message):
    run("init")
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and message in result.output


def test_short_password_from_stdin_is_refused(run):
    run("init")
    result = run("user", "add", "ravi", "--role", "editor", "--password-stdin", input="short\n")
    assert result.exit_code == 1 and "at least 10 characters" in result.output


def test_backup_restore_and_stats(run, home, tmp_path):
    run("init")
    run("user", "add", "asha", "--role", "editor")
    target = tmp_path / "copy.db"
    result = run("backup", str(target))
    assert result.exit_code == 0 and target.exists(), result.output
    run("user", "add", "ravi", "--role", "editor")

    refused = run("restore", str(target))
    assert refused.exit_code != 0 and "--yes" in refused.output
    restored = run("restore", str(target), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "index epoch now 1" in restored.output

    stats = json.loads(run("stats", "--json").output)
    assert stats["users"] == {"editor": 1} and stats["index_epoch"] == 1
    assert "claims" in run("stats").output


def test_every_core_command_has_an_example():
    for name in ("init", "backup", "restore", "stats"):
        assert "Example:" in cli.commands[name].help
    group = cli.commands["user"]
    assert "Example:" in group.help
    for sub in group.commands.values():
        assert "Example:" in sub.help, sub.name
