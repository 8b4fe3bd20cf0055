"""The per-post comment counts the triggers keep (migrations 0015 and 0018), on
both databases."""

import datetime
import importlib
import random
import threading
import time

import pytest
from playhouse.migrations import Runner

from blog import db
from blog.comment_models import Comment, CommentCount, CommentStatus
from blog.comments import reading, removal
from blog.models import Post, utcnow
from tests.conftest import POSTGRES_URL
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
    """The same counts read from every comment: approved ones the pages show,
    top level or in a thread whose top-level comment is approved."""
    found: dict[int, list[int]] = {}
    status = {comment.id: comment.status for comment in Comment.select()}
    for comment in Comment.select().where(Comment.status == CommentStatus.APPROVED):
        if comment.parent_id and status.get(comment.thread_id) != "approved":
            continue
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
    assert reading.approved_count(posts[0]) == 0
    assert reading.threads(posts[0], 1, 10).total == 0


def test_counts_shown_on_the_page(posts):
    top = make_comment(posts[1])
    make_comment(posts[1], parent=top)
    make_comment(posts[1], status=CommentStatus.SPAM)
    assert reading.approved_count(posts[1]) == 2
    assert reading.threads(posts[1], 1, 10).total == 1


def pages_shown(post, per_page: int, order: str) -> dict[int, int]:
    """The page each comment is on, replies too, as readers page through them."""
    shown = {}

    def walk(node, number):
        shown[node.comment.id] = number
        for child in node.children:
            walk(child, number)

    for number in range(1, reading.threads(post, 1, per_page, order).pages + 1):
        for node in reading.threads(post, number, per_page, order).items:
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
            assert reading.page_of(comment, per_page, order) == shown[comment.id]
    # A comment still waiting shows where it will stand once approved.
    waiting = next(c for c in comments if c.status != CommentStatus.APPROVED)
    found = reading.page_of(waiting, per_page, order)
    Comment.update(status=CommentStatus.APPROVED).where(
        Comment.id == waiting.id
    ).execute()
    shown = pages_shown(post, per_page, order)
    assert found == shown[waiting.id]


SHOWN_REPLIES = "migrations.0018_comment_count_shown_replies"
THREAD_LOCK = "migrations.0021_comment_count_thread_lock"


def _latest_counting(migrator):
    """Put back what later migrations made of 0018's function for the other tests."""
    importlib.import_module(THREAD_LOCK).up(migrator, db.database.obj)


def test_the_migration_counts_what_is_there(posts):
    migration = importlib.import_module("migrations.0015_comment_counts")
    later = importlib.import_module(SHOWN_REPLIES)
    migrator = Runner(db.database.obj).migrator
    top = make_comment(posts[0])
    make_comment(posts[0], parent=top)
    make_comment(posts[1], status=CommentStatus.PENDING)
    later.down(migrator, db.database.obj)
    migration.down(migrator, db.database.obj)
    uncounted = make_comment(posts[1])  # while nothing counts
    migration.up(migrator, db.database.obj)
    assert counted() == truth() == {posts[0].id: (2, 1), posts[1].id: (1, 1)}
    make_comment(posts[1], parent=uncounted)
    assert counted() == {posts[0].id: (2, 1), posts[1].id: (2, 1)}
    later.up(migrator, db.database.obj)  # the schema as the other tests find it
    _latest_counting(migrator)
    assert counted() == truth()


@pytest.mark.parametrize("taken_out", ["pending", "spam", "rejected", "deleted"])
def test_a_thread_taken_out_takes_its_replies_count_with_it(posts, taken_out):
    """The heading counts what the page shows; putting the thread back restores both."""
    post = posts[0]
    root = make_comment(post)
    reply = make_comment(post, parent=root)
    make_comment(post, parent=reply)
    make_comment(post, parent=root, status=CommentStatus.PENDING)
    make_comment(post)

    def seen():
        page = reading.threads(post, 1, 50)
        shown = []
        stack = list(page.items)
        while stack:
            node = stack.pop()
            shown.append(node.comment.id)
            stack += node.children
        return reading.approved_count(post), page.total, len(shown)

    assert seen() == (4, 2, 4)
    Comment.update(status=taken_out).where(Comment.id == root.id).execute()
    assert seen() == (1, 1, 1)
    # A reply approved while its thread is out stays out of the count too.
    Comment.update(status="approved").where(Comment.parent == root.id).execute()
    assert seen() == (1, 1, 1)
    Comment.update(status="approved").where(Comment.id == root.id).execute()
    assert seen() == (5, 2, 5)
    assert counted() == truth()


