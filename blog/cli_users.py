"""`blog users`: create, list, disable, enable and delete accounts at a shell.

An account changed at a shell is as much a security event as one changed in
the dashboard: each change goes to the audit log, under "system".
"""

import sys

import click
from flask.cli import with_appcontext

from . import accounts, audit
from .db import write_transaction
from .models import Role, User


@click.group("users")
def users_group():
    """Manage user accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        line = sys.stdin.readline().rstrip("\n")
    except UnicodeDecodeError as error:  # a Latin-1 file, in a UTF-8 locale
        raise click.ClickException(
            "the password on standard input is not valid UTF-8 text"
        ) from error
    if not line:
        raise click.ClickException("no password on standard input")
    return line


def _user(name: str) -> User:
    user = accounts.find_user(name)
    if user is None:
        raise click.ClickException(f"no user {name!r}")
    return user


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="editor")
@with_appcontext
def users_create(name, role):
    """Create a user; the password is asked for, or read from standard input."""
    try:
        user = create_logged(name, _read_password(), role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {role} {user.username}")


def create_logged(name: str, password: str, role: str) -> User:
    """Create a user and log it as the dashboard does."""
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


@users_group.command("list")
@with_appcontext
def users_list():
    """List every user: role, created, may sign in or not, last sign-in (UTC)."""
    for user in User.select().order_by(User.username):
        state = "active" if user.is_active else "disabled"
        seen = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
        click.echo(
            f"{user.username}\t{user.role}\t{user.created_at:%Y-%m-%d}\t{state}\t{seen}"
        )


@users_group.command("set-password")
@click.argument("name")
@with_appcontext
def users_set_password(name):
    """Set a user's password, ending their sessions."""
    user = _user(name)
    password = _read_password()
    try:
        with write_transaction():
            accounts.set_password(user, password)
            _log_user("user.password_reset", user)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"password changed for {user.username}")


@users_group.command("disable")
@click.argument("name")
@with_appcontext
def users_disable(name):
    """Keep a user from signing in and end their sessions; their posts stay."""
    _change(accounts.disable_user, name)
    click.echo(f"disabled {name}; their sessions have ended")


@users_group.command("enable")
@click.argument("name")
@with_appcontext
def users_enable(name):
    """Let a disabled user sign in again."""
    _change(accounts.enable_user, name)
    click.echo(f"enabled {name}")


def _change(action, name: str, *args):
    try:
        return action(_user(name).id, None, *args)
    except accounts.NoSuchUser as error:  # deleted meanwhile
        raise click.ClickException(f"no user {name!r}") from error
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error


@users_group.command("delete")
@click.argument("name")
@click.option("--posts-to", metavar="USER", help="Give their posts to this user.")
@click.confirmation_option(prompt="Delete the user? This cannot be undone.")
@with_appcontext
def users_delete(name, posts_to):
    """Delete a user; their posts keep their byline unless --posts-to is given."""
    heir = _user(posts_to).id if posts_to else None
    moved = _change(accounts.delete_user, name, heir)
    click.echo(
        f"deleted {name}" + (f"; {moved} posts given to {posts_to}" if moved else "")
    )
