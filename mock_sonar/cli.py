"""`mock-sonar`: run and manage the SonarQube simulator from the command line."""

import click
from flask import Flask

from mock_common.cli import AppCommands, app_command_line, open_database
from mock_sonar import clock, fixtures
from mock_sonar.accounts import listings, tokens
from mock_sonar.config import default_config
from mock_sonar.errors import SonarError


def _init_db(path: str) -> None:
    from mock_sonar import init_db

    init_db(path)


def _create_app(config: dict) -> Flask:
    from mock_sonar import create_app

    return create_app(config)


cli = app_command_line(
    AppCommands(
        name="sonar",
        description="SonarQube Server (Enterprise Edition) simulator.",
        db_envvar="MOCK_SONAR_DB",
        default_database=lambda: default_config()["DATABASE"],
        init_db=_init_db,
        create_app=_create_app,
        port_variable="SONAR_PORT",
        default_port=9000,
        seed=fixtures.seed,
        reset=fixtures.reset,
        errors=(SonarError,),
        init_help="Create or migrate the database and bootstrap admin/admin.",
    )
)


@cli.command("users")
@click.option("--deactivated", is_flag=True, help="List deactivated users instead.")
@click.pass_context
def list_users(ctx: click.Context, deactivated: bool) -> None:
    """List users: login, name, email, local/managed."""
    db = open_database(ctx)
    for row in listings.users_by_login(db, active=not deactivated):
        kind = "managed" if row["managed"] else ("local" if row["local"] else "external")
        click.echo(f"{row['login']}\t{row['name']}\t{row['email'] or ''}\t{kind}")


@cli.command("create-token")
@click.argument("login")
@click.argument("name")
@click.pass_context
def create_token(ctx: click.Context, login: str, name: str) -> None:
    """Generate a user token for LOGIN and print it (shown once)."""
    db = open_database(ctx)
    try:
        value = tokens.seed_token(db, clock.now(db), login, name=name)
    except SonarError as error:
        raise click.ClickException(str(error)) from error
    click.echo(value)
