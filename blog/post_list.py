"""The dashboard's list of posts or pages: filters, and counts by state."""

from dataclasses import dataclass

from peewee import fn

from .models import Post, PostStatus, utcnow
from .term_models import Category, PostCategory, PostTag, Tag


@dataclass(frozen=True)
class Filters:
    kind: str = "post"
    status: str = ""
    tag: str = ""
    category: str = ""
    author: str = ""
    q: str = ""


def listing(filters: Filters):
    """Posts (or pages) matching the dashboard's filters, newest first."""
    query = Post.select().where(Post.kind == filters.kind)
    if filters.status == "scheduled":
        query = query.where(
            (Post.status == PostStatus.PUBLISHED) & (Post.date > utcnow())
        )
    elif filters.status:
        query = query.where(Post.status == filters.status)
    if filters.tag:
        tagged = PostTag.select(PostTag.post).join(Tag).where(Tag.slug == filters.tag)
        query = query.where(Post.id.in_(tagged))
    if filters.category:
        filed = (
            PostCategory.select(PostCategory.post)
            .join(Category)
            .where(Category.slug == filters.category)
        )
        query = query.where(Post.id.in_(filed))
    if filters.author:
        query = query.where(Post.author == filters.author)
    if filters.q:
        query = query.where(
            Post.title.contains(filters.q) | Post.body.contains(filters.q)
        )
    return query.order_by(Post.date.desc(), Post.id.desc())


def counts_by_state(kind: str = "post") -> dict[str, int]:
    """How many posts are in each state, scheduled apart from published."""
    found = {status.value: 0 for status in PostStatus}
    found["scheduled"] = 0
    now = utcnow()
    query = (
        Post.select(
            Post.status,
            (Post.date > now).alias("future"),
            fn.COUNT(Post.id).alias("n"),
        )
        .where(Post.kind == kind)
        .group_by(Post.status, Post.date > now)
    )
    for row in query.dicts():
        scheduled = row["status"] == PostStatus.PUBLISHED and row["future"]
        found["scheduled" if scheduled else row["status"]] += row["n"]
    return found


def authors() -> list[str]:
    query = Post.select(Post.author).where(Post.author != "").distinct()
    return sorted(row.author for row in query)
