"""Accounts: the admin's list of users, and everyone's own password."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from werkzeug.exceptions import TooManyRequests

from ... import accounts, audit, auth
from ...auth import role_required
from ...db import retrying
from ...models import Role, User
from .base import bp, database_id


def _page(status=200, **context):
    users = User.select().order_by(User.username)
    return render_template(
        "admin/users.html", users=users, roles=list(Role), **context
    ), status


def _log(action, user_id, detail="", before="", after=""):
    retrying(
        lambda: audit.record(
            action,
            current_user,
            object_type="user",
            object_id=user_id,
            from_state=before,
            to_state=after,
            detail=detail,
        )
    )


@bp.get("/users/")
@role_required()
def user_list():
    return _page()


@bp.post("/users/")
@role_required()
def create_user():
    form = request.form
    password = form.get("password", "") or accounts.generate_password()
    try:
        user = accounts.create_user(
            form.get("username", ""),
            password,
            form.get("role", ""),
            display_name=form.get("display_name", ""),
            email=form.get("email", ""),
        )
    except accounts.AccountError as error:
        # Shown in the new-user form, beside the field it is about.
        return _page(400, create_error=error, form=form)
    _log("user.create", user.id, user.username, after=user.role)
    # Shown once on this page, never put in the session's flash cookie.
    shown = None if form.get("password") else password
    return _page(201, created=user, password=shown)


def _user_or_404(user_id) -> User:
    return User.get_or_none(User.id == user_id) or abort(404)


@bp.post("/users/<int:user_id>/role")
@role_required()
def change_role(user_id):
    user = _user_or_404(user_id)
    role = request.form.get("role", "")
    try:
        before = accounts.change_role(user.id, role)
    except accounts.NoSuchUser:
        abort(404)  # deleted by another admin since
    except accounts.AccountError as error:
        return _page(400, error=str(error))
    _log("user.role", user.id, user.username, before, role)
    flash(f"{user.username} is now {role}.")
    if user.id == current_user.id and role != Role.ADMIN:
        # The users page is an admin's: the overview is still theirs.
        return redirect(url_for(".home"))
    return redirect(url_for(".user_list"))


@bp.post("/users/<int:user_id>/disable")
@role_required()
def disable_user(user_id):
    return _switch(accounts.disable_user, user_id, "{} is disabled and signed out.")


@bp.post("/users/<int:user_id>/enable")
@role_required()
def enable_user(user_id):
    return _switch(accounts.enable_user, user_id, "{} may sign in again.")


def _switch(action, user_id, done: str):
    try:
        user = retrying(lambda: action(user_id, current_user._get_current_object()))
    except accounts.NoSuchUser:
        abort(404)
    except accounts.AccountError as error:
        return _page(400, error=str(error))
    flash(done.format(user.username))
    return redirect(url_for(".user_list"))


@bp.get("/users/<int:user_id>/delete")
@role_required()
def confirm_delete_user(user_id):
    return _delete_page(_user_or_404(user_id))


def _delete_page(user: User, status=200, error=None):
    heirs = User.select().where(User.id != user.id).order_by(User.username)
    return render_template(
        "admin/user_delete.html",
        user=user,
        posts=accounts.posts_by(user).count(),
        heirs=heirs,
        error=error,
    ), status


@bp.post("/users/<int:user_id>/delete")
@role_required()
def delete_user(user_id):
    user = _user_or_404(user_id)
    heir = request.form.get("heir", "")
    heir_id = database_id(heir) if heir else None
    try:
        if heir and heir_id is None:
            raise accounts.AccountError("choose another user to give the posts to")
        by = current_user._get_current_object()
        moved = retrying(lambda: accounts.delete_user(user.id, by, heir_id))
    except accounts.NoSuchUser:
        abort(404)
    except accounts.AccountError as error:
        return _delete_page(user, 400, str(error))
    flash(
        f"{user.username} is deleted."
        + (f" {moved} posts changed hands." if moved else "")
    )
    return redirect(url_for(".user_list"))


@bp.post("/users/<int:user_id>/password")
@role_required()
def reset_password(user_id):
    user = _user_or_404(user_id)
    password = request.form.get("password", "") or accounts.generate_password()
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as error:
        # Marked on that user's row, where the password was typed.
        return _page(400, error=str(error), error_user=user.id)
    _log("user.password_reset", user.id, user.username)
    if user.id == current_user.id:
        login_user(user)
    shown = None if request.form.get("password") else password
    return _page(200, reset=user, password=shown)


@bp.get("/account/")
@role_required(Role.EDITOR, Role.MODERATOR)
def account():
    return render_template("admin/account.html")


@bp.post("/account/")
@role_required(Role.EDITOR, Role.MODERATOR)
def change_own_password():
    # Checked as a sign-in is, under its limit: a stolen session must not
    # let anyone guess the password at will.
    try:
        user = auth.authenticate(
            current_user.username, request.form.get("current", ""), request.remote_addr
        )
    except auth.TooManyAttempts as error:
        raise TooManyRequests(
            "Too many wrong passwords; please wait and try again.",
            retry_after=error.retry_after,
        ) from error
    if user is None or user.id != current_user.id:
        return render_template(
            "admin/account.html", errors={"current": "That is not your password."}
        ), 400
    try:
        accounts.set_password(user, request.form.get("new", ""))
    except accounts.AccountError as error:
        return render_template("admin/account.html", errors={"new": str(error)}), 400
    _log("user.password_change", user.id, user.username)
    # The new token ends every other session; this one carries on with it.
    login_user(user)
    flash("Password changed. Your other sessions have ended.")
    return redirect(url_for(".account"))
