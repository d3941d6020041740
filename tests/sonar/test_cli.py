"""The mock-sonar command line."""

import json

import click
import pytest
from click.testing import CliRunner

from mock_common.db import connect
from mock_sonar.accounts.tokens import find_token
from mock_sonar.cli import cli


@pytest.fixture
def run(tmp_path):
    db_path = str(tmp_path / "cli.sqlite3")

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", db_path, *args], catch_exceptions=False)

    invoke.db_path = db_path
    return invoke


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.help, f"mock-sonar {name} has no help"
        assert isinstance(command, click.Command)


def test_init_is_idempotent(run):
    assert run("init").exit_code == 0
    assert run("init").exit_code == 0
    assert "admin\tAdministrator" in run("users").output


def test_seed_and_reset(run, tmp_path):
    fixture = tmp_path / "f.json"
    fixture.write_text(
        json.dumps(
            {"sonar": {"users": [{"login": "dev", "name": "Dev", "password": "Dev-Passw0rd!"}]}}
        )
    )
    assert run("seed", str(fixture)).exit_code == 0
    assert "dev\tDev" in run("users").output
    token = run("create-token", "dev", "mine").output.strip()
    assert token.startswith("squ_")
    assert run("reset").exit_code == 0
    assert "dev\tDev" in run("users").output
    db = connect(run.db_path)
    assert find_token(db, token) is None
    db.conn.close()


def test_seed_reports_bad_json(run, tmp_path):
    fixture = tmp_path / "bad.json"
    fixture.write_text("{nope")
    result = CliRunner().invoke(cli, ["--db", run.db_path, "seed", str(fixture)])
    assert result.exit_code == 1
    assert "not valid JSON" in result.output


def test_create_token_for_unknown_user(run):
    result = CliRunner().invoke(cli, ["--db", run.db_path, "create-token", "ghost", "t"])
    assert result.exit_code == 1
    assert "User 'ghost' doesn't exist" in result.output
