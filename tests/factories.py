"""Build rows for tests with sensible defaults."""

import datetime
import itertools

from blog import accounts, markup
from blog.comment_models import Comment, CommentStatus
from blog.comments import actions
from blog.models import Post, PostStatus, Role, User, utcnow
from blog.term_models import Category, PostCategory, PostTag, Tag

_counter = itertools.count(1)


def make_post(title=None, body="Some text.", tags=(), categories=(), **fields) -> Post:
    number = next(_counter)
    title = title or f"Post number {number}"
    rendered = markup.render_post(body)
    values = {
        "kind": "post",
        "title": title,
        "slug": fields.pop("slug", f"post-{number}"),
        "date": datetime.datetime(2024, 1, 1) + datetime.timedelta(hours=number),
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


def make_comment(post, body="A comment.", parent=None, **fields) -> Comment:
    """An approved comment by default; a reply when given its parent."""
    number = next(_counter)
    values = {
        "post": post,
        "parent": parent,
        "thread": (parent.thread_id or parent.id) if parent else None,
        "depth": parent.depth + 1 if parent else 0,
        "author_name": f"Commenter {number}",
        "author_email": f"commenter{number}@example.com",
        "email_hash": f"email-hash-{number}",
        "body": body,
        "body_html": markup.render_comment(body),
        "status": CommentStatus.APPROVED,
        "ip_hash": f"ip-hash-{number}",
        "ip_prefix": "192.0.2.0/24",
        "created_at": utcnow(),
    }
    values.update(fields)
    return Comment.create(**values)


def make_staff_reply(post, **fields) -> User:
    """An editor, Grace, answering a reader's question on post."""
    staff = accounts.create_user(
        "grace", "a long enough password", Role.EDITOR, display_name="Grace Hopper"
    )
    question = make_comment(post, body="A question.")
    make_comment(
        post,
        body="The answer.",
        parent=question,
        user=staff,
        author_name="Grace Hopper",
        author_email="grace@example.org",
        **fields,
    )
    return staff


def delete_for_good(comment):
    """As a moderator does it: to the trash, then deleted from there."""
    actions.apply("trash", [comment.id], None)
    actions.apply("delete", [comment.id], None)


def make_thread_with_a_reply_to_move(post) -> tuple[Comment, Comment, Comment]:
    """(root, middle, reply): root first of six threads, so on page 1 of 5,
    and a day later a middle reply to it with a reply of its own, which
    deleting the middle one moves up into its place."""
    start = utcnow() - datetime.timedelta(days=1)
    root = make_comment(post, created_at=start)
    for minute in range(1, 6):
        make_comment(post, created_at=start + datetime.timedelta(minutes=minute))
    later = start + datetime.timedelta(minutes=10)
    middle = make_comment(post, parent=root, created_at=later)
    return root, middle, make_comment(post, parent=middle, created_at=later)
