"""Fixture files and `extends` (mock_common.fixture_files), and both CLIs seeding through it."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mock_common import state
from mock_common.db import connect
from mock_common.fixture_files import FixtureError, load_fixture, merge
from mock_okta.cli import cli as okta_cli
from mock_sonar.accounts.tokens import find_token
from mock_sonar.cli import cli as sonar_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOKEN = "squ_5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


# --- the merge rule -------------------------------------------------------------------------


def test_objects_keep_every_key_and_merge_shared_ones():
    base = {"a": 1, "settings": {"x": "1", "y": "2"}}
    override = {"b": 2, "settings": {"y": "3", "z": "4"}}
    assert merge(base, override) == {"a": 1, "b": 2, "settings": {"x": "1", "y": "3", "z": "4"}}


def test_lists_of_objects_merge_by_id_in_place_and_append_new_ones():
    base = [{"id": "1", "label": "one", "users": ["u1"]}, {"id": "2", "label": "two"}]
    override = [{"id": "3", "label": "three"}, {"id": "1", "features": {"F": True}}]
    assert merge(base, override) == [
        {"id": "1", "label": "one", "users": ["u1"], "features": {"F": True}},
        {"id": "2", "label": "two"},
        {"id": "3", "label": "three"},
    ]


def test_lists_of_objects_without_ids_merge_by_login():
    base = [{"login": "alice", "name": "Alice"}, {"login": "ci-bot", "name": "CI Bot"}]
    override = [{"login": "alice", "groups": ["g"]}, {"login": "bob", "name": "Bob"}]
    assert merge(base, override) == [
        {"login": "alice", "name": "Alice", "groups": ["g"]},
        {"login": "ci-bot", "name": "CI Bot"},
        {"login": "bob", "name": "Bob"},
    ]


def test_lists_of_objects_without_ids_or_logins_merge_by_name():
    base = [{"name": "sonar-developers", "description": "old"}]
    override = [{"name": "sonar-developers", "description": "new"}, {"name": "sonar-qa"}]
    assert merge(base, override) == [
        {"name": "sonar-developers", "description": "new"},
        {"name": "sonar-qa"},
    ]


def test_id_wins_over_name_when_every_item_has_both():
    base = [{"id": "g1", "name": "old"}]
    assert merge(base, [{"id": "g1", "name": "new"}]) == [{"id": "g1", "name": "new"}]


@pytest.mark.parametrize(
    ("base", "override"),
    [
        (["00u1", "00u2"], ["00u3"]),
        ([{"id": "1"}], [{"other": "x"}]),
        ({"a": 1}, "text"),
        ("text", {"a": 1}),
        (True, None),
    ],
)
def test_everything_else_is_replaced(base, override):
    assert merge(base, override) == override


def test_merge_changes_neither_argument():
    base = {"apps": [{"id": "1", "settings": {"a": 1}}]}
    override = {"apps": [{"id": "1", "settings": {"b": 2}}]}
    before = json.dumps([base, override])
    merge(base, override)
    assert json.dumps([base, override]) == before


# --- files and extends ------------------------------------------------------------------------


def test_a_fixture_without_extends_is_its_json(tmp_path):
    assert load_fixture(write(tmp_path / "f.json", {"okta": {}})) == {"okta": {}}


def test_extends_is_relative_to_the_file_and_may_chain(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "base.json", {"description": "base", "sonar": {"settings": {"a": "1"}}})
    write(tmp_path / "sub" / "mid.json", {"extends": "../base.json", "sonar": {"scim": {}}})
    top = write(
        tmp_path / "sub" / "top.json",
        {"extends": "mid.json", "description": "top", "sonar": {"settings": {"b": "2"}}},
    )
    assert load_fixture(top) == {
        "description": "top",
        "sonar": {"settings": {"a": "1", "b": "2"}, "scim": {}},
    }


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"f.json": "{"}, "f.json: not valid JSON"),
        ({"f.json": "[]"}, "f.json: a fixture must be a JSON object"),
        ({"f.json": '{"extends": "missing.json"}'}, "missing.json: cannot be read"),
        ({"f.json": '{"extends": 3}'}, "f.json: 'extends' must be the path of a fixture file"),
        ({"f.json": '{"extends": "g.json"}', "g.json": '{"extends": "f.json"}'}, "circular"),
        ({"f.json": '{"extends": "f.json"}'}, "circular extends"),
    ],
)
def test_unusable_fixtures_are_refused_with_the_files_name(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(FixtureError, match=message):
        load_fixture(tmp_path / "f.json")


def test_provisioned_json_is_the_default_fixture_plus_the_guides_steps():
    default = load_fixture(FIXTURES / "default.json")
    provisioned = load_fixture(FIXTURES / "provisioned.json")
    assert "extends" not in provisioned
    assert provisioned["okta"]["users"] == default["okta"]["users"]
    assert provisioned["okta"]["groups"] == default["okta"]["groups"]
    (app,) = provisioned["okta"]["apps"]
    (default_app,) = default["okta"]["apps"]
    assert {k: v for k, v in app.items() if k in default_app} == default_app
    assert app["provisioning"]["token"] == TOKEN
    assert provisioned["sonar"]["users"] == default["sonar"]["users"]
    assert provisioned["sonar"]["scim"] == {"enabled": True}
    assert provisioned["sonar"]["tokens"][0]["value"] == TOKEN


# --- both CLIs seed the resolved fixture and remember it for reset ---------------------------


@pytest.mark.parametrize("cli", [okta_cli, sonar_cli], ids=["okta", "sonar"])
def test_seed_remembers_the_resolved_fixture(cli, tmp_path, devenv_keys):
    db_path = str(tmp_path / "app.sqlite3")
    runner, fixture = CliRunner(), str(FIXTURES / "provisioned.json")
    seed = ["--db", db_path, "seed", fixture, "--var", f"DEVENV_KEYS={devenv_keys}"]
    result = runner.invoke(cli, seed)
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["--db", db_path, "reset"]).exit_code == 0
    db = connect(db_path)
    fixture, _ = state.loaded_fixture(db)
    assert fixture == load_fixture(FIXTURES / "provisioned.json")
    if cli is sonar_cli:
        assert find_token(db, TOKEN)["name"] == "okta-scim"
    else:
        assert list(db.query("select enabled from app_provisioning")) == [{"enabled": 1}]
        # The pushes wait in the outbox for the worker; seeding sent nothing.
        pending = db.execute("select count(*) from provisioning_events where status = 'PENDING'")
        assert pending.fetchone()[0] == 10
        assert db.execute("select count(*) from scim_requests").fetchone()[0] == 0
    db.conn.close()


def test_seed_reports_a_missing_base(tmp_path):
    fixture = write(tmp_path / "f.json", {"extends": "nowhere.json"})
    db_path = str(tmp_path / "o.sqlite3")
    result = CliRunner().invoke(okta_cli, ["--db", db_path, "seed", str(fixture)])
    assert result.exit_code == 1
    assert "nowhere.json: cannot be read" in result.output
