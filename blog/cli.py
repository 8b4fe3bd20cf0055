"""The `blog` command: set up, serve, sync content, manage users and settings."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, NoAppException, with_appcontext
from peewee import OperationalError, ProgrammingError
from playhouse.migrations import Runner

from . import accounts, audit, content, db, publishing, themes
from .comments.spam import classifier
from .db import write_transaction
from .models import Post, Role, User
from .settings import DEFINITIONS, SettingError

DEFAULT_VALUES = {key: definition.default for key, definition in DEFINITIONS.items()}

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


@contextmanager
def _replacing(path):
    """A text file written beside `path` that takes its place once complete.

    An export that fails half way (the database gone, the disk full) leaves
    the previous export as it was, not a truncated one.
    """
    draft = Path(f"{path}.part")
    try:
        with open(draft, "w", encoding="utf-8") as stream:
            yield stream
        os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)


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
    seeded = classifier.seed_from_default()
    if seeded:
        click.echo(f"spam filter: default model loaded ({seeded} tokens)")
    _sync(current_app.config["CONTENT_DIR"])
    if not User.select().where(User.role == Role.ADMIN).exists():
        password = accounts.generate_password()
        _create_user("admin", password, Role.ADMIN)
        click.echo("=" * 60)
        click.echo(f"Admin login: {current_app.config['SITE_URL']}/admin/")
        click.echo("  user:     admin")
        click.echo(f"  password: {password}")
        click.echo("(shown once; change it with `blog users set-password admin`)")
        click.echo("=" * 60)


# One per core of a small server: more share the cores and the write lock,
# and took fewer comments a second (tests/benchmarks/README.md).
SERVE_WORKERS = 2


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=SERVE_WORKERS, show_default=True, type=int)
def serve(host, port, workers):
    """Serve the site with gunicorn."""
    click.echo(f"Serving on http://{host}:{port}/ with {workers} workers")
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}"]
    # No access log: it would write every reader's IP address to disk.
    args += ["--workers", str(workers), "blog.wsgi:application()"]
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
        _create_user(name, _read_password(), role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {role} {name}")


def _create_user(name: str, password: str, role: str) -> User:
    """Create a user and log it as the dashboard does: an account made at a
    shell is as much a security event as one made in the browser."""
    with write_transaction():
        user = accounts.create_user(name, password, role)
        _log_user("user.create", user, after=role)
    return user


def _log_user(action: str, user: User, after: str = ""):
    audit.record(
        action,
        object_type="user",
        object_id=user.id,
        to_state=after,
        detail=user.username,
    )


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
    password = _read_password()
    try:
        with write_transaction():
            accounts.set_password(user, password)
            _log_user("user.password_reset", user)
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


# A value such as -3 is a value to check, not an option click does not know.
@settings_group.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
@with_appcontext
def settings_set(key, value):
    """Change a setting; a bad value is refused with the allowed range."""
    if key == "theme" and value.strip():
        _check_theme(value.strip())
    try:
        with write_transaction():
            parsed = _settings().set(key, value)
            audit.record("settings.change", object_type="settings", detail=key)
    except SettingError as error:
        raise click.ClickException(str(error)) from error
    publishing.invalidate_pages()
    click.echo(f"{key} = {parsed!r}")


def _check_theme(name: str):
    themes_dir = Path(current_app.config["THEMES_DIR"])
    try:
        themes.check(themes_dir, name)
    except themes.ThemeError as error:
        installed = ", ".join(themes.available(themes_dir))
        raise click.ClickException(
            f"theme: {error} (installed: {installed})"
        ) from error


@main.group("import")
def import_group():
    """Bring content in from another blog engine."""


def _read_authors(path) -> dict[str, str]:
    """login,name rows (a "login,name" header is allowed) as {login: name}."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if row and row[0].strip()]
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path}: not UTF-8 text ({error.reason})"
        ) from error
    if rows and [cell.strip().lower() for cell in rows[0][:2]] == ["login", "name"]:
        rows = rows[1:]
    if any(len(row) < 2 for row in rows):
        raise click.ClickException(f"{path}: every row needs a login and a name")
    return {row[0].strip(): row[1].strip() for row in rows}


@import_group.command("wordpress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--authors",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV of WordPress login,display name.",
)
@with_appcontext
def import_wordpress(file, dry_run, authors):
    """Import a WordPress export (WXR): posts, pages, terms, comments, redirects."""
    from .wordpress import importer

    names = _read_authors(authors) if authors else {}
    key = current_app.config["SECRET_KEY"]
    report = importer.import_file(file, key=key, dry_run=dry_run, authors=names)
    click.echo(report.format())
    if not report.ok:
        sys.exit(1)


@main.group("export")
def export_group():
    """Write the site out for another blog engine."""


@export_group.command("wordpress")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_wordpress(file):
    """Write posts, pages, terms and comments as a WordPress export (WXR 1.2)."""
    from .wordpress import exporter

    settings = _settings()
    with _replacing(file) as stream:
        count = exporter.export(
            stream,
            current_app.config["SITE_URL"],
            settings["title"],
            settings["timezone"],
        )
    click.echo(f"exported {count} posts and pages to {file}")


