"""Site and discussion settings, each form field made from its Definition."""

import json
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


def _loaded() -> dict:
    """The values the page was served with (sent back in a hidden field)."""
    try:
        loaded = json.loads(request.form.get("loaded", ""))
    except (ValueError, RecursionError):  # not what the page sent
        loaded = None
    return loaded if isinstance(loaded, dict) else settings().all()


def _page(values, errors, loaded, status=200):
    return (
        render_template(
            "admin/settings.html",
            groups=_groups(),
            group_titles=GROUP_TITLES,
            values=values,
            errors=errors,
            loaded=json.dumps(loaded),
            themes=_themes(),
        ),
        status,
    )


@bp.get("/settings/")
@role_required()
def site_settings():
    return _page(settings().all(), {}, settings().all())


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
    current = settings().all()
    changed = _changed_here(parsed, current)
    if not errors:
        merged = {**current, **{key: parsed[key] for key in changed}}
        errors = _unprefixed(out_of_order(merged, changed).values())
    if not errors and changed:
        try:
            retrying(lambda: _store(parsed, changed))
        except SettingError as error:  # out of order with a change made meanwhile
            errors, current = _unprefixed([str(error)]), settings().all()
    if errors:
        # Typed values kept; the others as stored now, to be saved from here.
        values = {
            key: current[key] if key in parsed and key not in changed else _submitted(d)
            for key, d in DEFINITIONS.items()
        }
        return _page(values, errors, current, 400)
    if changed:
        publishing.invalidate_pages()
    flash(f"Saved {len(changed)} changed setting(s)." if changed else "No changes.")
    return redirect(url_for(".site_settings"))


def _changed_here(parsed: dict, current: dict) -> list[str]:
    """The settings changed on this page: one left open must not undo what
    `blog settings set` or another admin changed since it was served."""
    loaded = _loaded()
    return [
        key
        for key, value in parsed.items()
        if value != loaded.get(key, current[key]) and value != current[key]
    ]


def _unprefixed(messages) -> dict[str, str]:
    """Messages such as "key: text" as {key: text}, each shown by its field."""
    return dict(message.split(": ", 1) for message in messages)


def _store(parsed: dict, changed: list[str]):
    settings().set_many({key: parsed[key] for key in changed})
    audit.record(
        "settings.change",
        current_user,
        object_type="settings",
        detail=", ".join(changed),
    )
