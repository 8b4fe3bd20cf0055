"""Site and discussion settings, each form field made from its Definition."""

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import audit, publishing, themes
from ...auth import role_required
from ...db import retrying
from ...settings import DEFINITIONS, SettingError, out_of_order
from .base import bp, settings

GROUP_TITLES = {"site": "Site", "discussion": "Discussion"}


def _groups() -> dict[str, list]:
    groups: dict[str, list] = {}
    for definition in DEFINITIONS.values():
        groups.setdefault(definition.group, []).append(definition)
    return groups


def _submitted(definition) -> str | bool:
    """A field's value as sent; an unticked checkbox is not sent at all."""
    if type(definition.default) is bool:
        return request.form.get(definition.key) == "on"
    if type(definition.default) is list:
        # One item a line, commas and all.
        return request.form.get(definition.key, "").splitlines()
    return request.form.get(definition.key, "")


def _themes() -> list[str]:
    return themes.available(Path(current_app.config["THEMES_DIR"]))


def _page(values, errors, status=200):
    return (
        render_template(
            "admin/settings.html",
            groups=_groups(),
            group_titles=GROUP_TITLES,
            values=values,
            errors=errors,
            themes=_themes(),
        ),
        status,
    )


@bp.get("/settings/")
@role_required()
def site_settings():
    return _page(settings().all(), {})


@bp.post("/settings/")
@role_required()
def save_settings():
    parsed, errors = {}, {}
    for key, definition in DEFINITIONS.items():
        try:
            parsed[key] = definition.parse(_submitted(definition))
        except SettingError as error:
            errors[key] = str(error).removeprefix(f"{key}: ")
    if parsed.get("theme") not in ("", None, *_themes()):
        errors["theme"] = "no such theme"
    if not errors:
        changed = [key for key, value in parsed.items() if settings()[key] != value]
        for key, message in out_of_order(parsed, changed).items():
            errors[key] = message.removeprefix(f"{key}: ")
    if errors:
        values = {key: _submitted(d) for key, d in DEFINITIONS.items()}
        return _page(values, errors, 400)
    changed = [key for key, value in parsed.items() if settings()[key] != value]
    if changed:
        retrying(lambda: _store(parsed, changed))
        publishing.invalidate_pages()
    flash(f"Saved {len(changed)} changed setting(s)." if changed else "No changes.")
    return redirect(url_for(".site_settings"))


def _store(parsed: dict, changed: list[str]):
    settings().set_many({key: parsed[key] for key in changed})
    audit.record(
        "settings.change",
        current_user,
        object_type="settings",
        detail=", ".join(changed),
    )
