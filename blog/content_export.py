"""Posts written back as Markdown files with front matter, which a sync of
content/ (content.py) reads back into the same posts."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from . import feeds
from .models import Post, PostStatus
from .term_models import Category, PostCategory, PostTag, Tag


def _local(moment: datetime.datetime | None, tz: ZoneInfo):
    if moment is None:
        return None
    local = moment.replace(tzinfo=datetime.UTC).astimezone(tz)
    # In the hour the clocks go back, a wall time names two moments, and a
    # sync reads the first: such a date goes out with its offset.
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local
    return local.replace(tzinfo=None)


def to_markdown(post: Post, tz: ZoneInfo, site_url: str) -> str:
    """The post as a Markdown file whose sync gives back the same post."""
    meta = {"title": post.title, "slug": post.slug, "date": _local(post.date, tz)}
    optional = {
        "updated": _local(post.updated, tz),
        "author": post.author,
        "tags": [
            tag.name for tag in Tag.select().join(PostTag).where(PostTag.post == post)
        ],
        "categories": [
            c.name
            for c in Category.select()
            .join(PostCategory)
            .where(PostCategory.post == post)
        ],
        "summary": post.summary,
        "template": post.template,
        "order": post.nav_order,
        "format": "" if post.body_format == "markdown" else post.body_format,
        "comments": None if post.comments_open else False,
        "sticky": post.sticky or None,
        # The id feed readers know the post by; a fresh site's would be new.
        "feed_id": feeds.entry_id(post, feeds.Site(url=site_url, title="")),
    }
    # False == 0: without "is False", "comments: false" went out with the zeros.
    meta.update(
        {
            key: value
            for key, value in optional.items()
            if value is False or value not in (None, "", [], 0)
        }
    )
    meta["status"] = post.status
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n\n{post.body}"


def export_path(post: Post) -> str:
    if post.source_path:
        return post.source_path
    if post.kind == "page":
        return f"pages/{post.slug}.md"
    return f"posts/{post.date:%Y-%m-%d}-{post.slug}.md"


def export(dest, tz_name="UTC", *, site_url: str) -> int:
    """Write every post and page (not trashed ones) under dest; return the count.

    site_url is the site's address, whose host is in the posts' Atom ids."""
    dest, tz, count = Path(dest), ZoneInfo(tz_name), 0
    for post in Post.select().where(Post.status != PostStatus.TRASH).order_by(Post.id):
        target = dest / export_path(post)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(to_markdown(post, tz, site_url), encoding="utf-8")
        count += 1
    return count
