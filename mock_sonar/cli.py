"""`mock-sonar`: run and manage the SonarQube simulator from the command line."""

import click
from flask import Flask
from sqlite_utils import Database

from mock_common.cli import add_serve_command, add_state_commands
from mock_common.db import connect

from . import clock, fixtures
from .accounts import listings, tokens
from .config import default_config
from .errors import SonarError


def _db_path(ctx: click.Context) -> str:
    return ctx.obj["db"]


def _open(ctx: click.Context) -> Database:
    from . import init_db

    init_db(_db_path(ctx))
    return connect(_db_path(ctx))


@click.group()
@click.option(
    "--db",
    "db_path",
    envvar="MOCK_SONAR_DB",
    default=None,
    help="SQLite file (default: $DEVENV_HOME/sonar.sqlite3).",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """SonarQube Server (Enterprise Edition) simulator."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path or default_config()["DATABASE"]


def _create_app(config: dict) -> Flask:
    from . import create_app

    return create_app(config)


add_serve_command(cli, create_app=_create_app, port_variable="SONAR_PORT", default_port=9000)


add_state_commands(
    cli,
    part="sonar",
    open_db=_open,
    seed=fixtures.seed,
    reset=fixtures.reset,
    errors=(SonarError,),
    init_help="Create or migrate the database and bootstrap admin/admin.",
)


@cli.command("users")
@click.option("--deactivated", is_flag=True, help="List deactivated users instead.")
@click.pass_context
def list_users(ctx: click.Context, deactivated: bool) -> None:
    """List users: login, name, email, local/managed."""
    db = _open(ctx)
    for row in listings.users_by_login(db, active=not deactivated):
        kind = "managed" if row["managed"] else ("local" if row["local"] else "external")
        click.echo(f"{row['login']}\t{row['name']}\t{row['email'] or ''}\t{kind}")


@cli.command("create-token")
@click.argument("login")
@click.argument("name")
@click.pass_context
def create_token(ctx: click.Context, login: str, name: str) -> None:
    """Generate a user token for LOGIN and print it (shown once)."""
    db = _open(ctx)
    try:
        value = tokens.seed_token(db, clock.now(db), login, name=name)
    except SonarError as error:
        raise click.ClickException(str(error)) from error
    click.echo(value)
