"""`mock-sonar`: run and manage the SonarQube simulator from the command line."""

import os

import click

from mock_common.db import atomic, connect
from mock_common.fixture_cli import add_state_commands

from . import clock, fixtures, tokens, users
from .config import default_config
from .errors import SonarError


def _db_path(ctx: click.Context) -> str:
    return ctx.obj["db"]


def _open(ctx: click.Context):
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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=None, help="Port (default: $SONAR_PORT or 9000).")
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
    from . import create_app

    port = port or int(os.environ.get("SONAR_PORT", "9000"))
    app = create_app(
        {
            "DATABASE": db_path or _db_path(ctx),
            "BASE_URL": base_url or f"http://localhost:{port}",
            "CONTROL_PLANE": not no_control,
        }
    )
    app.run(host=host, port=port, threaded=True, use_reloader=False)


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
    rows, _ = users.search_users(db, active=not deactivated, page_size=10_000)
    managed = {r["user_uuid"] for r in db.query("select user_uuid from scim_users")}
    for row in rows:
        kind = "managed" if row["uuid"] in managed else ("local" if row["local"] else "external")
        click.echo(f"{row['login']}\t{row['name']}\t{row['email'] or ''}\t{kind}")


@cli.command("create-token")
@click.argument("login")
@click.argument("name")
@click.pass_context
def create_token(ctx: click.Context, login: str, name: str) -> None:
    """Generate a user token for LOGIN and print it (shown once)."""
    db = _open(ctx)
    try:
        with atomic(db):
            user = users.require_user(db, login)
            _, value = tokens.generate_token(db, clock.now(db), user, name=name)
    except SonarError as error:
        raise click.ClickException(str(error)) from error
    click.echo(value)
