"""The base model, the clock, and the site's tables: users, posts, settings.

Posts carry their named queries. Comments and what moderation keeps live in
comment_models.py; tags, categories and related posts in term_models.py.
"""

import datetime
import enum
import hashlib
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    Tuple,
    fn,
)

from .db import database, unselective
from .prepared import Prepared


def utcnow() -> datetime.datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day of a stored (naive UTC) time in the site's time zone.

    A post's address carries the day its page shows and its day archive
    lists it under, as front matter and file names give it.
    """
    zone = current_app.extensions["settings"]["timezone"] if has_app_context() else ""
    return _day_in(moment, zone or "UTC")


# A list of posts asks for the same days each time it is rendered again.
@lru_cache(maxsize=8192)
def _day_in(moment: datetime.datetime, zone: str) -> datetime.date:
    if zone == "UTC":
        return moment.date()
    return moment.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(zone)).date()


# Here, not beside Comment: migration 0010 imports it from blog.models.
def text_digest(text: str | None) -> str:
    """A short digest of a comment's text, to find the same text by index."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


class PostStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    # Was public once and was taken down: its URL answers 410 Gone.
    UNPUBLISHED = "unpublished"
    TRASH = "trash"


class Role(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    MODERATOR = "moderator"


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):
    # The id is never given twice: AUTOINCREMENT on SQLite (migration 0029).
    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=120, default="")
    email = CharField(max_length=254, default="")
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16, default=Role.EDITOR)
    # Rotated on logout and password change so every older session ends.
    session_token = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    # Set while the user may not sign in; their posts and comments stay.
    disabled_at = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)

    # Flask-Login's user protocol. The id carries the session token, so a
    # rotated token ends every session made before it.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @classmethod
    def active_admins(cls):
        """Admins who can sign in: the site needs one at all times."""
        return cls.select().where((cls.role == Role.ADMIN) & cls.disabled_at.is_null())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def name(self) -> str:
        return self.display_name or self.username


class Post(BaseModel):
    kind = CharField(max_length=8, default="post", index=True)  # post | page
    title = CharField(max_length=300)
    slug = CharField(max_length=200, index=True)
    date = DateTimeField(index=True)
    updated = DateTimeField(null=True)
    author = CharField(max_length=120, default="")
    status = CharField(max_length=12, default=PostStatus.DRAFT, index=True)
    summary = TextField(default="")
    body = TextField(default="")
    body_format = CharField(max_length=8, default="markdown")  # markdown | html
    body_html = TextField(default="")
    # Plain text of the body, for search and related posts.
    body_text = TextField(default="")
    summary_html = TextField(default="")
    template = CharField(max_length=100, default="")
    nav_order = IntegerField(default=0)
    comments_open = BooleanField(default=True)
    sticky = BooleanField(default=False)
    source_path = CharField(max_length=500, null=True, unique=True)
    source_hash = CharField(max_length=64, default="")
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    modified_at = DateTimeField(default=utcnow)
    # The WordPress post ID it was imported from: re-imports find it again.
    wp_id = BigIntegerField(null=True, unique=True)
    # The end of the Atom id of a post from before ids were permanent, as
    # readers saw it; None for later posts, whose id comes from their own.
    feed_id = TextField(null=True)

    class Meta:
        indexes = (
            (("kind", "slug"), True),
            # Listings: published posts, sticky first, newest first.
            (("kind", "status", "sticky", "date"), False),
            # Archives and previous/next: published posts by date.
            (("kind", "status", "date"), False),
            # An author's archive and the list of authors, without the table.
            (("kind", "status", "author", "date"), False),
        )

    @classmethod
    def listing_fields(cls):
        """The columns a list of posts shows: never the (large) bodies."""
        return [
            cls.id, cls.kind, cls.title, cls.slug, cls.date, cls.updated, cls.author,
            cls.status, cls.summary_html, cls.sticky,
        ]  # fmt: skip

    @classmethod
    def published(cls, now=None):
        """Posts a reader may see now: published and dated in the past."""
        now = now or utcnow()
        return cls.select().where(
            (cls.kind == "post")
            & (cls.status == PostStatus.PUBLISHED)
            # Nearly every post: an index serving the ORDER BY beats this range.
            & unselective(cls.date <= now)
        )

    @classmethod
    def pages(cls, now=None):
        """Pages a reader may see now: a future date schedules a page too."""
        now = now or utcnow()
        return (
            cls.select()
            .where(
                (cls.kind == "page")
                & (cls.status == PostStatus.PUBLISHED)
                & (cls.date <= now)
            )
            .order_by(cls.nav_order, cls.title)
        )

    @classmethod
    def navigation(cls) -> list:
        """The published pages, in the order of the theme's navigation."""
        return _NAVIGATION.records(cls, utcnow())

    @classmethod
    def lookup(cls, kind: str, slug: str):
        """The post or page with this slug, whatever its status, or None."""
        found = _BY_SLUG.models(cls, kind, slug)
        return found[0] if found else None

    @classmethod
    def count_published(cls, now) -> int:
        return _PUBLISHED_COUNT.scalar(now)

    @classmethod
    def published_page(cls, now, limit: int, offset: int) -> list:
        """A page of the home listing: sticky posts first, then newest first."""
        return _PUBLISHED_PAGE.records(cls, now, limit, offset)

    @classmethod
    def next_scheduled(cls, now=None):
        """The date of the next post or page waiting for its time, or None."""
        found = _NEXT_SCHEDULED.records(cls, now or utcnow())
        return found[0].date if found else None

    def neighbours(self, now) -> tuple:
        """The published posts just before and just after this one."""
        before = _PREVIOUS.records(Post, now, self.date, self.id)
        after = _NEXT.records(Post, now, self.date, self.id)
        return (before[0] if before else None), (after[0] if after else None)

    @property
    def is_public(self) -> bool:
        return self.status == PostStatus.PUBLISHED and self.date <= utcnow()

    @property
    def url(self) -> str:
        if self.kind == "page":
            return f"/{self.slug}/"
        return f"/{local_day(self.date):%Y/%m/%d}/{self.slug}/"


