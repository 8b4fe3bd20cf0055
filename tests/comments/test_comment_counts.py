"""The per-post comment counts the triggers keep (migration 0015), on both databases."""

import datetime
import importlib
import random

import pytest
from playhouse.migrations import Runner

from blog import db
from blog.comments import removal, store
from blog.models import Comment, CommentCount, CommentStatus, Post, utcnow
from tests.factories import make_comment, make_post

NOW = utcnow().replace(microsecond=0)
STATUSES = list(CommentStatus)


@pytest.fixture
def posts(app):
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        yield [make_post(title=f"Post {n}") for n in range(3)]


def counted() -> dict[int, tuple[int, int]]:
    """What the triggers kept, posts with nothing approved left out."""
    return {
        row.post_id: (row.approved, row.threads)
        for row in CommentCount.select()
        if row.approved or row.threads
    }


def truth() -> dict[int, tuple[int, int]]:
    """The same counts read from every comment."""
    found: dict[int, list[int]] = {}
    for comment in Comment.select().where(Comment.status == CommentStatus.APPROVED):
        counts = found.setdefault(comment.post_id, [0, 0])
        counts[0] += 1
        counts[1] += comment.parent_id is None
    return {post: tuple(counts) for post, counts in found.items()}


def test_counts_follow_every_kind_of_change(posts):
    """Writes of every kind, as the pipeline, moderators and the import make them."""
    rng = random.Random(15)
    for step in range(300):
        comments = list(Comment.select())
        action = rng.choice(
            ["add", "add", "add", "status", "status", "delete", "remove", "move"]
        )
        if action == "add" or not comments:
            post = rng.choice(posts)
            siblings = [c for c in comments if c.post_id == post.id]
            parent = rng.choice(siblings) if siblings and rng.random() < 0.5 else None
            make_comment(
                post,
                parent=parent,
                status=rng.choice(STATUSES),
                created_at=NOW - datetime.timedelta(minutes=rng.randrange(50)),
            )
        elif action == "status":
            comment = rng.choice(comments)
            if rng.random() < 0.5:
                comment.status = rng.choice(STATUSES)
                comment.save()  # every column written, most of them unchanged
            else:
                Comment.update(status=rng.choice(STATUSES)).where(
                    Comment.id == comment.id
                ).execute()
        elif action == "delete":
            # Its replies stay, at the top level (ON DELETE SET NULL).
            rng.choice(comments).delete_instance()
        elif action == "remove":
            # As moderators delete: its replies move up, in one transaction
            # with it, and a reply may go in the same statement.
            answered = sorted({c.parent_id for c in comments if c.parent_id})
            doomed = rng.sample(answered, min(2, len(answered)))
            with db.database.atomic():
                removal.remove(Comment.id.in_(doomed))
        else:
            comment = rng.choice(comments)
            comment.post = rng.choice(posts)
            comment.parent = None
            comment.save()
        assert counted() == truth(), f"step {step}: {action}"
    doomed = posts[0]
    Post.delete().where(Post.id == doomed.id).execute()
    assert counted() == truth()
    assert not CommentCount.select().where(CommentCount.post == doomed.id).exists()


def test_a_post_with_no_approved_comment_counts_none(posts):
    make_comment(posts[0], status=CommentStatus.PENDING)
    assert store.approved_count(posts[0]) == 0
    assert store.threads(posts[0], 1, 10).total == 0


def test_counts_shown_on_the_page(posts):
    top = make_comment(posts[1])
    make_comment(posts[1], parent=top)
    make_comment(posts[1], status=CommentStatus.SPAM)
    assert store.approved_count(posts[1]) == 2
    assert store.threads(posts[1], 1, 10).total == 1


def pages_shown(post, per_page: int, order: str) -> dict[int, int]:
    """The page each comment is on, replies too, as readers page through them."""
    shown = {}

    def walk(node, number):
        shown[node.comment.id] = number
        for child in node.children:
            walk(child, number)

    for number in range(1, store.threads(post, 1, per_page, order).pages + 1):
        for node in store.threads(post, number, per_page, order).items:
            walk(node, number)
    return shown


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_page_of_agrees_with_the_pages_shown(posts, order):
    """Every comment's page holds it, ties in time, replies and comments
    whose parents were deleted included."""
    rng = random.Random(7)
    post = posts[2]
    comments = []
    for _ in range(60):
        approved = [c for c in comments if c.status == CommentStatus.APPROVED]
        parent = rng.choice(approved) if approved and rng.random() < 0.3 else None
        moment = NOW - datetime.timedelta(minutes=rng.randrange(20))
        status = CommentStatus.PENDING if rng.random() < 0.2 else CommentStatus.APPROVED
        comments.append(
            make_comment(post, parent=parent, created_at=moment, status=status)
        )
    answered = sorted({c.parent_id for c in comments if c.parent_id})
    with db.database.atomic():
        removal.remove(Comment.id.in_(rng.sample(answered, 6)))
    comments = list(Comment.select().where(Comment.post == post))
    per_page = 4
    shown = pages_shown(post, per_page, order)
    for comment in comments:
        if comment.status == CommentStatus.APPROVED:
            assert store.page_of(comment, per_page, order) == shown[comment.id]
    # A comment still waiting shows where it will stand once approved.
    waiting = next(c for c in comments if c.status != CommentStatus.APPROVED)
    found = store.page_of(waiting, per_page, order)
    Comment.update(status=CommentStatus.APPROVED).where(
        Comment.id == waiting.id
    ).execute()
    shown = pages_shown(post, per_page, order)
    assert found == shown[waiting.id]


def test_the_migration_counts_what_is_there(posts):
    migration = importlib.import_module("migrations.0015_comment_counts")
    migrator = Runner(db.database.obj).migrator
    top = make_comment(posts[0])
    make_comment(posts[0], parent=top)
    make_comment(posts[1], status=CommentStatus.PENDING)
    migration.down(migrator, db.database.obj)
    uncounted = make_comment(posts[1])  # while nothing counts
    migration.up(migrator, db.database.obj)
    assert counted() == truth() == {posts[0].id: (2, 1), posts[1].id: (1, 1)}
    make_comment(posts[1], parent=uncounted)
    assert counted() == {posts[0].id: (2, 1), posts[1].id: (2, 1)}
