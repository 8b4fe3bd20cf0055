"""Comments deleted for good: their replies move up, threads stay whole (removal.py)."""

import datetime

import pytest
from playhouse.migrations import Runner

from blog import db, privacy_tools
from blog.cli import MIGRATIONS_DIR
from blog.comment_models import Comment, CommentStatus
from blog.comments import actions, pipeline, reading
from blog.models import utcnow
from tests.comments.conftest import default_settings
from tests.comments.test_comment_counts import counted, truth
from tests.factories import (
    delete_for_good,
    make_comment,
    make_post,
    make_thread_with_a_reply_to_move,
)

DOOMED_EMAIL = "doomed@example.org"
REPAIR = "0017_repair_comment_threads"
KEY = "test secret key"


def _empty_spam(comment):
    actions.apply("spam", [comment.id], None)
    actions.empty_spam(None)


def _purge(comment):
    actions.apply("trash", [comment.id], None)
    actions.purge(30, now=utcnow() + datetime.timedelta(days=31))


def _erase(comment):
    privacy_tools.erase(DOOMED_EMAIL, KEY, delete_comments=True)


WAYS = [delete_for_good, _empty_spam, _purge, _erase]


@pytest.fixture
def post(app):
    return make_post(title="Threads")


def place(comment) -> tuple[int | None, int | None, int]:
    stored = Comment.get_by_id(comment.id)
    return stored.parent_id, stored.thread_id, stored.depth


def shown(post) -> dict[int, list[int]]:
    """Every comment on the post's first page, with the replies shown under it."""
    under: dict[int, list[int]] = {}

    def walk(node):
        under[node.comment.id] = [child.comment.id for child in node.children]
        for child in node.children:
            walk(child)

    for node in reading.threads(post, 1, 50).items:
        walk(node)
    return under


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.__name__.strip("_"))
def test_deleting_a_top_level_comment_makes_its_reply_a_thread(post, way):
    root = make_comment(post, author_email=DOOMED_EMAIL)
    child = make_comment(post, parent=root)
    grandchild = make_comment(post, parent=child)
    deepest = make_comment(post, parent=grandchild)
    way(root)
    assert not Comment.select().where(Comment.id == root.id).exists()
    assert place(child) == (None, None, 0)
    assert place(grandchild) == (child.id, child.id, 1)
    assert place(deepest) == (grandchild.id, child.id, 2)
    assert shown(post) == {
        child.id: [grandchild.id],
        grandchild.id: [deepest.id],
        deepest.id: [],
    }
    assert reading.approved_count(post) == 3
    assert counted() == truth()


@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.__name__.strip("_"))
def test_deleting_a_middle_reply_moves_its_replies_into_its_place(post, way):
    root = make_comment(post)
    middle = make_comment(post, parent=root, author_email=DOOMED_EMAIL)
    reply = make_comment(post, parent=middle)
    under_reply = make_comment(post, parent=reply)
    way(middle)
    assert place(reply) == (root.id, root.id, 1)
    assert place(under_reply) == (reply.id, root.id, 2)
    assert shown(post) == {
        root.id: [reply.id],
        reply.id: [under_reply.id],
        under_reply.id: [],
    }
    assert counted() == truth()


def test_one_statement_deleting_a_reply_with_the_comment_it_answers(post):
    """Emptying the spam deletes a chain of spam at once: the kept replies
    below it go to the nearest comment kept above it."""
    root = make_comment(post)
    spam = make_comment(post, parent=root, status=CommentStatus.SPAM)
    spam_reply = make_comment(post, parent=spam, status=CommentStatus.SPAM)
    kept = make_comment(post, parent=spam_reply)
    kept_reply = make_comment(post, parent=kept)
    beside = make_comment(post, parent=spam)
    top_spam = make_comment(post, status=CommentStatus.SPAM)
    top_spam_reply = make_comment(post, parent=top_spam, status=CommentStatus.SPAM)
    new_top = make_comment(post, parent=top_spam_reply)
    assert actions.empty_spam(None) == 4
    assert place(kept) == (root.id, root.id, 1)
    assert place(kept_reply) == (kept.id, root.id, 2)
    assert place(beside) == (root.id, root.id, 1)
    assert place(new_top) == (None, None, 0)
    assert shown(post) == {
        root.id: [kept.id, beside.id],
        kept.id: [kept_reply.id],
        kept_reply.id: [],
        beside.id: [],
        new_top.id: [],
    }
    assert counted() == truth()


def test_a_moved_reply_is_on_its_new_threads_page(post):
    root, middle, reply = make_thread_with_a_reply_to_move(post)
    delete_for_good(middle)
    first_page = reading.threads(post, 1, 5).items
    assert [child.comment.id for child in first_page[0].children] == [reply.id]
    assert reading.page_of(Comment.get_by_id(reply.id), 5) == 1


def test_the_deepest_level_holds_only_for_new_replies(post):
    """Moved replies keep what they had, one level up; a new reply to one
    goes by the deepest level as ever."""
    settings = default_settings(thread_depth=3)
    root = make_comment(post)
    middle = make_comment(post, parent=root)
    deep = make_comment(post, parent=middle)
    delete_for_good(middle)
    assert place(deep) == (root.id, root.id, 1)
    found = pipeline.place(deep.id, post.id, Comment.get_or_none, settings)
    assert found == (deep.id, root.id, 2)


def test_the_repair_migration_puts_astray_replies_back(app):
    """Migration 0017 mends what deletes left before removal.py existed."""
    post = make_post()
    root = make_comment(post)
    child = make_comment(post, parent=root)
    grandchild = make_comment(post, parent=child)
    other_root = make_comment(post)
    middle = make_comment(post, parent=other_root)
    orphan = make_comment(post, parent=middle)
    fine = make_comment(post, parent=other_root)
    # As ON DELETE SET NULL left them: the first root deleted, then a middle reply.
    Comment.update(parent=None, thread=None).where(Comment.id == child.id).execute()
    Comment.update(thread=None).where(Comment.id == grandchild.id).execute()
    Comment.update(parent=None).where(Comment.id == orphan.id).execute()
    Comment.delete().where(Comment.id.in_([root.id, middle.id])).execute()
    runner = Runner(db.database.obj, directory=str(MIGRATIONS_DIR))
    assert runner.down(REPAIR)[-1] == REPAIR
    assert runner.up()[0] == REPAIR

    def place(comment):
        found = Comment.get_by_id(comment.id)
        return found.parent_id, found.thread_id, found.depth

    assert place(child) == (None, None, 0)
    assert place(grandchild) == (child.id, child.id, 1)
    assert place(orphan) == (other_root.id, other_root.id, 1)
    assert place(fine) == (other_root.id, other_root.id, 1)
    assert counted() == truth()
    shown = reading.threads(post, 1, 50)
    assert {node.comment.id for node in shown.items} == {child.id, other_root.id}
