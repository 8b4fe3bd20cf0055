"""Saving a comment: the post it is sent to, a form already stored, the insert.

The queries asked on every submission are built once (prepared.Prepared).
"""

import datetime

from ..comment_models import Comment
from ..models import Post, PostStatus, text_digest
from ..prepared import Prepared, PreparedInsert

_COMMENTABLE = Prepared(
    lambda post_id, kind, status, now: Post.select(
        Post.id, Post.kind, Post.title, Post.slug, Post.date, Post.comments_open
    ).where(
        (Post.id == post_id)
        & (Post.kind == kind)
        & (Post.status == status)
        & (Post.date <= now)
    )
)


def commentable_post(post_id: int, now: datetime.datetime) -> Post | None:
    """The public post of this id, or None: pages and drafts take no comments."""
    row = _COMMENTABLE.execute(
        post_id, "post", PostStatus.PUBLISHED.value, now
    ).fetchone()
    if row is None:
        return None
    ident, kind, title, slug, date, comments_open = row
    return Post(
        id=ident,
        kind=kind,
        title=title,
        slug=slug,
        date=Post.date.python_value(date),
        comments_open=Post.comments_open.python_value(comments_open),
    )


# The whole row in one statement: read again by its id, a comment deleted in
# between (a moderator emptying the spam) failed the resent form with a 500.
_KEY = Prepared(lambda key: Comment.select().where(Comment.idempotency_key == key))


def by_key(key: str) -> Comment | None:
    """The comment a form with this idempotency key already stored."""
    found = _KEY.models(Comment, key)
    return found[0] if found else None


_INSERT = PreparedInsert(Comment)


def save(**values) -> Comment:
    """Insert one comment; the caller holds the write transaction."""
    values["body_digest"] = text_digest(values["body"])
    ident = _INSERT(**values)
    return Comment(id=ident, **values)
