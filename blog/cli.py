"""The `blog` command: set up, serve, sync content, manage users and settings."""

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, NoAppException, with_appcontext
from peewee import OperationalError, ProgrammingError
from playhouse.migrations import Runner

from . import accounts, content, content_export, db, publishing
from .cli_comments import comments_group, privacy_group, spam_group
from .cli_settings import settings_group
from .cli_support import site_settings
from .cli_users import create_logged, users_group
from .cli_wordpress import export_group, import_group
from .comments.spam import classifier
from .models import Role, User

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _create_app():
    from . import create_app

    try:
        return create_app()
    except (ValueError, OSError) as error:
        # A BLOG_* value that does not parse, an instance folder not writable.
        # NoAppException, since `blog --help` shows any other error as a traceback.
        raise NoAppException(f"the site cannot start: {error}") from error


# How SQLite says a table (or a column) is not there.
_NO_SCHEMA = ("no such table", "no such column")
# PostgreSQL's undefined_table and undefined_column. Its message alone would
# not do: a database that does not exist "does not exist" too.
_NO_SCHEMA_CODES = ("42P01", "42703")


def _schema_missing(error) -> bool:
    code = getattr(getattr(error, "orig", None), "pgcode", None)
    if code:
        return code in _NO_SCHEMA_CODES
    return any(sign in str(error) for sign in _NO_SCHEMA)


FLASK_OPTIONS = ("app", "env_file", "debug")


class BlogGroup(FlaskGroup):
    """The commands, with a plain answer where the database or a file fails them."""

    def __init__(self, **extra):
        super().__init__(add_version_option=False, set_debug_flag=False, **extra)
        # Flask's --app, --env-file and --debug: the app is always create_app(),
        # python-dotenv is not installed, and nothing here runs a debug server.
        self.params = [p for p in self.params if p.name not in FLASK_OPTIONS]

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            if _schema_missing(error):
                raise click.ClickException(
                    "the database is not set up (or not up to date): run `blog init`, "
                    "which applies the migrations"
                ) from error
            if isinstance(error, ProgrammingError):
                raise
            # Not reachable, not there, not writable: say which and why.
            raise click.ClickException(
                f"cannot use the database {db.database.database!r}: "
                f"{str(error).strip()}"
            ) from error
        except db.BusyError as error:
            # Another writer held the database through every retry (a long
            # import, a server under load): a moment later it may not.
            raise click.ClickException(str(error)) from error
        except UnicodeEncodeError as error:
            # Bytes of another encoding reach Python as lone surrogates (an
            # argument, standard input, a \udce9 escape in a JSON file): no
            # database stores them, and no page could show them.
            # Not the text itself: it may be a password.
            raise click.ClickException(
                f"text that is not valid UTF-8 (character {error.start + 1} of "
                f"{len(error.object)}); check the encoding of the terminal or file"
            ) from error
        except BrokenPipeError:
            raise  # `blog settings list | head`: click ends quietly
        except OSError as error:
            # A file or folder named on the command line that cannot be used;
            # os.replace(draft, target) names the target second.
            name = error.filename2 or error.filename
            raise click.ClickException(
                f"{name}: {error.strerror}" if name else str(error)
            ) from error


@click.group(cls=BlogGroup, create_app=_create_app, add_default_commands=False)
@click.version_option(package_name="blog", prog_name="blog")
def main():
    """Run and manage the blog."""


def init_app(app):
    """Nothing to register per app: commands live on the `blog` group."""


def apply_migrations() -> list[str]:
    runner = Runner(db.database.obj, directory=str(MIGRATIONS_DIR))
    # A newer release migrated this database: its schema is not the one this
    # code reads and writes, whatever "up to date" would suggest.
    unknown = [m.name for m in runner.status() if m.path is None]
    if unknown:
        raise click.ClickException(
            f"the database has migrations this version does not know "
            f"({', '.join(unknown)}): a newer version set it up; run that "
            f"version, or restore a backup made for this one"
        )
    return runner.up()


@main.command()
@with_appcontext
def migrate():
    """Apply pending schema migrations."""
    applied = apply_migrations()
    click.echo(f"applied: {', '.join(applied)}" if applied else "schema is up to date")


def _sync(path) -> content.SyncReport:
    # A folder that is not there (a typo in BLOG_CONTENT_DIR, a volume not
    # mounted) would hold no files: every post's file would seem to vanish.
    if not Path(path).is_dir():
        raise click.ClickException(
            f"no content folder {path}: nothing synced, nothing unpublished"
        )
    root = current_app.config["CONTENT_DIR"]
    report = content.sync(path, site_settings()["timezone"], root=root)
    for bad_path, reason in report.errors:
        click.echo(f"error: {bad_path}: {reason}", err=True)
    for odd_path, reason in report.warnings:
        click.echo(f"warning: {odd_path}: {reason}", err=True)
    publishing.refresh(report.changed)
    click.echo(
        f"content: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unpublished)} unpublished, {report.unchanged} unchanged, "
        f"{len(report.errors)} with errors"
        + (f", {len(report.warnings)} with warnings" if report.warnings else "")
    )
    return report


@main.command()
@with_appcontext
def init():
    """Migrate, sync content/ and create the first admin if there is none."""
    migrate.callback()
    seeded = classifier.seed_from_default()
    if seeded:
        click.echo(f"spam filter: default model loaded ({seeded} tokens)")
    try:
        _sync(current_app.config["CONTENT_DIR"])
    except click.ClickException as error:  # a site written in the dashboard alone
        click.echo(f"content: {error.message}")
    login = f"{current_app.config['SITE_URL']}/admin/"
    if User.select().where(User.role == Role.ADMIN).exists():
        # A second `make run` says where to sign in too, not the password.
        click.echo(
            f"Admin login: {login} (an admin exists; "
            "`blog users set-password NAME` sets a new password)"
        )
    else:
        password = accounts.generate_password()
        create_logged("admin", password, Role.ADMIN)
        click.echo("=" * 60)
        click.echo(f"Admin login: {login}")
        click.echo("  user:     admin")
        click.echo(f"  password: {password}")
        click.echo("(shown once; change it with `blog users set-password admin`)")
        click.echo("=" * 60)


# One per core of a small server: more share the cores and the write lock,
# and took fewer comments a second (tests/benchmarks/README.md).
SERVE_WORKERS = 2


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
# Checked here: gunicorn answers a bad port with a traceback, and with no
# workers it listens but never answers.
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=SERVE_WORKERS, show_default=True, type=click.IntRange(1)
)
def serve(host, port, workers):
    """Serve the site with gunicorn."""
    click.echo(f"Serving on http://{host}:{port}/ with {workers} workers")
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}"]
    # No access log: it would write every reader's IP address to disk. No
    # control socket: its path is one per user, so two sites on one server
    # would share it and either could stop the other.
    args += ["--workers", str(workers), "--no-control-socket"]
    args += ["blog.wsgi:application()"]
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
def content_export_command(path):
    """Write every post and page to PATH as Markdown with front matter."""
    count = content_export.export(
        path, site_settings()["timezone"], site_url=current_app.config["SITE_URL"]
    )
    click.echo(f"exported {count} files to {path}")


# Defined in their own modules: this one sets up, serves and administers.
_GROUPS = (import_group, export_group, comments_group, privacy_group, spam_group)
for _group in (*_GROUPS, settings_group, users_group):
    main.add_command(_group)


if __name__ == "__main__":  # python -m blog.cli, as well as the `blog` script
    main()
