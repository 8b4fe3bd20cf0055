"""User accounts: names, creation, Argon2 password hashes, roles, disabling and
deleting, and the rule that the site keeps one admin who can sign in."""

import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from confusable_homoglyphs import confusables
from email_validator import EmailNotValidError, validate_email
from peewee import IntegrityError

from . import audit, publishing
from .comment_models import Comment
from .db import serialise, write_transaction
from .models import Post, Role, User, utcnow

hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Ten spaces or "abababababab" pass a length rule and fall to the first guesses.
MIN_DIFFERENT_CHARACTERS = 5


class AccountError(ValueError):
    """A user name, role or password that cannot be accepted."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field  # the field at fault (username, email, ...): a form marks it


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def _check_password(password: str):
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            "password",
        )
    if len(set(password)) < MIN_DIFFERENT_CHARACTERS:
        different = MIN_DIFFERENT_CHARACTERS
        raise AccountError(
            f"a password needs at least {different} different characters", "password"
        )


def clean_username(raw: str) -> str:
    """The name as stored: NFKC, so a full-width "ａｄｍｉｎ" is "admin"."""
    name = unicodedata.normalize("NFKC", raw).strip()
    if (
        not name
        or len(name) > 64
        or not name.isprintable()
        or any(char.isspace() for char in name)
    ):
        raise AccountError(
            "a user name is 1 to 64 printable characters, no spaces", "username"
        )
    # "аdmin" with a Cyrillic "а" reads as "admin" on every page it shows on.
    if confusables.is_dangerous(name):
        raise AccountError(
            f"the user name {name!r} mixes alphabets whose letters look alike",
            "username",
        )
    return name


def name_key(name: str) -> str:
    """What names are compared by: "Admin", " admin" and "ａｄｍｉｎ" are one."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _clean_email(raw: str) -> str:
    email = raw.strip()
    if not email:
        return ""
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(
            f"the email address is not valid: {error}", "email"
        ) from error
    if len(checked.normalized) > 254:
        raise AccountError("an email address is at most 254 characters", "email")
    return checked.normalized


def _clean_display_name(raw: str) -> str:
    name = raw.strip()
    if len(name) > 120 or not name.isprintable():
        raise AccountError(
            "a display name is at most 120 printable characters", "display_name"
        )
    return name


def find_user(username: str) -> User | None:
    """The user of this name, whatever its case: "Admin" signs in as "admin"."""
    name = username.strip()
    exact = User.get_or_none(User.username == name)
    if exact is not None or not name:
        return exact
    key = name_key(name)
    # Few users, and SQLite's LOWER() folds ASCII only: compared here.
    return next(
        (user for user in User.select() if name_key(user.username) == key), None
    )


def create_user(
    username: str,
    password: str,
    role: str = Role.EDITOR,
    *,
    display_name: str = "",
    email: str = "",
) -> User:
    username = clean_username(username)
    if role not in set(Role):
        raise AccountError(f"role must be one of {', '.join(Role)}", "role")
    fields = {
        "display_name": _clean_display_name(display_name),
        "email": _clean_email(email),
    }
    _check_password(password)
    taken = f"the user name {username!r} is taken"
    try:
        with write_transaction():
            # "Admin" beside "admin": one of them would never sign in.
            serialise("user.names")
            if find_user(username) is not None:
                raise AccountError(taken, "username")
            return User.create(
                username=username,
                password_hash=hasher.hash(password),
                role=role,
                session_token=secrets.token_hex(16),
                **fields,
            )
    except IntegrityError as error:
        raise AccountError(taken, "username") from error


class NoSuchUser(LookupError):
    """The user was deleted meanwhile (another admin, another tab)."""


def _locked(user_id: int) -> User:
    # Under the admins' lock: two admins disabling, deleting or demoting
    # each other at once would otherwise each count two admins, leaving none.
    serialise("user.admins")
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NoSuchUser(user_id)
    return user


def _keep_an_admin(user: User):
    """Refuse to take away the last admin who can sign in."""
    if user.role == Role.ADMIN and user.is_active:
        if User.active_admins().count() == 1:
            raise AccountError("the site needs at least one admin who can sign in")


