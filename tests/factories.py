"""Build rows for tests with sensible defaults."""

import datetime
import itertools

from blog import markup
from blog.models import Category, Post, PostCategory, PostStatus, PostTag, Tag

_counter = itertools.count(1)


def make_post(title=None, body="Some text.", tags=(), categories=(), **fields) -> Post:
    number = next(_counter)
    title = title or f"Post number {number}"
    rendered = markup.render_post(body)
    values = {
        "kind": "post",
        "title": title,
        "slug": fields.pop("slug", f"post-{number}"),
        "date": datetime.datetime(2024, 1, 1) + datetime.timedelta(days=number),
        "status": PostStatus.PUBLISHED,
        "body": body,
        "body_html": rendered.html,
        "body_text": rendered.text,
        "author": "Ada Lindqvist",
    }
    values.update(fields)
    post = Post.create(**values)
    for name in tags:
        tag, _ = Tag.get_or_create(slug=name.lower(), defaults={"name": name})
        PostTag.create(post=post, tag=tag)
    for name in categories:
        category, _ = Category.get_or_create(slug=name.lower(), defaults={"name": name})
        PostCategory.create(post=post, category=category)
    return post
