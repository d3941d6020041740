"""What both command lines share for `seed`: reading a fixture and its `${NAME}` variables."""

import os
from collections.abc import Callable
from pathlib import Path

import click
from sqlite_utils import Database

from .clock import now
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


def add_state_commands(
    cli: click.Group,
    *,
    part: str,
    open_db: Callable[[click.Context], Database],
    seed: Callable,
    reset: Callable,
    errors: tuple[type[Exception], ...],
    init_help: str,
) -> None:
    """`init`, `seed FIXTURE` and `reset`: the same in both apps' command lines."""

    @cli.command("init", help=init_help)
    @click.pass_context
    def init_command(ctx: click.Context) -> None:
        open_db(ctx).conn.close()
        click.echo(f"initialised {ctx.obj['db']}")

    @cli.command("seed", help=f"Load the `{part}` part of FIXTURE and remember it for `reset`.")
    @click.argument("fixture", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--var",
        "variables",
        multiple=True,
        metavar="NAME=VALUE",
        help="Fixture variable, e.g. SONAR_URL=http://localhost:9000.",
    )
    @click.pass_context
    def seed_command(ctx: click.Context, fixture: Path, variables: tuple[str, ...]) -> None:
        data = read_fixture(fixture)
        db = open_db(ctx)
        try:
            seed(db, now(db), data, fixture_variables(variables))
        except (*errors, KeyError) as error:
            raise click.ClickException(f"{fixture}: {error}") from error
        click.echo(f"seeded {ctx.obj['db']} from {fixture}")

    @cli.command("reset", help="Wipe the state and re-seed the fixture loaded last.")
    @click.pass_context
    def reset_command(ctx: click.Context) -> None:
        db = open_db(ctx)
        reset(db, now(db))
        click.echo(f"reset {ctx.obj['db']}")