@main.group("comments")
def comments_group():
    """Move comments in and out as JSON."""


@comments_group.command("export-json")
@click.argument("args", nargs=-1, required=True, metavar="POST_ID|--all FILE")
@click.option("--all", "every_post", is_flag=True, help="Every post's comments.")
@click.option(
    "--with-emails", is_flag=True, help="Include commenters' emails (private)."
)
@with_appcontext
def comments_export_json(args, every_post, with_emails):
    """Write a post's (or every post's) comments to FILE as JSON; never IPs."""
    import json

    from . import comments_json

    if len(args) != (1 if every_post else 2):
        raise click.UsageError("give POST_ID FILE, or --all FILE")
    post_ids = None if every_post else [_post_id(args[0])]
    data = comments_json.export(post_ids, with_emails=with_emails)
    with _replacing(args[-1]) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
    count = sum(len(post["comments"]) for post in data["posts"])
    click.echo(f"exported {count} comments of {len(data['posts'])} posts")


def _post_id(text: str) -> int:
    # isdigit() alone takes "²"; past 2**63 - 1 no id column can hold it.
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        raise click.UsageError(f"{text!r} is not a post id")
    # A mistyped id would otherwise give an empty file and a success.
    if not Post.select().where(Post.id == int(text)).exists():
        raise click.ClickException(f"no post with id {text}")
    return int(text)


@comments_group.command("import-json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def comments_import_json(file):
    """Add the comments of a JSON file to the posts with the same slugs."""
    from . import comments_json

    try:
        data = comments_json.load(Path(file).read_bytes())
        counts = comments_json.import_data(data, current_app.config["SECRET_KEY"])
    except comments_json.CommentsFileError as error:
        raise click.ClickException(f"{file}: {error}") from error
    publishing.invalidate_pages()
    click.echo(
        f"imported {counts['imported']} comments, {counts['existing']} already "
        f"there; {counts['posts_missing']} posts not found"
    )


@comments_group.command("purge")
@click.option("--days", type=int, help="Override the spam_retention_days setting.")
@with_appcontext
def comments_purge(days):
    """Delete spam and trash past retention and forget addresses past theirs."""
    from .comments import actions

    days = days if days is not None else _settings()["spam_retention_days"]
    if days < 1:
        raise click.UsageError("--days must be at least 1")
    removed = actions.purge(days)
    forgotten = actions.forget_addresses(_settings())
    click.echo(
        f"purged {removed} spam and trashed comments older than {days} days; "
        f"forgot the addresses of {forgotten} comments"
    )


@main.group("privacy")
def privacy_group():
    """Export or erase what the site holds about an email address."""


@privacy_group.command("export")
@click.argument("email")
@with_appcontext
def privacy_export(email):
    """Print everything held about EMAIL as JSON."""
    import json

    from . import privacy_tools

    try:
        data = privacy_tools.export(email, current_app.config["SECRET_KEY"])
    except privacy_tools.PrivacyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@privacy_group.command("erase")
@click.argument("email")
@click.option("--delete-comments", is_flag=True, help="Delete the comments too.")
@with_appcontext
def privacy_erase(email, delete_comments):
    """Anonymise every comment of EMAIL (or delete them) and forget the address."""
    from . import privacy_tools

    try:
        result = privacy_tools.erase(
            email, current_app.config["SECRET_KEY"], None, delete_comments
        )
    except privacy_tools.PrivacyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"anonymised {result.comments} comments, deleted {result.deleted}, "
        f"cleared {result.accounts} account emails, "
        f"removed {result.blocklist} blocklist entries"
    )


@main.group()
def spam():
    """Measure and teach the spam filter."""


def _read_examples_or_exit(action):
    from .comments.spam.corpora import CorpusError

    try:
        return action()
    except CorpusError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


@spam.command("evaluate")
@click.option("--train", "train_files", multiple=True, type=click.Path())
@click.option("--test", "test_files", multiple=True, required=True, type=click.Path())
@click.option("--no-default", is_flag=True, help="Start from an empty model.")
@with_appcontext
def spam_evaluate(train_files, test_files, no_default):
    """Run the content decision on labelled files; print one JSON object.

    Uses the default settings and an in-memory model: no database is touched.
    """
    import json

    from .comments.spam.evaluate import evaluate

    result = _read_examples_or_exit(
        lambda: evaluate(test_files, DEFAULT_VALUES, train_files, not no_default)
    )
    click.echo(json.dumps(result))


@spam.command("train")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@with_appcontext
def spam_train(files):
    """Add labelled examples to the live model."""
    from .comments.spam.corpora import read

    # Every file is read before anything is learned: a bad one changes nothing.
    examples = _read_examples_or_exit(lambda: [e for p in files for e in read(p)])
    learned = db.retrying(lambda: classifier.live().train(examples))
    click.echo(
        f"learned {learned['spam']} spam and {learned['ham']} ham examples "
        f"({len(examples)} read; copies of one message are learned once)"
    )


if __name__ == "__main__":  # python -m blog.cli, as well as the `blog` script
    main()
