"""Privacy tools: a person's data by email, exported as JSON or erased."""

import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import privacy_tools
from ...auth import role_required
from .base import bp


def email_key() -> str:
    return current_app.config["SECRET_KEY"]


def _page(status=200, **context):
    return render_template("admin/privacy.html", **context), status


def _refused(form: str, message: str, field: str = "email"):
    """The page again, the message in the form sent, beside the field it is
    about, and the address typed kept."""
    refused = {"form": form, "field": field, "message": message}
    return _page(400, refused=refused, email=request.form.get("email", ""))


@bp.get("/privacy/")
@role_required()
def privacy():
    return _page()


@bp.post("/privacy/export")
@role_required()
def privacy_export():
    try:
        data = privacy_tools.export(
            request.form.get("email", ""), email_key(), current_user
        )
    except privacy_tools.PrivacyError as error:
        return _refused("export", str(error))
    name = "personal-data.json"
    return (
        json.dumps(data, indent=2, ensure_ascii=False),
        200,
        {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


@bp.post("/privacy/erase")
@role_required()
def privacy_erase():
    if request.form.get("confirm") != "on":
        return _refused("erase", "Tick the box to confirm the erasure.", "confirm")
    delete = request.form.get("delete_comments") == "on"
    try:
        result = privacy_tools.erase(
            request.form.get("email", ""), email_key(), current_user, delete
        )
    except privacy_tools.PrivacyError as error:
        return _refused("erase", str(error))
    flash(
        f"Erased: {result.comments} comment(s) anonymised, {result.deleted} deleted, "
        f"{result.accounts} account email(s) cleared, "
        f"{result.blocklist} blocklist entr(ies) removed."
    )
    return redirect(url_for(".privacy"))