def test_taking_out_a_thread_and_its_replies_in_one_statement(posts):
    """Rows changed by one statement, in whatever order the database takes them."""
    post = posts[1]
    roots = [make_comment(post) for _ in range(3)]
    replies = [make_comment(post, parent=root) for root in roots for _ in range(2)]
    everything = [c.id for c in roots + replies]
    for status in ("deleted", "approved", "spam", "approved"):
        Comment.update(status=status).where(Comment.id.in_(everything[::2])).execute()
        assert counted() == truth(), status
        Comment.update(status=status).where(Comment.id.in_(everything)).execute()
        assert counted() == truth(), status
    Comment.delete().where(Comment.id.in_([roots[0].id, replies[0].id])).execute()
    assert counted() == truth()


def test_the_shown_replies_migration_counts_what_is_there(posts):
    migration = importlib.import_module(SHOWN_REPLIES)
    migrator = Runner(db.database.obj).migrator
    root = make_comment(posts[0], status=CommentStatus.DELETED)
    make_comment(posts[0], parent=root)
    make_comment(posts[0])
    assert counted() == truth() == {posts[0].id: (1, 1)}
    migration.down(migrator, db.database.obj)
    assert counted() == {posts[0].id: (2, 1)}  # 0015 counted the hidden reply
    make_comment(posts[0], parent=root)
    migration.up(migrator, db.database.obj)
    assert counted() == truth() == {posts[0].id: (1, 1)}
    Comment.update(status="approved").where(Comment.id == root.id).execute()
    assert counted() == truth() == {posts[0].id: (4, 2)}
    _latest_counting(migrator)


def _change_at_once(app, first, second) -> list:
    """Two transactions each set a comment's status ((id, status) pairs): the
    first holds its change uncommitted while the second runs into it; the
    errors either raised."""
    changed, failures = threading.Event(), []

    def change(ident, status, hold: bool):
        try:
            with app.app_context():
                db.database.connect(reuse_if_open=True)
                if not hold:
                    assert changed.wait(timeout=10)
                with db.database.atomic():
                    Comment.update(status=status).where(Comment.id == ident).execute()
                    if hold:
                        changed.set()
                        time.sleep(0.5)  # the other writer runs into it meanwhile
                db.database.close()
        except Exception as error:  # reported from the test's own thread
            failures.append(error)

    writers = [
        threading.Thread(target=change, args=(*first, True)),
        threading.Thread(target=change, args=(*second, False)),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=30)
    return failures


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's concurrent writers are what this test exercises "
    "(SQLite has one writer at a time)",
)
@pytest.mark.parametrize("first", ["approve the reply", "take the thread out"])
def test_a_reply_and_its_thread_changed_at_once_count_right_on_postgresql(
    app, posts, first
):
    """One transaction changes a reply, another its thread's top comment, both
    before either commits: the count still ends as the comments say."""
    post = posts[0]
    root = make_comment(post)
    reply = make_comment(post, parent=root, status=CommentStatus.PENDING)
    changes = {
        "approve the reply": (reply.id, CommentStatus.APPROVED),
        "take the thread out": (root.id, CommentStatus.SPAM),
    }
    first_change = changes.pop(first)
    (second_change,) = changes.values()
    assert _change_at_once(app, first_change, second_change) == []
    # The reply approved in a thread out of the page: nothing shown, nothing counted.
    assert counted() == truth() == {}
    assert reading.approved_count(post) == 0


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's concurrent writers are what this test exercises "
    "(SQLite has one writer at a time)",
)
@pytest.mark.parametrize(
    "reply_was, reply_becomes",
    [
        (CommentStatus.PENDING, CommentStatus.APPROVED),
        (CommentStatus.APPROVED, CommentStatus.PENDING),
    ],
)
@pytest.mark.parametrize("reply_first", [True, False])
def test_a_reply_changed_while_its_thread_is_put_back_counts_right_on_postgresql(
    app, posts, reply_was, reply_becomes, reply_first
):
    """A thread out of the page (its top comment spam) comes back while one of
    its replies is approved or unapproved: the count still ends as shown."""
    post = posts[0]
    root = make_comment(post)
    reply = make_comment(post, parent=root, status=reply_was)
    Comment.update(status=CommentStatus.SPAM).where(Comment.id == root.id).execute()
    changes = [(reply.id, reply_becomes), (root.id, CommentStatus.APPROVED)]
    if not reply_first:
        changes.reverse()
    assert _change_at_once(app, *changes) == []
    assert counted() == truth()
