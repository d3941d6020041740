"""What both command lines share for `seed`: reading a fixture and its `${NAME}` variables."""

import os
from pathlib import Path

import click

from .fixture_files import FixtureError, load_fixture


def read_fixture(path: Path) -> dict:
    """The fixture with its `extends` resolved (fixture_files), or a click error naming the file."""
    try:
        return load_fixture(path)
    except FixtureError as error:
        raise click.ClickException(str(error)) from error


def fixture_variables(pairs: tuple[str, ...]) -> dict[str, str]:
    """SONAR_URL, OKTA_URL (from the ports, SPEC §2) and DEVENV_KEYS (the key files' folder,
    $DEVENV_HOME/keys), overridden by NAME=VALUE pairs."""
    sonar_port = os.environ.get("SONAR_PORT", "9000")
    okta_port = os.environ.get("OKTA_PORT", "8080")
    home = Path(os.environ.get("DEVENV_HOME", ".devenv")).resolve()
    result = {
        "SONAR_URL": f"http://localhost:{sonar_port}",
        "OKTA_URL": f"http://localhost:{okta_port}",
        "DEVENV_KEYS": os.environ.get("DEVENV_KEYS", str(home / "keys")),
    }
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}")
        result[name] = value
    return result