class _PostRecordMixin:
    """What a post read as a record (prepared.Prepared.records) shares with Post."""

    __slots__ = ()
    url = Post.url
    is_public = Post.is_public


# Lists of posts (home, neighbours, related, navigation) read records.
Post.record_mixin = _PostRecordMixin

_BY_SLUG = Prepared(
    lambda kind, slug: Post.select().where((Post.kind == kind) & (Post.slug == slug))
)
_NAVIGATION = Prepared(
    lambda now: Post.pages(now).select(*Post.listing_fields(), Post.nav_order)
)
# COUNT(*), not COUNT(id): 0.7 ms against 1.8 ms at 10,000 posts. Without
# published()'s planner hint, which costs a call per row and has no ORDER BY
# to serve here.
_PUBLISHED_COUNT = Prepared(
    lambda now: Post.select(fn.COUNT(SQL("*"))).where(
        (Post.kind == "post")
        & (Post.status == PostStatus.PUBLISHED)
        & (Post.date <= now)
    )
)
_PUBLISHED_PAGE = Prepared(
    lambda now, limit, offset: (
        Post.published(now)
        .select(*Post.listing_fields())
        .order_by(Post.sticky.desc(), Post.date.desc(), Post.id.desc())
        .limit(limit)
        .offset(offset)
    )
)
_NEXT_SCHEDULED = Prepared(
    lambda now: (
        Post.select(Post.date)
        .where(
            # Both kinds named: each is a range of the (kind, status, date) index.
            Post.kind.in_(["post", "page"])
            & (Post.status == PostStatus.PUBLISHED)
            & (Post.date > now)
        )
        .order_by(Post.date)
        .limit(1)
    )
)
# Row values, not "date < d OR (date = d AND id < i)": SQLite's planner
# turns the OR into a scan of every post on one side (3 ms at 10,000 posts).
_PREVIOUS = Prepared(
    lambda now, date, ident: (
        Post.published(now)
        .select(*Post.listing_fields())
        .where(Tuple(Post.date, Post.id) < Tuple(date, ident))
        .order_by(Post.date.desc(), Post.id.desc())
        .limit(1)
    )
)
_NEXT = Prepared(
    lambda now, date, ident: (
        Post.published(now)
        .select(*Post.listing_fields())
        .where(Tuple(Post.date, Post.id) > Tuple(date, ident))
        .order_by(Post.date, Post.id)
        .limit(1)
    )
)


class Setting(BaseModel):
    key = CharField(max_length=64, primary_key=True)
    value = TextField()  # JSON


class AuditEntry(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    actor = CharField(max_length=120, default="")
    action = CharField(max_length=64)
    object_type = CharField(max_length=32, default="")
    object_id = IntegerField(null=True)
    from_state = CharField(max_length=32, default="")
    to_state = CharField(max_length=32, default="")
    detail = TextField(default="")

    class Meta:
        # The history of one object, and the spam filter's measured quality.
        indexes = ((("object_type", "object_id"), False),)


# How long a failed sign-in counts against its name and address.
SIGN_IN_WINDOW = datetime.timedelta(minutes=15)


class LoginAttempt(BaseModel):
    key = CharField(max_length=128, index=True)  # "user:<name>" or "ip:<hash>"
    at = DateTimeField(default=utcnow, index=True)


class Redirect(BaseModel):
    old_path = CharField(max_length=500, unique=True)
    target = CharField(max_length=500)
