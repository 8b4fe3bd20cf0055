"""The `blog import wordpress` and `blog export wordpress` commands."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .cli_support import replacing, site_settings


@click.group("import")
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
    from .comments import retention
    from .wordpress import importer

    names = _read_authors(authors) if authors else {}
    report = importer.import_file(
        file,
        key=current_app.config["SECRET_KEY"],
        dry_run=dry_run,
        authors=names,
        ip_retention=retention.ip_retention(site_settings()),
    )
    click.echo(report.format())
    if not report.ok:
        sys.exit(1)


@click.group("export")
def export_group():
    """Write the site out for another blog engine."""


@export_group.command("wordpress")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_wordpress(file):
    """Write posts, pages, terms and comments as a WordPress export (WXR 1.2)."""
    from .wordpress import exporter

    settings = site_settings()
    with replacing(file) as stream:
        count = exporter.export(
            stream,
            current_app.config["SITE_URL"],
            settings["title"],
            settings["timezone"],
        )
    click.echo(f"exported {count} posts and pages to {file}")
