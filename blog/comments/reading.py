"""What readers see of a post's comments: pages of threads, counts, feeds.

Reading a post's comments costs a fixed number of queries whatever the
number of comments: one page of top-level comments, then every reply of
those threads at once (Comment.thread is the top-level ancestor). The
queries asked on every page view are built once (prepared.Prepared).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from peewee import JOIN, SQL, NodeList, Select, fn

from .. import db
from ..comment_models import Comment, CommentCount, CommentStatus
from ..models import Post, PostStatus, utcnow
from ..pagination import Page, counted_page, paginate
from ..prepared import Prepared

# What a commenter sees of their own comment before a moderator does: spam
# shows to its author exactly like pending, so the reply is neutral.
UNSEEN = (CommentStatus.PENDING, CommentStatus.SPAM)


@dataclass
class Node:
    """A comment in a thread, with its replies."""

    comment: Comment
    children: list["Node"] = field(default_factory=list)

    @property
    def awaiting(self) -> bool:
        """Shown only to its author, until a moderator approves it."""
        return self.comment.status != CommentStatus.APPROVED


def _visible(own_ids: Iterable[int]):
    own = list(own_ids)
    approved = Comment.status == CommentStatus.APPROVED
    if not own:
        return approved
    return approved | (Comment.id.in_(own) & Comment.status.in_(UNSEEN))


def threads(
    post,
    number: int,
    per_page: int,
    order: str = "oldest",
    own_ids=(),
    levels: int | None = None,
) -> Page:
    """One page of a post's threads: top-level comments, each with its replies.

    own_ids are comments the reader wrote that await moderation: they show
    to that reader, in place, and count for nobody else. Replies nested
    deeper than `levels` (the thread_depth setting) show at the deepest level.
    """
    if not own_ids:
        # What every reader sees: queries built once.
        page = counted_page(
            _COUNTS["threads"].scalar(post.id) or 0,
            number,
            per_page,
            partial(_THREAD_PAGE[order == "newest"].records, Comment, post.id),
        )
        ids = [c.id for c in page.items]
        replies = _REPLIES.records(Comment, db.pack(ids)) if ids else []
        page.items = _tree(page.items, replies, levels)
        return page
    visible = _visible(own_ids)
    created = Comment.created_at.desc() if order == "newest" else Comment.created_at
    ident = Comment.id.desc() if order == "newest" else Comment.id
    top = (
        Comment.select(*SHOWN)
        .where((Comment.post == post) & Comment.parent.is_null() & visible)
        .order_by(created, ident)
    )
    page = paginate(top, number, per_page)
    replies = _replies([c.id for c in page.items], visible)
    page.items = _tree(page.items, replies, levels)
    return page


# The columns a post page shows: never the email, IP data or spam verdicts.
SHOWN = (
    Comment.id, Comment.post, Comment.parent, Comment.thread, Comment.depth,
    Comment.kind, Comment.author_name, Comment.email_hash, Comment.author_url,
    Comment.user, Comment.body_html, Comment.status, Comment.created_at,
)  # fmt: skip
_APPROVED_THREADS = Comment.parent.is_null() & (
    Comment.status == CommentStatus.APPROVED
)
# Kept by triggers as comments change (migration 0015): no rows are counted.
_COUNTS = {
    name: Prepared(
        lambda post_id, column=column: CommentCount.select(column).where(
            CommentCount.post == post_id
        )
    )
    for name, column in (
        ("approved", CommentCount.approved),
        ("threads", CommentCount.threads),
    )
}
_THREAD_PAGE = {
    newest: Prepared(
        lambda post_id, limit, offset, newest=newest: (
            Comment.select(*SHOWN)
            .where((Comment.post == post_id) & _APPROVED_THREADS)
            .order_by(
                Comment.created_at.desc() if newest else Comment.created_at,
                Comment.id.desc() if newest else Comment.id,
            )
            .limit(limit)
            .offset(offset)
        )
    )
    for newest in (False, True)
}
# Approved replies in a page's threads, the list given as one parameter. Read
# by the thread index: SQLite would rather walk every approved comment of the
# site in the order wanted (the status index), 220 ms at 100,000 of them.
_REPLIES = Prepared(
    lambda thread_ids: (
        Comment.select(*SHOWN)
        .where(
            db.one_of(Comment.thread, thread_ids)
            & Comment.parent.is_null(False)
            & db.unselective(Comment.status == CommentStatus.APPROVED)
        )
        .order_by(Comment.created_at, Comment.id)
    )
)


def _replies(thread_ids: list[int], visible) -> list[Comment]:
    if not thread_ids:
        return []
    return list(
        Comment.select(*SHOWN)
        .where(
            Comment.thread.in_(thread_ids)
            & Comment.parent.is_null(False)
            & db.unselective(visible)
        )
        .order_by(Comment.created_at, Comment.id)
    )


def _tree(roots: list[Comment], replies: list[Comment], levels=None) -> list[Node]:
    nodes = {comment.id: Node(comment) for comment in roots + replies}
    # A reply whose parent is not shown goes under the top of its thread.
    parent_of = {
        r.id: r.parent_id if r.parent_id in nodes else r.thread_id for r in replies
    }
    thread_of = {r.id: r.thread_id for r in replies}
    shown_under = _flattened(parent_of, thread_of, [r.id for r in roots], levels)
    for reply in replies:
        nodes[shown_under[reply.id]].children.append(nodes[reply.id])
    return [nodes[root.id] for root in roots]


def _flattened(parent_of: dict, thread_of: dict, roots: list, levels) -> dict:
    """The comment each reply shows under: its parent, or, past the deepest
    level, the parent's at that level, as WordPress shows threads (an import
    may nest hundreds deep, and a page that nested them failed)."""
    level = dict.fromkeys(roots, 0)
    for start in parent_of:
        chain, seen, ident = [], set(), start
        while ident not in level:
            if ident in seen:  # parents in a loop: it hangs from the thread's top
                parent_of[chain[-1]] = ident = thread_of[chain[-1]]
                break
            chain.append(ident)
            seen.add(ident)
            ident = parent_of[ident]
        for ident in reversed(chain):
            level[ident] = level[parent_of[ident]] + 1
    deepest = max((levels or len(level)) - 1, 1)
    shown_under = {}
    for ident in sorted(parent_of, key=level.__getitem__):
        parent = parent_of[ident]
        shown_under[ident] = parent if level[parent] < deepest else shown_under[parent]
    return shown_under


def still_unseen(comment_ids: list[int]) -> list[int]:
    """Which of these comments still await a moderator, in the order given."""
    waiting = {
        row.id
        for row in Comment.select(Comment.id).where(
            Comment.id.in_(comment_ids) & Comment.status.in_(UNSEEN)
        )
    }
    return [ident for ident in comment_ids if ident in waiting]


def approved_count(post) -> int:
    return _COUNTS["approved"].scalar(post.id) or 0


def _threads_from(inclusive: bool):
    """Approved top-level comments of a post at or after a (moment, id) in time.

    A new comment and the threads people reply to are mostly recent: these
    are few, and read as a range of the index.
    """

    def build(post_id, approved, moment, same_moment, ident):
        return Comment.select(fn.COUNT(SQL("*"))).where(
            (Comment.post == post_id)
            & (Comment.status == approved)
            & Comment.parent.is_null()
            & (Comment.created_at >= moment)
            & (
                (Comment.created_at > same_moment)
                | (Comment.id >= ident if inclusive else Comment.id > ident)
            )
        )

    return build


# Shown before a thread. Oldest first: every thread but those from it on, in
# one statement so both counts see the same comments. Newest first: those after it.
_BEFORE = {
    "oldest": Prepared(
        lambda post_id, *rest: Select(
            columns=[
                NodeList(
                    (
                        CommentCount.select(CommentCount.threads).where(
                            CommentCount.post == post_id
                        ),
                        SQL("-"),
                        _threads_from(inclusive=True)(*rest),
                    )
                )
            ]
        ).bind(db.database)
    ),
    "newest": Prepared(_threads_from(inclusive=False)),
}
_ROOT = Prepared(
    lambda ident: Comment.select(Comment.created_at).where(Comment.id == ident)
)


def page_of(comment: Comment, per_page: int, order: str = "oldest", own_ids=()) -> int:
    """The page of its post's comments where a comment's thread appears, as
    seen by the reader whose comments awaiting moderation are own_ids."""
    if comment.thread_id is None:
        ident, moment = comment.id, comment.created_at
    else:
        # The date read raw, as SQLite gives it back: text.
        root = _ROOT.scalar(comment.thread_id)
        ident, moment = comment.thread_id, Comment.created_at.python_value(root)
    thread = (comment.post_id, CommentStatus.APPROVED.value, moment, moment, ident)
    if order == "oldest":
        earlier = _BEFORE["oldest"].scalar(comment.post_id, *thread)
    else:
        earlier = _BEFORE["newest"].scalar(*thread)
    earlier = (earlier or 0) + _own_before(
        comment.post_id, own_ids, moment, ident, order
    )
    return earlier // per_page + 1


def _own_before(post_id, own_ids, moment, ident, order) -> int:
    """The reader's own waiting threads shown before a thread: only they see them."""
    own = [i for i in own_ids if i != ident]
    if not own:
        return 0
    if order == "oldest":
        before = (Comment.created_at < moment) | (
            (Comment.created_at == moment) & (Comment.id < ident)
        )
    else:
        before = (Comment.created_at > moment) | (
            (Comment.created_at == moment) & (Comment.id > ident)
        )
    return (
        Comment.select()
        .where(
            Comment.id.in_(own)
            & (Comment.post == post_id)
            & Comment.status.in_(UNSEEN)
            & Comment.parent.is_null()
            & before
        )
        .count()
    )


def recent_approved(limit: int, post=None, now=None) -> list[Comment]:
    """The newest comments the pages of public posts show, for the comment feeds:
    approved, and top level or in a thread whose first comment is approved.
    A page (kind "page") shows none, though a WordPress import may bring some."""
    now = now or utcnow()
    first = Comment.alias("first")
    query = (
        Comment.select(Comment, Post)
        .join(Post, on=(Comment.post == Post.id))
        .join(first, JOIN.LEFT_OUTER, on=(Comment.thread == first.id))
        .where(
            (Comment.status == CommentStatus.APPROVED)
            & (Comment.parent.is_null() | (first.status == CommentStatus.APPROVED))
            & (Post.kind == "post")
            & (Post.status == PostStatus.PUBLISHED)
            & (Post.date <= now)
        )
    )
    if post is not None:
        query = query.where(Comment.post == post)
    return list(
        query.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    )
