"""The moderation queue: one status at a time, newest first, searchable.

A search looks in one field or all of them: the text, author, email or
website holds the words, the address prefix starts with them ("203.0.113").
On SQLite a search of words needs one of three letters or more, found from
the start of a word; shorter searches test every comment of the tab.

Kept fast at 100,000 comments (tests/benchmarks/moderation_bench.py) by the
indexes of migrations/0005 (new comments join SQLite's word index in
batches: word_index.py). A page is chosen by ids from the (status,
created_at, id) index alone, then only those rows are read. A search first
asks the indexes (SQLite: FTS5 words and address prefixes; PostgreSQL:
pg_trgm) which comments may match; while they are few, the walk down the tab
tests ids against them, and a word too common to narrow anything is simply
tested on each comment, which finds a page of matches soon. Tabs are counted
up to a cap and a page knows there is a next one by reading one row more:
counting 60,000 rows costs more than showing 50.
"""

import datetime
import json
import re
from dataclasses import dataclass

from peewee import OP, SQL, Expression, fn

from ..comment_models import Comment, CommentStatus
from ..db import database, is_sqlite
from ..models import Post
from ..pagination import PageNotFound
from . import privacy, word_index

TABS = {
    "pending": CommentStatus.PENDING,
    "approved": CommentStatus.APPROVED,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.DELETED,
}
FIELDS = ("all", "text", "author", "email", "website", "ip")
PER_PAGE = 50
# Tabs count no further: past it the figure helps nobody and costs every view.
COUNT_CAP = 1000
# What a queue entry shows; the raw body and the rest stay in the database.
SHOWN = (
    Comment.id, Comment.post, Comment.parent, Comment.thread, Comment.user,
    Comment.author_name, Comment.author_email, Comment.email_hash,
    Comment.author_url, Comment.ip_prefix,
    Comment.body_html, Comment.status, Comment.spam_score, Comment.verdicts,
    Comment.created_at,
)  # fmt: skip
# The word index's column of each field (migrations/0005_moderation.py).
INDEXED = {
    "text": "body",
    "author": "author_name",
    "email": "author_email",
    "website": "author_url",
}
WORDS = "SELECT rowid FROM comment_words WHERE comment_words MATCH ?"
PREFIX = "SELECT id FROM comment WHERE ip_prefix >= ? AND ip_prefix < ?"
# More candidates than this, and testing each comment of the tab is quicker.
CANDIDATES = 10_000
POSTGRES_DOCUMENT = (
    "(body || ' ' || author_name || ' ' || author_email || ' ' || author_url"
    " || ' ' || ip_prefix)"
)
TRIGRAM = 3
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Query:
    tab: str = "pending"
    q: str = ""
    field: str = "all"


@dataclass
class QueuePage:
    """A page of the queue; a search's total is not counted (None)."""

    items: list
    number: int
    per_page: int
    total: int | None
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))


def _exact(field: str, q: str):
    """What a match is: the words anywhere in a field, the address from its start."""
    conditions = {
        "text": Comment.body.contains(q),
        "author": Comment.author_name.contains(q),
        "email": Comment.author_email.contains(q),
        "website": Comment.author_url.contains(q),
        "ip": Comment.ip_prefix.startswith(q),
    }
    if field != "all":
        return conditions[field]
    either = conditions.pop("ip")
    for condition in conditions.values():
        either |= condition
    return either


def _sqlite_candidates(field: str, q: str):
    """Ids that may match, from the indexes; None when they would not narrow."""
    sources = []
    if field in ("ip", "all"):
        # A prefix is a range of the address index (SQLite compares bytes).
        sources.append((PREFIX, [q, q + "\U0010ffff"]))
    if field != "ip":
        word_index.catch_up()  # comments written since the last batch
        word = _narrowing_word(field, q)
        if word is None:
            return None
        sources.append(word)
    if sum(_count_to_cap(*source) for source in sources) > CANDIDATES:
        return None
    # id + 0 keeps SQLite walking the tab's index newest first, testing ids.
    found = [(Comment.id + 0).in_(SQL(f"({sql})", params)) for sql, params in sources]
    return found[0] if len(found) == 1 else found[0] | found[1]


