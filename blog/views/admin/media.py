"""The media library: upload images, copy their Markdown, delete them."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import audit, media
from ...auth import role_required
from ...db import retrying
from ...models import Role
from .base import bp


def _folder() -> str:
    return current_app.config["MEDIA_DIR"]


def _max_bytes() -> int:
    return int(current_app.config.get("MEDIA_MAX_BYTES") or media.DEFAULT_MAX_BYTES)


@bp.get("/media/")
@role_required(Role.EDITOR)
def media_library(uploaded=None, error=None, status=200, upload_error=None):
    return (
        render_template(
            "admin/media.html",
            files=media.library(_folder()),
            uploaded=uploaded,
            error=error,
            upload_error=upload_error,
            max_mb=_max_bytes() // 1024 // 1024,
        ),
        status,
    )


@bp.post("/media/")
@role_required(Role.EDITOR)
def upload_media():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return media_library(upload_error="Choose an image to upload.", status=400)
    try:
        saved = media.save(
            upload.read(_max_bytes() + 1), upload.filename, _folder(), _max_bytes()
        )
    except media.MediaError as error:
        # Shown in the upload form, tied to its file field.
        status = 413 if isinstance(error, media.TooLarge) else 400
        return media_library(upload_error=str(error), status=status)
    retrying(
        lambda: audit.record(
            "media.upload", current_user, object_type="media", detail=saved.path
        )
    )
    return media_library(uploaded=saved, status=201)


@bp.post("/media/delete")
@role_required(Role.EDITOR)
def delete_media():
    try:
        removed = media.delete(_folder(), request.form.get("path", ""))
    except media.MediaError as error:
        return media_library(error=str(error), status=404)
    retrying(
        lambda: audit.record(
            "media.delete", current_user, object_type="media", detail=removed
        )
    )
    flash(f"Deleted {removed}. Posts that show it now show a broken image.")
    return redirect(url_for(".media_library"))
