"""The signed form token: which post, when the form was served, and a nonce.

The public comment form carries this token instead of a session CSRF token,
so a post page needs no cookie and one cached copy serves every reader. The
signature (HMAC with the site's secret key) proves the form came from this
site for this post; the issue time gives the form's age, which the spam
guards read; the nonce makes each rendering unique, and with the comment's
own fields it makes the idempotency key that stores a replayed form once.

The clock is an argument: tests make and read tokens of any age instantly.
"""

import datetime
import functools
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

FORM_SALT = "blog.comments.form"
PENDING_SALT = "blog.comments.pending"
# A token dated further ahead than this was not made by a server of this site.
CLOCK_SKEW = datetime.timedelta(seconds=60)


class TokenError(ValueError):
    """The token is missing, altered, for another post, or too old."""


class TokenExpired(TokenError):
    """The token is genuine but older than the form may be."""


@dataclass(frozen=True)
class FormToken:
    post_id: int
    issued_at: datetime.datetime  # naive UTC, like every stored time
    nonce: str

    def age(self, now: datetime.datetime) -> float:
        """Seconds since the form was served; never negative."""
        return max(0.0, (now - self.issued_at).total_seconds())


@functools.lru_cache(maxsize=8)
def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    # Made once per key and salt: a serializer never changes, and making one
    # cost half as much again as checking a signature.
    return URLSafeSerializer(secret, salt=salt)


def _epoch(moment: datetime.datetime) -> int:
    return int(moment.replace(tzinfo=datetime.UTC).timestamp())


def _moment(epoch: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).replace(tzinfo=None)


def issue(post_id: int, secret: str, now: datetime.datetime) -> str:
    """A fresh token for the comment form of one post."""
    payload = [post_id, _epoch(now), secrets.token_urlsafe(12)]
    return _serializer(secret, FORM_SALT).dumps(payload)


def read(
    token: str,
    secret: str,
    post_id: int,
    now: datetime.datetime,
    max_age: datetime.timedelta,
) -> FormToken:
    """Check a token for this post and return what it says."""
    if not token:
        raise TokenError("the form token is missing")
    try:
        payload = _serializer(secret, FORM_SALT).loads(token)
    except BadSignature as error:
        raise TokenError("the form token is not genuine") from error
    found = _parse(payload)
    if found.post_id != post_id:
        raise TokenError("the form token belongs to another post")
    if found.issued_at > now + CLOCK_SKEW:
        raise TokenError("the form token is dated in the future")
    if now - found.issued_at > max_age:
        raise TokenExpired("the form has expired")
    return found


def _parse(payload) -> FormToken:
    valid = (
        isinstance(payload, list)
        and len(payload) == 3
        and all(isinstance(item, int) for item in payload[:2])
        and isinstance(payload[2], str)
    )
    if not valid:
        raise TokenError("the form token is not genuine")
    return FormToken(payload[0], _moment(payload[1]), payload[2])


def sign_pending(comment_ids, secret: str) -> str:
    """The value of the cookie naming the comments awaiting moderation."""
    return _serializer(secret, PENDING_SALT).dumps(list(comment_ids))


def read_pending(value: str | None, secret: str) -> list[int]:
    """The comment ids of a pending cookie; [] for a missing or forged one."""
    if not value:
        return []
    try:
        ids = _serializer(secret, PENDING_SALT).loads(value)
    except BadSignature:
        return []
    if not isinstance(ids, list):
        return []
    return [item for item in ids if isinstance(item, int) and item > 0]
