"""`blog settings`: list, read and change the site's settings at a shell."""

import difflib
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import audit, publishing, themes
from .cli_support import site_settings
from .db import write_transaction
from .settings import DEFINITIONS, Definition, SettingError


@click.group("settings")
def settings_group():
    """Read and change the site's settings."""


def _definition(key: str) -> Definition:
    if key in DEFINITIONS:
        return DEFINITIONS[key]
    names = _close_names(key)
    hint = " or ".join([", ".join(names[:-1]), names[-1]] if names[1:] else names)
    hint = f"; did you mean {hint}?" if hint else ""
    raise click.ClickException(
        f"unknown setting {key!r}{hint} (`blog settings list` shows them all)"
    )


def _close_names(key: str) -> list[str]:
    """Names a typo, another spelling or a part of a name may mean."""
    typed = key.strip().lower().replace("-", "_").replace(" ", "_")
    names = list(DEFINITIONS)
    if typed in DEFINITIONS:
        return [typed]
    found = [name for name in names if len(typed) >= 4 and typed in name]
    found += difflib.get_close_matches(typed, names, n=3, cutoff=0.75)
    return list(dict.fromkeys(found))[:3]


def as_text(value) -> str:
    """A value written as `set` takes it: `get` output goes back unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(value)  # one item a line: a phrase may hold a comma
    return str(value)


@settings_group.command("list")
@with_appcontext
def settings_list():
    """Every setting with its value, default and allowed values."""
    values = site_settings().all()
    for key, definition in DEFINITIONS.items():
        click.echo(f"{key} = {values[key]!r}\n    {definition.help}")
        click.echo(f"    default {definition.default!r}; {definition.allowed()}")


@settings_group.command("get")
@click.argument("key")
@with_appcontext
def settings_get(key):
    """Print one setting's value, as `set` takes it."""
    _definition(key)
    click.echo(as_text(site_settings()[key]))


# A value such as -3 is a value to check, not an option click does not know.
@settings_group.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
@with_appcontext
def settings_set(key, value):
    """Change a setting; a bad value is refused with the allowed range."""
    _definition(key)
    if key == "theme" and value.strip():
        _check_theme(value.strip())
    try:
        with write_transaction():
            parsed = site_settings().set(key, value)
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
