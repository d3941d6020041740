"""`mock-okta`: run and manage the Okta org simulator from the command line."""

import os

import click

from mock_common import clock
from mock_common.db import atomic, connect
from mock_common.fixture_cli import add_state_commands

from . import api_tokens, fixtures, users
from .config import default_config
from .errors import OktaError


def _open(ctx: click.Context):
    from . import init_db

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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=None, help="Port (default: $OKTA_PORT or 8080).")
@click.option("--base-url", default=None, help="Org URL (default: http://localhost:PORT).")
@click.option("--no-control", is_flag=True, help="Disable the /_mock control plane.")
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int | None, base_url: str | None, no_control: bool
) -> None:
    """Run the web server in the foreground."""
    from . import create_app

    port = port or int(os.environ.get("OKTA_PORT", "8080"))
    app = create_app(
        {
            "DATABASE": ctx.obj["db"],
            "BASE_URL": base_url or f"http://localhost:{port}",
            "CONTROL_PLANE": not no_control,
        }
    )
    app.run(host=host, port=port, threaded=True, use_reloader=False)


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
    with atomic(db):
        admin = users.require_user(db, "admin@example.com")
        _, value = api_tokens.create_token(db, clock.now(db), name, user_id=admin["id"])
    click.echo(value)
