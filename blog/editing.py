"""Writing posts and pages in the dashboard: checks, slugs, status, version lock.

An editor's save names the version it started from and the UPDATE matches
only that version, so when two people edit one post the second save changes
nothing and is refused (PostConflict) rather than overwriting the first.
Posts synced from content/ are edited the same way; `blog content export`
writes both kinds back to Markdown.
"""

import datetime
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from peewee import IntegrityError
from slugify import slugify

from . import audit, markup, publishing, redirects
from .comments.ignorable import shows_nothing
from .content import is_reserved
from .db import write_transaction
from .models import Post, PostStatus, User, utcnow
from .term_models import Category, PostCategory, PostTag, Tag, term_slug

# What each editor button does to the status; None keeps the current one.
ACTIONS = {
    "save": None,
    "draft": PostStatus.DRAFT,
    "publish": PostStatus.PUBLISHED,
    "unpublish": PostStatus.UNPUBLISHED,
    "trash": PostStatus.TRASH,
    "restore": PostStatus.DRAFT,
}
# The statuses each action may start from.
ALLOWED_FROM = {
    "unpublish": {PostStatus.PUBLISHED},
    "restore": {PostStatus.TRASH},
}
DATE_INPUT = "%Y-%m-%dT%H:%M"
NAV_ORDER = re.compile(r"-?[0-9]{1,9}")


class EditError(ValueError):
    """Fields that cannot be saved: {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class PostConflict(Exception):
    """Someone saved the post after this editor opened it."""


@dataclass
class Draft:
    """What the editor form holds, as plain values."""

    kind: str = "post"
    title: str = ""
    slug: str = ""
    body: str = ""
    summary: str = ""
    author: str = ""
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    date: datetime.datetime | None = None  # naive UTC
    nav_order: int = 0
    comments_open: bool = True


def names(text: str) -> list[str]:
    """Comma-separated names, trimmed, without repeats."""
    seen: dict[str, str] = {}
    for name in text.split(","):
        name = name.strip()
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def parse_date(text: str, tz: str) -> datetime.datetime | None:
    """A datetime-local value in the site's time zone, as naive UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        local = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise EditError({"date": "give the date as YYYY-MM-DD HH:MM"}) from error
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(tz))
    try:
        utc = local.astimezone(datetime.UTC)
    except OverflowError as error:
        # 0001-01-01 00:30 in Berlin is still year 0 in UTC.
        raise EditError({"date": "give a date between the years 2 and 9998"}) from error
    # 02:30 as clocks go from 02:00 to 03:00 names no moment: saved, it would
    # come back as 03:30, scheduled other than the author wrote.
    if utc.astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise EditError(
            {
                "date": f"{local:%H:%M} is skipped that day in {tz}: the clocks go "
                "forward; give a time outside that hour"
            }
        )
    return utc.replace(tzinfo=None)


