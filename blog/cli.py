"""The `blog` command: set up, serve, sync content, manage users and settings."""

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from playhouse.migrations import Runner

from . import accounts, content, db, publishing
from .models import Role, User
from .settings import DEFINITIONS, SettingError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main():
    """Run and manage the blog."""


def init_app(app):
    """Nothing to register per app: commands live on the `blog` group."""


def apply_migrations() -> list[str]:
    runner = Runner(db.database.obj, directory=str(MIGRATIONS_DIR))
    return runner.up()


@main.command()
@with_appcontext
def migrate():
    """Apply pending schema migrations."""
    applied = apply_migrations()
    click.echo(f"applied: {', '.join(applied)}" if applied else "schema is up to date")


def _settings():
    return current_app.extensions["settings"]


def _sync(path) -> content.SyncReport:
    report = content.sync(path, _settings()["timezone"])
    for bad_path, reason in report.errors:
        click.echo(f"error: {bad_path}: {reason}", err=True)
    publishing.refresh(report.changed)
    click.echo(
        f"content: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unpublished)} unpublished, {report.unchanged} unchanged, "
        f"{len(report.errors)} with errors"
    )
    return report


@main.command()
@with_appcontext
def init():
    """Migrate, sync content/ and create the first admin if there is none."""
    migrate.callback()
    _sync(current_app.config["CONTENT_DIR"])
    if not User.select().where(User.role == Role.ADMIN).exists():
        password = accounts.generate_password()
        accounts.create_user("admin", password, Role.ADMIN)
        click.echo("=" * 60)
        click.echo("Admin login: http://127.0.0.1:8000/admin/")
        click.echo("  user:     admin")
        click.echo(f"  password: {password}")
        click.echo("(shown once; change it with `blog users set-password admin`)")
        click.echo("=" * 60)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host, port, workers):
    """Serve the site with gunicorn."""
    click.echo(f"Serving on http://{host}:{port}/ with {workers} workers")
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}"]
    args += ["--workers", str(workers), "--access-logfile", "-", "blog:create_app()"]
    os.execv(sys.executable, args)


@main.group("content")
def content_group():
    """Sync Markdown files into the site and export them back."""


@content_group.command("sync")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@with_appcontext
def content_sync(path):
    """Import new and changed files from PATH (default: content/)."""
    report = _sync(path or current_app.config["CONTENT_DIR"])
    if report.errors:
        sys.exit(1)


@content_group.command("export")
@click.argument("path", type=click.Path(file_okay=False))
@with_appcontext
def content_export(path):
    """Write every post and page to PATH as Markdown with front matter."""
    count = content.export(path, _settings()["timezone"])
    click.echo(f"exported {count} files to {path}")


@main.group()
def users():
    """Manage user accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline().rstrip("\n")
    if not line:
        raise click.ClickException("no password on standard input")
    return line


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="editor")
@with_appcontext
def users_create(name, role):
    """Create a user; the password is asked for, or read from standard input."""
    try:
        accounts.create_user(name, _read_password(), role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {role} {name}")


@users.command("list")
@with_appcontext
def users_list():
    """List every user with their role."""
    for user in User.select().order_by(User.username):
        click.echo(f"{user.username}\t{user.role}\t{user.created_at:%Y-%m-%d}")


@users.command("set-password")
@click.argument("name")
@with_appcontext
def users_set_password(name):
    """Set a user's password, ending their sessions."""
    user = User.get_or_none(User.username == name)
    if user is None:
        raise click.ClickException(f"no user {name!r}")
    try:
        accounts.set_password(user, _read_password())
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"password changed for {name}")


@main.group("settings")
def settings_group():
    """Read and change the site's settings."""


@settings_group.command("list")
@with_appcontext
def settings_list():
    """Every setting with its value and what it does."""
    values = _settings().all()
    for key, definition in DEFINITIONS.items():
        click.echo(f"{key} = {values[key]!r}\n    {definition.help}")


@settings_group.command("get")
@click.argument("key")
@with_appcontext
def settings_get(key):
    """Print one setting's value."""
    if key not in DEFINITIONS:
        raise click.ClickException(f"unknown setting {key!r}")
    click.echo(repr(_settings()[key]))


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@with_appcontext
def settings_set(key, value):
    """Change a setting; a bad value is refused with the allowed range."""
    try:
        parsed = _settings().set(key, value)
    except SettingError as error:
        raise click.ClickException(str(error)) from error
    publishing.invalidate_pages()
    click.echo(f"{key} = {parsed!r}")
