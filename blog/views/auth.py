"""Signing in and out."""

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests

from .. import auth
from ..comments import actions
from ..models import User
from . import form_origin, housekeeping
from .admin.base import STALE_PAGE, refuse_nul
from .errors import render_error

bp = Blueprint("auth", __name__)
bp.before_request(refuse_nul)
FAILED = "Unknown user name or wrong password."
EXPIRED = "The sign-in form had expired. Please sign in again."


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _next_path() -> str:
    return auth.local_path(request.values.get("next")) or url_for("admin.home")


@bp.get("/login/")
def login():
    if current_user.is_authenticated:
        return redirect(_next_path())
    return render_template("admin/login.html", next=request.args.get("next", ""))


@bp.post("/login/")
def sign_in():
    username = request.form.get("username", "")[:200]
    try:
        user = auth.authenticate(
            username, request.form.get("password", ""), request.remote_addr
        )
    except auth.TooManyAttempts as error:
        raise TooManyRequests(
            "Too many failed sign-ins; please wait and try again.",
            retry_after=error.retry_after,
        ) from error
    if user is None:
        return render_template(
            "admin/login.html", error=FAILED, username=username, next=_next_path()
        ), 401
    # A fresh session: nothing from before the sign-in carries over.
    session.clear()
    login_user(user)
    auth.record_sign_in(user)
    # Housekeeping that needs no reader to wait for it.
    settings = current_app.extensions["settings"]
    actions.purge(settings["spam_retention_days"])
    housekeeping.forget_old_addresses(settings)
    return redirect(_next_path())


@bp.errorhandler(CSRFError)
def _form_expired(error):
    # A page left open past its session (the browser restarted, a sign-out
    # in another tab) answered a bare "CSRF session token is missing".
    if request.endpoint == "auth.logout":
        # Out already: there is nothing to refuse.
        if not current_user.is_authenticated:
            return redirect(url_for(".login"))
        return render_error(400, STALE_PAGE)
    # Another site's form would have its words shown in our login page.
    here = form_origin.sent_from() is form_origin.Sent.HERE
    username = request.form.get("username", "")[:200] if here else ""
    return render_template(
        "admin/login.html", error=EXPIRED, username=username, next=_next_path()
    ), 400


@bp.post("/logout/")
def logout():
    if current_user.is_authenticated:
        auth.end_sessions(User.get_by_id(current_user.id))
    logout_user()
    session.clear()
    return redirect(url_for(".login"))
