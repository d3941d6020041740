"""The command line both apps share: the `--db` group, `serve`, `init`, `seed FIXTURE`, `reset`.

`app_command_line(AppCommands(...))` builds an app's click group with these commands; the app
adds its own (`users`, `create-token`) and opens its database with `open_database(ctx)`.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import click
from flask import Flask
from sqlite_utils import Database

from . import DISTRIBUTION, serving
from .clock import now
from .db import connect
from .fixture_files import FixtureError, load_fixture


class Background(Protocol):
    """Work an app runs beside its web server (Okta's provisioning worker)."""

    def stop(self) -> None: ...


@dataclass(frozen=True)
class AppCommands:
    """What an app plugs into the shared command line."""

    name: str  #: "okta" or "sonar": the fixture's part, the database file's name
    description: str  #: the group's help
    db_envvar: str  #: e.g. MOCK_OKTA_DB
    default_database: Callable[[], str]
    init_db: Callable[[str], None]  #: create or migrate, then bootstrap
    create_app: Callable[[dict], Flask]
    port_variable: str  #: e.g. OKTA_PORT
    default_port: int
    seed: Callable
    reset: Callable
    errors: tuple[type[Exception], ...]  #: the app's errors, shown as click errors by `seed`
    init_help: str
    start_background: Callable[[Flask], Background] | None = None


def app_command_line(spec: AppCommands) -> click.Group:
    """The app's click group with `--db`, `serve`, `init`, `seed` and `reset`."""

    @click.group(help=spec.description)
    @click.version_option(package_name=DISTRIBUTION, prog_name=f"mock-{spec.name}")
    @click.option(
        "--db",
        "db_path",
        envvar=spec.db_envvar,
        default=None,
        help=f"SQLite file (default: $DEVENV_HOME/{spec.name}.sqlite3).",
    )
    @click.pass_context
    def cli(ctx: click.Context, db_path: str | None) -> None:
        ctx.ensure_object(dict)
        ctx.obj["db"] = db_path or spec.default_database()
        ctx.obj["init_db"] = spec.init_db

    add_serve_command(
        cli,
        create_app=spec.create_app,
        port_variable=spec.port_variable,
        default_port=spec.default_port,
        start_background=spec.start_background,
    )
    add_state_commands(
        cli,
        part=spec.name,
        open_db=open_database,
        seed=spec.seed,
        reset=spec.reset,
        errors=spec.errors,
        init_help=spec.init_help,
    )
    return cli


def open_database(ctx: click.Context) -> Database:
    """The command's database, created or migrated first."""
    ctx.obj["init_db"](ctx.obj["db"])
    return connect(ctx.obj["db"])


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


def add_serve_command(
    cli: click.Group,
    *,
    create_app: Callable[[dict], Flask],
    port_variable: str,
    default_port: int,
    start_background: Callable[[Flask], Background] | None = None,
) -> None:
    """`serve`: the app in the foreground (waitress), and its background work, if any.

    `start_background(app)` starts what runs beside the web server (Okta's provisioning
    worker) and returns it, to be stopped when the server stops; the factory never starts it,
    so an app built in a test has no thread of its own.
    """

    port_help = f"Port (default: ${port_variable} or {default_port})."

    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
    @click.option("--port", type=int, default=None, help=port_help)
    @click.option("--db", "db_path", default=None, help="SQLite file (overrides the group option).")
    @click.option("--base-url", default=None, help="Public URL (default: http://localhost:PORT).")
    @click.option("--no-control", is_flag=True, help="Disable the /_mock control plane.")
    @click.pass_context
    def serve(
        ctx: click.Context,
        host: str,
        port: int | None,
        db_path: str | None,
        base_url: str | None,
        no_control: bool,
    ) -> None:
        """Run the web server in the foreground."""
        port = port or int(os.environ.get(port_variable, str(default_port)))
        app = create_app(
            {
                "DATABASE": db_path or ctx.obj["db"],
                "BASE_URL": base_url or f"http://localhost:{port}",
                "CONTROL_PLANE": not no_control,
            }
        )
        background = start_background(app) if start_background is not None else None
        serving.log_to_stderr()
        serving.serve_in_foreground(app, host, port)
        if background is not None:
            background.stop()