def date_input(moment: datetime.datetime | None, tz: str) -> str:
    """The value a datetime-local input shows for a naive UTC moment."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(tz))
    return local.strftime(DATE_INPUT)


def draft_from_form(form, kind: str, tz: str, stored=None) -> Draft:
    """The form's values; `stored` is the saved post's date, kept when the
    form sends it back as the editor showed it."""
    nav_order = form.get("nav_order", "0").strip() or "0"
    # ASCII digits only (isdigit() takes "²"), few enough for the column,
    # a 32-bit integer on PostgreSQL.
    if not NAV_ORDER.fullmatch(nav_order):
        raise EditError({"nav_order": "the order is a whole number of 1 to 9 digits"})
    date = parse_date(form.get("date", ""), tz)
    # The field shows minutes in local time: read back, an hour clocks go back
    # through would be its first pass and seconds would be lost.
    if date and stored and date_input(date, tz) == date_input(stored, tz):
        date = stored
    return Draft(
        kind=kind,
        title=form.get("title", "").strip(),
        slug=form.get("slug", "").strip(),
        body=form.get("body", "").replace("\r\n", "\n"),
        summary=form.get("summary", "").strip(),
        author=form.get("author", "").strip(),
        tags=names(form.get("tags", "")),
        categories=names(form.get("categories", "")),
        date=date,
        nav_order=int(nav_order),
        comments_open=form.get("comments_open") == "on",
    )


def undated(post: Post) -> bool:
    """A draft still carrying the date it was given for want of one: it is
    dated when published, as WordPress does, not backdated to its first save."""
    return post.status == PostStatus.DRAFT and _minute(post.date) == _minute(
        post.created_at
    )


def _minute(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(second=0, microsecond=0)


def draft_from_post(post: Post) -> Draft:
    return Draft(
        kind=post.kind,
        title=post.title,
        slug=post.slug,
        body=post.body,
        summary=post.summary,
        author=post.author,
        tags=[t.name for t in Tag.by_post([post.id])[post.id]],
        categories=[c.name for c in Category.by_post([post.id])[post.id]],
        date=None if undated(post) else post.date,
        nav_order=post.nav_order,
        comments_open=post.comments_open,
    )


def preview(body: str, body_format: str = "markdown", source_path=None) -> str:
    """The body as saving renders it: a synced post's relative media links too."""
    return markup.render_post(body, source_path, body_format).html


def _check_lengths(draft: Draft):
    """Refuse what its column cannot hold (PostgreSQL would fail the save)."""
    errors = {}
    for name in ("title", "author"):
        limit = getattr(Post, name).max_length
        if len(getattr(draft, name)) > limit:
            errors[name] = f"at most {limit} characters"
    for name, model in (("tags", Tag), ("categories", Category)):
        limit = model.name.max_length
        if any(len(term) > limit for term in getattr(draft, name)):
            errors[name] = f"at most {limit} characters a name"
    if errors:
        raise EditError(errors)


def _slug(draft: Draft, post_id: int | None) -> str:
    """The editor's slug, checked; or one made from the title, made unique."""
    limit = Post.slug.max_length
    # Transliterated, a title can grow past its own length.
    wanted = slugify(draft.slug or draft.title, max_length=limit, word_boundary=True)
    if not wanted:
        raise EditError({"slug": "a slug needs letters or digits"})
    if draft.kind == "page" and is_reserved(wanted):
        raise EditError({"slug": f"“{wanted}” is reserved for the site's own pages"})
    candidate, number = wanted, 1
    while (holder := _slug_holder(draft.kind, candidate, post_id)) is not None:
        if draft.slug:
            raise EditError({"slug": f"“{candidate}” is used by “{holder.title}”"})
        number += 1
        suffix = f"-{number}"
        candidate = wanted[: limit - len(suffix)].rstrip("-") + suffix
    return candidate


def _slug_holder(kind: str, slug: str, post_id: int | None) -> Post | None:
    query = Post.select(Post.id, Post.title).where(
        (Post.kind == kind) & (Post.slug == slug)
    )
    if post_id is not None:
        query = query.where(Post.id != post_id)
    return query.first()


def _status(action: str, existing: Post | None) -> str:
    current = existing.status if existing else None
    if action not in ACTIONS:
        raise EditError({"action": f"unknown action {action!r}"})
    allowed = ALLOWED_FROM.get(action)
    if allowed is not None and current not in allowed:
        raise EditError({"action": f"cannot {action} a post that is {current}"})
    # A scheduled post was never public: "gone" (410) would tell that it exists.
    if action == "unpublish" and state(existing) == "scheduled":
        return PostStatus.DRAFT
    return ACTIONS[action] or current or PostStatus.DRAFT


def _fields(draft: Draft, slug: str, status: str, body_format: str, source):
    rendered = markup.render_post(draft.body, source, body_format)
    return {
        "kind": draft.kind,
        "title": draft.title,
        "slug": slug,
        "author": draft.author,
        "status": status,
        "summary": draft.summary,
        "summary_html": markup.summarize(draft.summary, rendered.text),
        "body": draft.body,
        "body_html": rendered.html,
        "body_text": rendered.text,
        "nav_order": draft.nav_order,
        "comments_open": draft.comments_open,
        "modified_at": utcnow(),
    }


