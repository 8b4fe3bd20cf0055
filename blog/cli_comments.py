"""The `blog comments`, `blog privacy` and `blog spam` commands: comments in
and out as JSON, retention, a commenter's data, and the spam filter."""

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import db, publishing
from .cli_support import replacing, site_settings
from .comments.spam import classifier
from .models import Post, utcnow
from .settings import DEFINITIONS

DEFAULT_VALUES = {key: definition.default for key, definition in DEFINITIONS.items()}


@click.group("comments")
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
    from . import comments_json

    if len(args) != (1 if every_post else 2):
        raise click.UsageError("give POST_ID FILE, or --all FILE")
    post_ids = None if every_post else [_post_id(args[0])]
    data = comments_json.export(post_ids, with_emails=with_emails)
    with replacing(args[-1]) as handle:
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
    publishing.invalidate_comments()
    click.echo(
        f"imported {counts['imported']} comments, {counts['existing']} already "
        f"there; {counts['posts_missing']} posts not found"
    )
    for note in counts["notes"]:
        click.echo(f"note: {note}")


_RETENTION = DEFINITIONS["spam_retention_days"]


@comments_group.command("purge")
# The setting's own range: past it the cutoff date overflowed (a traceback).
@click.option(
    "--days",
    type=click.IntRange(_RETENTION.minimum, _RETENTION.maximum),
    help="Override the spam_retention_days setting.",
)
@with_appcontext
def comments_purge(days):
    """Delete spam and trash past retention and forget addresses past theirs."""
    from .comments import actions, retention

    days = days if days is not None else site_settings()["spam_retention_days"]
    removed = actions.purge(days)
    keep = retention.ip_retention(site_settings())
    forgotten = retention.forget_old_addresses(utcnow(), keep)
    click.echo(
        f"purged {removed} spam and trashed comments older than {days} days; "
        f"forgot the addresses of {forgotten} comments"
    )


@click.group("privacy")
def privacy_group():
    """Export or erase what the site holds about an email address."""


@privacy_group.command("export")
@click.argument("email")
@with_appcontext
def privacy_export(email):
    """Print everything held about EMAIL as JSON."""
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


@click.group("spam")
def spam_group():
    """Measure and teach the spam filter."""


def _read_examples_or_exit(action):
    from .comments.spam.corpora import CorpusError

    try:
        return action()
    except CorpusError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


@spam_group.command("evaluate")
@click.option("--train", "train_files", multiple=True, type=click.Path())
@click.option("--test", "test_files", multiple=True, required=True, type=click.Path())
@click.option("--no-default", is_flag=True, help="Start from an empty model.")
# No app: its start-up would create an instance folder, a secret key and a
# database file, and would refuse a database URL this command never uses.
def spam_evaluate(train_files, test_files, no_default):
    """Run the content decision on labelled files; print one JSON object.

    Uses the default settings and an in-memory model: no database is touched.
    """
    from .comments.spam.evaluate import evaluate

    result = _read_examples_or_exit(
        lambda: evaluate(test_files, DEFAULT_VALUES, train_files, not no_default)
    )
    click.echo(json.dumps(result))


@spam_group.command("train")
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
