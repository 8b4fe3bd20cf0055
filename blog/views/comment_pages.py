"""Pages of a post's comments: which one a request asks for, and where a
comment is on them (?cpage=N on the post's address)."""

from flask import abort, redirect, request

from ..comments import reading
from ..pagination import PageNotFound
from . import reader


def threads(post, values, own, reply_to=None):
    """The page of the post's threads this request asks for, as seen by the
    reader whose comments awaiting moderation are own."""
    per_page, order = values["comments_per_page"], values["comment_order"]

    def show(number: int):
        return reading.threads(
            post, number, per_page, order, own, values["thread_depth"]
        )

    number = reader.page_asked("cpage")
    if reply_to is not None and "cpage" not in request.args:
        # A reply sent back with an error: shown on the page of its comment.
        number = reading.page_of(reply_to, per_page, order, own)
    try:
        return show(number)
    except PageNotFound:
        # A link to a page since emptied (comments taken out, or one seen only
        # by its author): the last page there is, not a missing post.
        last = show(1).pages
        abort(redirect(post.url + (f"?cpage={last}" if last > 1 else ""), 302))


def place(comment, values, own_ids=()) -> str:
    """The query and anchor of a comment on its post's pages of comments."""
    number = reading.page_of(
        comment, values["comments_per_page"], values["comment_order"], own_ids
    )
    page = f"?cpage={number}" if number > 1 else ""
    return f"{page}#comment-{comment.id}"