def save(
    draft: Draft,
    action: str,
    user: User,
    post_id: int | None = None,
    version: int | None = None,
) -> Post:
    """Save the editor's draft with the action's status; return the stored post.

    Raises EditError for fields that cannot be saved and PostConflict when
    the post changed since `version`.
    """
    if shows_nothing(draft.title):
        raise EditError({"title": "a post needs a title"})
    _check_lengths(draft)
    existing = Post.get_by_id(post_id) if post_id is not None else None
    status = _status(action, existing)
    slug = _slug(draft, post_id)
    try:
        if existing is None:
            post = _insert(draft, slug, status, user)
        else:
            post = _update(existing, draft, slug, status, version, action, user)
    except IntegrityError as error:
        # Another editor's save took the address after _slug checked it.
        if _slug_holder(draft.kind, slug, post_id) is None:
            raise
        raise EditError(
            {"slug": f"“{slug}” was taken by another post just now: save again"}
        ) from error
    publishing.refresh([post.id])
    return post


def _insert(draft: Draft, slug: str, status: str, user: User) -> Post:
    fields = _fields(draft, slug, status, "markdown", None)
    now = utcnow()
    # One moment for both: a draft saved without a date is known by them.
    fields["created_at"], fields["date"] = now, draft.date or _minute(now)
    with write_transaction():
        post = Post.create(**fields)
        _link_terms(post.id, draft)
        audit.record(
            "post.create",
            user,
            object_type=draft.kind,
            object_id=post.id,
            to_state=_state(post.status, post.date),
            detail=post.title,
        )
    return post


def _update(existing, draft, slug, status, version, action, user) -> Post:
    fields = _fields(draft, slug, status, existing.body_format, existing.source_path)
    published_now = status == PostStatus.PUBLISHED and undated(existing)
    fields["date"] = draft.date or (
        _minute(utcnow()) if published_now else existing.date
    )
    fields["version"] = Post.version + 1
    with write_transaction():
        changed = (
            Post.update(**fields)
            .where((Post.id == existing.id) & (Post.version == version))
            .execute()
        )
        if not changed:
            raise PostConflict(existing.title)
        _link_terms(existing.id, draft)
        audit.record(
            f"post.{action}",
            user,
            object_type=existing.kind,
            object_id=existing.id,
            from_state=_state(existing.status, existing.date),
            to_state=_state(status, fields["date"]),
            detail=draft.title,
        )
        post = Post.get_by_id(existing.id)
        # Links to a public post outlive a new slug, as WordPress keeps them.
        if existing.is_public and post.url != existing.url:
            redirects.remember_all({existing.url: post.url})
    return post


def _state(status: str, date: datetime.datetime) -> str:
    """A published post dated in the future is scheduled."""
    if status == PostStatus.PUBLISHED and date > utcnow():
        return "scheduled"
    return status


def state(post: Post) -> str:
    return _state(post.status, post.date)


def _link_terms(post_id: int, draft: Draft):
    PostTag.delete().where(PostTag.post == post_id).execute()
    PostCategory.delete().where(PostCategory.post == post_id).execute()
    # Names that differ only in punctuation ("Web Dev", "web-dev") share a slug,
    # so a term: link each one once.
    for tag in dict.fromkeys(_term(Tag, name) for name in draft.tags):
        PostTag.create(post=post_id, tag=tag)
    for category in dict.fromkeys(_term(Category, name) for name in draft.categories):
        PostCategory.create(post=post_id, category=category)


def _term(model, name: str) -> int:
    slug = term_slug(name)
    found = model.get_or_none(model.slug == slug)
    return found.id if found else model.insert(name=name, slug=slug).execute()
