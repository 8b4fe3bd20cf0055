"""User accounts: creation, Argon2 password hashes, session tokens."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from peewee import IntegrityError

from .db import serialise, write_transaction
from .models import Role, User

hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user name, role or password that cannot be accepted."""


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def _check_password(password: str):
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )


def create_user(
    username: str, password: str, role: str = Role.EDITOR, **fields
) -> User:
    username = username.strip()
    if not username or len(username) > 64 or not username.isprintable():
        raise AccountError("a user name is 1 to 64 printable characters")
    if role not in set(Role):
        raise AccountError(f"role must be one of {', '.join(Role)}")
    _check_password(password)
    try:
        with write_transaction():
            return User.create(
                username=username,
                password_hash=hasher.hash(password),
                role=role,
                session_token=secrets.token_hex(16),
                **fields,
            )
    except IntegrityError as error:
        raise AccountError(f"the user name {username!r} is taken") from error


def change_role(user_id: int, role: str) -> str:
    """Give a user another role; return the one it had.

    The admins are counted and the role saved in one transaction, under one
    lock: two admins demoting each other at once would otherwise each count
    two admins and leave the site with none.
    """
    if role not in set(Role):
        raise AccountError(f"role must be one of {', '.join(Role)}")
    with write_transaction():
        serialise("user.admins")
        user = User.get_by_id(user_id)
        admins = User.select().where(User.role == Role.ADMIN).count()
        if user.role == Role.ADMIN and role != Role.ADMIN and admins == 1:
            raise AccountError("the site needs at least one admin")
        before, user.role = user.role, role
        user.save(only=[User.role])
    return before


def set_password(user: User, password: str):
    """Change the password and end every session of the user."""
    _check_password(password)
    user.password_hash = hasher.hash(password)
    user.session_token = secrets.token_hex(16)
    user.save()


def verify_password(user: User | None, password: str) -> bool:
    """Check a password; with no user, spend the same time so timing tells nothing."""
    if user is None:
        try:
            hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        user.save()
    return True


_DUMMY_HASH = hasher.hash("not a real password")
