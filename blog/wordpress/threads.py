"""The comments of a WordPress import: states, threading, privacy and safe HTML.

Every comment goes through the same privacy filter as a live one before it is
stored: the body's contacts masked, the email hashed, the IP address kept
only as a keyed hash and a truncated prefix, never as it was in the file.
"""

import datetime
import json
from typing import NamedTuple

from .. import accounts
from ..comment_models import Comment, CommentStatus, ErasedComment
from ..comments import privacy, rendering, validate
from ..models import Post, utcnow
from . import wxr
from .report import Report

# wp:comment_approved -> our state. WordPress's trash (and the comments of a
# trashed post) is "deleted": hidden, restorable, purged like our own.
STATES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.DELETED,
    "post-trashed": CommentStatus.DELETED,
}
KINDS = {
    "": "comment",
    "comment": "comment",
    "pingback": "pingback",
    "trackback": "trackback",
}
IMPORT_VERDICT = {
    "check": "import",
    "verdict": "pass",
    "reason": "imported from WordPress",
    "score": None,
}


class Placed(NamedTuple):
    """What a reply needs of its parent."""

    id: int
    post_id: int
    thread_id: int | None
    depth: int


class Threads:
    """Stores each item's comments, parents before replies, and reports orphans."""

    def __init__(self, report: Report, key: str, ip_retention=None):
        self.report = report
        self.key = key
        # Comments before this keep no address data: a live one's is forgotten.
        self.addresses_from = utcnow() - ip_retention if ip_retention else None
        self.ip_retention = ip_retention
        self.addresses_dropped = 0
        self.tz = datetime.UTC  # the site's zone, for dates given only in local time
        # Comments of earlier imports, by WordPress id: one query, not one per comment.
        query = Comment.select(
            Comment.wp_id, Comment.id, Comment.post, Comment.thread, Comment.depth
        ).where(Comment.wp_id.is_null(False))
        self.placed = {row[0]: Placed(*row[1:]) for row in query.tuples()}
        erased = ErasedComment.select(ErasedComment.wp_id).tuples()
        self.erased = {wp_id for (wp_id,) in erased}
        self.users: dict[int, tuple[str, int | None]] = {}  # wp id: login, ours

    def author(self, author: wxr.Author):
        """Map a WordPress user to the user here with the same login, if any."""
        if author.author_id is not None:
            user = accounts.find_user(author.login)
            self.users[author.author_id] = (author.login, user.id if user else None)

    def _user(self, comment: wxr.Comment) -> tuple[int | None, bool]:
        """Our user who wrote the comment, and whether the file names one."""
        if comment.user_id is None:
            return None, False
        login, user_id = self.users.get(comment.user_id, ("", None))
        if user_id is None:
            self.report.notes.append(
                f"comment {comment.wp_id}: by WordPress user "
                f"{login or comment.user_id!r}, {privacy.UNLINKED_STAFF}"
            )
        return user_id, True

    def orphaned(self, item: wxr.Item, why: str):
        """The comments of an item that was not imported: listed, not stored."""
        for comment in item.comments:
            self._count_found(comment)
            self.report["comments"].skip("their post was not imported")
            self.report.orphans.append(
                f"comment {comment.wp_id} on {item.post_type} {item.wp_id}: {why}"
            )

    def add(self, post: Post, item: wxr.Item):
        for comment in parents_first(item.comments):
            state = self._count_found(comment)
            if comment.wp_id is not None and comment.wp_id in self.placed:
                self._count(state, "existing")
                continue
            if comment.wp_id in self.erased:
                self._skip(state, "deleted by a privacy erase")
                continue
            kind = KINDS.get(comment.kind)
            if kind is None:
                self._skip(state, f"type {comment.kind!r}: unknown")
                continue
            parent = self._parent(comment, post, item)
            stored = self._store(comment, post, state, kind, parent)
            if comment.wp_id is not None:
                self.placed[comment.wp_id] = Placed(
                    stored.id, post.id, stored.thread_id, stored.depth
                )
            self._count(state, "imported")

    def _count_found(self, comment: wxr.Comment) -> CommentStatus:
        state = STATES.get(comment.approved)
        if state is None:
            state = CommentStatus.PENDING
            self.report.notes.append(
                f"comment {comment.wp_id}: unknown approval {comment.approved!r}: "
                "held for moderation"
            )
        self._count(state, "found")
        return state

    def _count(self, state: CommentStatus, column: str):
        """Add one to the comments total and to the row of the comment's state."""
        for tally in (self.report["comments"], self.report.states[state]):
            setattr(tally, column, getattr(tally, column) + 1)

    def _skip(self, state, reason: str):
        self.report["comments"].skip(reason)
        self.report.states[state].skip(reason)

    def _parent(self, comment, post, item) -> Placed | None:
        if not comment.parent:
            return None
        parent = self.placed.get(comment.parent)
        if parent is not None and parent.post_id != post.id:
            parent = None
        if parent is None:
            self.report.orphans.append(
                f"comment {comment.wp_id} on {item.post_type} {item.wp_id}: its "
                f"parent {comment.parent} is not in the file; kept at the top level"
            )
        return parent

    def finish(self):
        if self.addresses_dropped:
            self.report.notes.append(
                f"{_plural(self.addresses_dropped, 'comment')} older than the "
                f"{self.ip_retention.days}-day address retention: IP data not kept"
            )

    def _address(self, comment: wxr.Comment, created: datetime.datetime) -> str:
        if self.addresses_from and comment.author_ip and created < self.addresses_from:
            self.addresses_dropped += 1
            return ""
        return comment.author_ip

    def _store(self, comment: wxr.Comment, post, state, kind, parent) -> Comment:
        created = _comment_date(comment, self.tz)
        kept = privacy.protect(
            comment.content,
            comment.author_email,
            self._address(comment, created),
            self.key,
        )
        email = comment.author_email if len(comment.author_email) <= 100 else ""
        user_id, signed_in = self._user(comment)
        if signed_in and user_id is None:
            kept = privacy.vouching_for_no_one(kept)
        return Comment.create(
            post=post,
            parent=parent.id if parent else None,
            thread=(parent.thread_id or parent.id) if parent else None,
            depth=parent.depth + 1 if parent else 0,
            kind=kind,
            author_name=validate.imported_name(comment.author),
            author_email=email,
            email_hash=kept.email_hash,
            author_url=validate.imported_website(comment.author_url),
            user=user_id,
            body=kept.body,
            body_format=rendering.HTML,
            body_html=rendering.render(kept.body, rendering.HTML),
            status=state,
            verdicts=json.dumps([IMPORT_VERDICT, kept.verdict.as_dict()]),
            ip_hash=kept.ip_hash,
            ip_prefix=kept.ip_prefix,
            created_at=created,
            # Spam and trash are purged a retention after they last changed here.
            modified_at=utcnow(),
            wp_id=comment.wp_id,
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def parents_first(comments: list[wxr.Comment]) -> list[wxr.Comment]:
    """The comments, each after its parent, otherwise in file order."""
    by_id = {c.wp_id: c for c in comments if c.wp_id is not None}
    # Depths found on one walk up are kept: a reply chain costs its length
    # once, not once per reply (n²/2 steps for a long chain).
    depths: dict[int, int] = {}

    def depth(comment: wxr.Comment) -> int:
        path, seen, current = [], set(), comment
        while current.wp_id not in depths:
            path.append(current)
            seen.add(current.wp_id)
            parent = by_id.get(current.parent)
            if parent is None or parent.wp_id in seen:  # a top, or a cycle's
                top = -1
                break
            current = parent
        else:
            top = depths[current.wp_id]
        for below, walked in enumerate(reversed(path), start=1):
            if walked.wp_id is not None:
                depths[walked.wp_id] = top + below
        return top + len(path)

    return sorted(comments, key=depth)


def _comment_date(comment: wxr.Comment, tz) -> datetime.datetime:
    moment = wxr.parse_date(comment.date_gmt, comment.date, tz)
    return moment or datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