def _narrowing_word(field: str, q: str):
    """A word index query for a word of q (three letters up) in few comments.

    A phrase costs as much as its most common word, so one word narrows and
    the exact condition checks the rest. Inner words are whole words, cheap to
    count; the last may be the start of one, and a prefix costs more to count.
    """
    columns = " ".join(INDEXED.values()) if field == "all" else INDEXED[field]
    words = _WORD.findall(q)
    # A word followed by anything else in q ends where the text's word ends.
    prefix = words.pop() if words and q.rstrip()[-1:].isalnum() else ""
    queries = [
        (WORDS, [f'{{{columns}}} : "{word}"']) for word in words if len(word) >= TRIGRAM
    ]
    if len(prefix) >= TRIGRAM:
        queries.append((WORDS, [f'{{{columns}}} : "{prefix}"*']))
    for query in queries:
        if _count_to_cap(*query) <= CANDIDATES:
            return query
    return None


def _count_to_cap(sql: str, params: list) -> int:
    capped = f"SELECT count(*) FROM ({sql} LIMIT {CANDIDATES + 1})"
    return database.execute_sql(capped, params).fetchone()[0]


def _postgres_candidates(q: str):
    """Comments holding q in any searched field, as the trigram index finds them."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Expression(SQL(POSTGRES_DOCUMENT), OP.ILIKE, f"%{escaped}%")


def _where(query: Query):
    condition = Comment.status == TABS[query.tab]
    q = query.q
    if not q:
        return condition
    if query.field == "ip":
        # Only the network of an address is kept: a whole address finds it.
        q = privacy.truncate_ip(q) or q
    condition &= _exact(query.field, q)
    if is_sqlite():
        candidates = _sqlite_candidates(query.field, q)
    else:
        candidates = _postgres_candidates(q) if len(q) >= TRIGRAM else None
    return condition if candidates is None else condition & candidates


def _newest_first(select):
    return select.order_by(Comment.created_at.desc(), Comment.id.desc())


def page(
    query: Query, number: int, per_page: int = PER_PAGE, total: int | None = None
) -> QueuePage:
    """One page of a tab (or of a search in it), newest first, with their posts.

    total is the tab's count from counts(), when known and below the cap.
    """
    ids = _newest_first(Comment.select(Comment.id).where(_where(query)))
    ids = [row.id for row in ids.offset((number - 1) * per_page).limit(per_page + 1)]
    if number > 1 and not ids:
        raise PageNotFound(f"there is no page {number}")
    known = total if not query.q and total is not None and total <= COUNT_CAP else None
    found = QueuePage([], number, per_page, known, len(ids) > per_page)
    found.items = _with_posts(ids[:per_page])
    return found


def _with_posts(ids: list[int]) -> list[Comment]:
    if not ids:
        return []
    select = (
        Comment.select(*SHOWN, Post.id, Post.title, Post.slug, Post.date, Post.kind)
        .join(Post)
        .where(Comment.id.in_(ids))
    )
    return mark_hidden_threads(list(_newest_first(select)))


def mark_hidden_threads(comments: list[Comment]) -> list[Comment]:
    """Set thread_hidden on approved replies readers do not see, their
    thread's first comment being out (unapproved, spam, trash)."""
    replies = {
        c.id: c.thread_id
        for c in comments
        if c.thread_id and c.status == CommentStatus.APPROVED
    }
    shown = set()
    if replies:
        firsts = Comment.select(Comment.id).where(
            Comment.id.in_(list(set(replies.values())))
            & (Comment.status == CommentStatus.APPROVED)
        )
        shown = {row.id for row in firsts}
    for comment in comments:
        comment.thread_hidden = comment.id in replies and (
            comment.thread_id not in shown
        )
    return comments


def counts() -> dict[str, int]:
    """Comments per tab, counted up to COUNT_CAP + 1 ("1000+"): cheap at any size."""
    return {tab: _capped_count(status) for tab, status in TABS.items()}


def _capped_count(status: str) -> int:
    # Ordered like a page, so both databases read the queue index alone.
    newest = _newest_first(Comment.select(Comment.id).where(Comment.status == status))
    capped = newest.limit(COUNT_CAP + 1).alias("capped")
    return Comment.select(fn.COUNT(capped.c.id)).from_(capped).scalar()


def verdicts(comment: Comment) -> list[dict]:
    """The pipeline's verdicts on a comment: {check, outcome, reason, score}."""
    try:
        found = json.loads(comment.verdicts or "[]")
    except ValueError:
        return []
    if not isinstance(found, list):
        return []
    return [
        {
            "check": item.get("check", ""),
            "outcome": item.get("outcome") or item.get("verdict", ""),
            "reason": item.get("reason", ""),
            "score": item.get("score"),
        }
        for item in found
        if isinstance(item, dict)
    ]


def age(moment: datetime.datetime, now: datetime.datetime) -> str:
    """A short age: 45 s, 12 min, 5 h, 3 d."""
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
