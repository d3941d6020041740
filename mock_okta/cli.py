"""`mock-okta`: run and manage the Okta org simulator from the command line."""

import click

from mock_common import clock
from mock_common.cli import add_serve_command, add_state_commands
from mock_common.db import connect
from mock_okta import fixtures
from mock_okta.config import default_config
from mock_okta.directory import users
from mock_okta.errors import OktaError
from mock_okta.security import api_tokens


def _open(ctx: click.Context):
    from mock_okta import init_db

    init_db(ctx.obj["db"])
    return connect(ctx.obj["db"])


@click.group()
@click.option(
    "--db",
    "db_path",
    envvar="MOCK_OKTA_DB",
    default=None,
    help="SQLite file (default: $DEVENV_HOME/okta.sqlite3).",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """Okta org (Workforce Identity) simulator."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path or default_config()["DATABASE"]


def _create_app(config: dict):
    from mock_okta import create_app

    return create_app(config)


def _start_worker(app) -> None:
    from mock_okta.provisioning.worker import start_worker

    start_worker(app)


add_serve_command(
    cli,
    create_app=_create_app,
    port_variable="OKTA_PORT",
    default_port=8080,
    start_background=_start_worker,  # Okta's SCIM push runs beside the web server
)


add_state_commands(
    cli,
    part="okta",
    open_db=_open,
    seed=fixtures.seed,
    reset=fixtures.reset,
    errors=(OktaError,),
    init_help="Create or migrate the database and bootstrap the org (admin, Everyone, API token).",
)


@cli.command("users")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    """List users: id, login, status."""
    db = _open(ctx)
    rows, _ = users.list_users(db, filter_="status pr", limit=100_000)
    for row in rows:
        click.echo(f"{row['id']}\t{row['login']}\t{row['status']}")


@cli.command("create-token")
@click.argument("name")
@click.pass_context
def create_token(ctx: click.Context, name: str) -> None:
    """Create an SSWS API token owned by the org admin and print it (shown once)."""
    db = _open(ctx)
    _, value = api_tokens.create_admin_token(db, clock.now(db), name)
    click.echo(value)
