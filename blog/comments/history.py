"""The comment history the spam guards, threading and the moderation policy ask.

Every query here runs across all gunicorn workers alike, because the
history is the Comment table itself: flood and rate limits hold however many
processes serve the site. The queries asked on every submission are built
once (prepared.Prepared).
"""

import datetime
from dataclasses import dataclass

from peewee import SQL, fn

from .. import db
from ..comment_models import Comment, CommentStatus
from ..models import text_digest
from ..prepared import Prepared

_LAST_BY_EMAIL = Prepared(
    lambda email_hash: Comment.select(fn.MAX(Comment.created_at)).where(
        Comment.email_hash == email_hash
    )
)
_LAST_BY_IP = Prepared(
    lambda ip_hash: Comment.select(fn.MAX(Comment.created_at)).where(
        Comment.ip_hash == ip_hash
    )
)
_TIMES_FROM_IP = Prepared(
    lambda ip_hash, since: (
        Comment.select(Comment.created_at)
        .where((Comment.ip_hash == ip_hash) & (Comment.created_at >= since))
        .order_by(Comment.created_at)
    )
)
# The same text on this post by the same name, or by the same email from the
# same address: the digest's index finds the few comments with this text,
# whoever wrote them.
_SAME_TEXT = Prepared(
    lambda post_id, digest, body, deleted, email_hash, ip_hash, name: Comment.select(
        Comment.id
    ).where(
        (Comment.post == post_id)
        & (Comment.body_digest == digest)
        & (Comment.body == body)
        & (Comment.status != deleted)
        & (
            ((Comment.email_hash == email_hash) & (Comment.ip_hash == ip_hash))
            | (Comment.author_name == name)
        )
    )
)
# A reader's approved comment under this very name and email: names are shown
# and emails guessed, and a staff reply (user set) proves nothing of who sends a
# form with its name and email. status || '': SQLite, with no statistics, would
# otherwise walk every approved comment by the status index instead of this
# email's few by the email index.
_KNOWN = Prepared(
    lambda email_hash, name, approved: Comment.select(Comment.id).where(
        (Comment.email_hash == email_hash)
        & (Comment.author_name == name)
        & Comment.user.is_null()
        & (Comment.status.concat(SQL("''")) == approved)
    )
)


def _place(comment_id):
    return Comment.select(
        Comment.id,
        Comment.post,
        Comment.status,
        Comment.depth,
        Comment.thread,
        Comment.parent,
    ).where(Comment.id == comment_id)


_PLACE = Prepared(_place)
_PLACE_LOCKED = Prepared(lambda comment_id: db.shared(_place(comment_id)))


@dataclass(frozen=True)
class Placed:
    """What threading needs to know of a parent comment."""

    id: int
    post_id: int
    status: str
    depth: int
    thread_id: int | None
    parent_id: int | None


def _moment(value) -> datetime.datetime | None:
    # SQLite returns an aggregate of a date column as text.
    return Comment.created_at.python_value(value) if value else None


class DatabaseHistory:
    """The guards' History over the Comment table.

    Placing a comment share-locks the comments it reads (lock=True): a
    moderator taking one out at the same moment is waited for, and its
    decision seen; replies to one comment do not wait for each other.
    """

    def __init__(self, lock: bool = False):
        self.lock = lock

    def last_from(self, ip_hash: str, email_hash: str) -> datetime.datetime | None:
        # One indexed lookup per key: the planner may scan the table for an OR.
        times = [
            _moment(query.scalar(value))
            for query, value in ((_LAST_BY_EMAIL, email_hash), (_LAST_BY_IP, ip_hash))
            if value
        ]
        times = [moment for moment in times if moment]
        return max(times) if times else None

    def times_from_ip(
        self, ip_hash: str, since: datetime.datetime
    ) -> list[datetime.datetime]:
        rows = _TIMES_FROM_IP.execute(ip_hash, since).fetchall()
        return [_moment(row[0]) for row in rows]

    def has_same_text(
        self, post_id: int, author_name: str, email_hash: str, body: str, ip_hash: str
    ) -> bool:
        found = _SAME_TEXT.scalar(
            post_id,
            text_digest(body),
            body,
            CommentStatus.DELETED.value,
            email_hash,
            ip_hash,
            author_name,
        )
        return found is not None

    def known_commenter(self, author_name: str, email_hash: str) -> bool:
        found = _KNOWN.scalar(email_hash, author_name, CommentStatus.APPROVED.value)
        return found is not None

    def comment(self, comment_id: int) -> Placed | None:
        query = _PLACE_LOCKED if self.lock else _PLACE
        row = query.execute(comment_id).fetchone()
        return Placed(*row) if row else None