def _not_yourself(user: User, by: User | None, action: str):
    if by is not None and by.id == user.id:
        raise AccountError(f"you cannot {action} your own account")


def change_role(user_id: int, role: str) -> str:
    """Give a user another role; return the one it had."""
    if role not in set(Role):
        raise AccountError(f"role must be one of {', '.join(Role)}", "role")
    with write_transaction():
        user = _locked(user_id)
        if role != Role.ADMIN:
            _keep_an_admin(user)
        before, user.role = user.role, role
        user.save(only=[User.role])
    return before


def disable_user(user_id: int, by: User | None) -> User:
    """Keep a user from signing in and end their sessions at once.

    Their posts and comments stay, under their name.
    """
    with write_transaction():
        user = _locked(user_id)
        _not_yourself(user, by, "disable")
        if user.is_active:
            _keep_an_admin(user)
            user.disabled_at = utcnow()
            user.session_token = secrets.token_hex(16)
            user.save(only=[User.disabled_at, User.session_token])
            _log("user.disable", user, by, "active", "disabled")
    return user


def enable_user(user_id: int, by: User | None) -> User:
    """Let a disabled user sign in again."""
    with write_transaction():
        user = _locked(user_id)
        if not user.is_active:
            user.disabled_at = None
            user.save(only=[User.disabled_at])
            _log("user.enable", user, by, "disabled", "active")
    return user


def posts_by(user: User):
    """The posts whose byline is this user's name (bylines are text)."""
    names = {user.username, user.display_name} - {""}
    return Post.select().where(Post.author.in_(names))


def delete_user(user_id: int, by: User | None, heir_id: int | None = None) -> int:
    """Delete a user; with an heir, their posts go to the heir's name.

    Without one the posts keep the name they show, and comments keep the
    name they were signed with, so nothing a reader sees is lost either
    way. Returns how many posts changed hands.
    """
    with write_transaction():
        user = _locked(user_id)
        _not_yourself(user, by, "delete")
        _keep_an_admin(user)
        moved, detail = 0, user.username
        if heir_id is not None:
            heir = User.get_or_none(User.id == heir_id)
            if heir is None or heir.id == user.id:
                raise AccountError("choose another user to give the posts to")
            ids = [post.id for post in posts_by(user).select(Post.id)]
            # A new version: an editor's form open on one of them says so
            # on saving, rather than putting the old byline back.
            moved = (
                Post.update(author=heir.name, version=Post.version + 1)
                .where(Post.id.in_(ids))
                .execute()
            )
            detail += f"; {moved} posts given to {heir.username}"
        _log("user.delete", user, by, user.role, "deleted", detail)
        # Without the user link their replies read as a reader's approved
        # comments, which vouch for anyone sending their name and email.
        replied = Comment.update(email_hash="").where(Comment.user == user.id).execute()
        user.delete_instance()
    if moved:
        # The byline is indexed for search and shown in related posts.
        publishing.refresh(ids)
    if replied:
        # Cached pages still mark those replies as staff.
        publishing.invalidate_comments()
    return moved


def _log(action: str, user: User, by: User | None, before="", after="", detail=""):
    audit.record(
        action,
        by,
        object_type="user",
        object_id=user.id,
        from_state=before,
        to_state=after,
        detail=detail or user.username,
    )


def set_password(user: User, password: str):
    """Change the password and end every session of the user."""
    _check_password(password)
    user.password_hash = hasher.hash(password)
    user.session_token = secrets.token_hex(16)
    # Only these: the object may predate an admin's disable or role change.
    user.save(only=[User.password_hash, User.session_token])


def verify_password(user: User | None, password: str) -> bool:
    """Check a password; with no user, spend the same time so timing tells nothing."""
    if user is None:
        # Hashing the guess costs what checking it against a hash does, and no
        # hash is made at import (each `blog` command and worker paid for one).
        hasher.hash(password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        user.save(only=[User.password_hash])
    return True
