"""The moderators' word index on SQLite: new comments indexed in batches.

SQLite only, so these run on their own SQLite database in both passes.
"""

import importlib

import pytest

from blog import db
from blog.comment_models import Comment
from blog.comments import queue, word_index
from blog.db import database
from tests.factories import make_comment, make_post


def indexed(word: str) -> set[int]:
    found = database.execute_sql(
        "SELECT rowid FROM comment_words WHERE comment_words MATCH ?", [word]
    )
    return {row[0] for row in found}


def waiting() -> set[int]:
    rows = database.execute_sql("SELECT id FROM comment_words_pending")
    return {row[0] for row in rows}


def check_index():
    """FTS5's own check of the index against the comment table (rank 1)."""
    database.execute_sql(
        "INSERT INTO comment_words (comment_words, rank) VALUES ('integrity-check', 1)"
    )


@pytest.fixture
def post(own_sqlite):
    return make_post()


def test_a_new_comment_waits_and_one_batch_indexes_it(post):
    first = make_comment(post, body="Kestrels hover over the verge.")
    second = make_comment(post, body="Kestrels again, and a buzzard.")
    assert waiting() == {first.id, second.id}
    assert indexed("kestrels") == set()
    word_index.catch_up()
    assert waiting() == set()
    assert indexed("kestrels") == {first.id, second.id}
    assert indexed("buzzard") == {second.id}
    check_index()


def test_a_search_finds_a_comment_written_since_the_last_batch(post):
    make_comment(post, body="Nothing about birds.")
    word_index.catch_up()
    latest = make_comment(post, body="A wheatear on the wall today.")
    found = queue.page(queue.Query(tab="approved", q="wheatear", field="text"), 1)
    assert [comment.id for comment in found.items] == [latest.id]
    assert waiting() == set()


def test_edits_and_deletions_keep_the_index_exact_waiting_or_not(post):
    indexed_then_edited = make_comment(post, body="Swifts screaming overhead.")
    indexed_then_deleted = make_comment(post, body="Swallows on the wire.")
    word_index.catch_up()
    waiting_then_edited = make_comment(post, body="Martins under the eaves.")
    waiting_then_deleted = make_comment(post, body="Martins gone already.")
    for comment, body in (
        (indexed_then_edited, "Swifts gone south."),
        (waiting_then_edited, "Sand martins nesting."),
    ):
        Comment.update(body=body).where(Comment.id == comment.id).execute()
    Comment.delete().where(
        Comment.id.in_([indexed_then_deleted.id, waiting_then_deleted.id])
    ).execute()
    assert waiting() == {waiting_then_edited.id}
    word_index.catch_up()
    check_index()
    assert indexed("swifts") == {indexed_then_edited.id}
    assert indexed("screaming") == set()
    assert indexed("swallows") == set()
    assert indexed("martins") == {waiting_then_edited.id}
    assert indexed("eaves") == set()


def test_nothing_waiting_means_no_write(post, monkeypatch):
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 1)
    word_index.catch_up()
    db.checkpoint()  # the count of writes starts afresh
    word_index.catch_up()
    assert not db.checkpoint_due()


def test_the_app_indexes_the_batch_once_the_response_is_closed(
    own_sqlite, post, monkeypatch
):
    app, _ = own_sqlite
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 1)
    comment = make_comment(post, body="Redstarts in the orchard.")
    with db.write_transaction():
        pass  # a write of this worker: the after-response work is due
    response = app.test_client().get("/robots.txt")
    assert waiting() == {comment.id}
    response.close()
    assert waiting() == set()
    assert indexed("redstarts") == {comment.id}


def test_the_migration_down_indexes_what_waits_and_indexes_at_once_again(post):
    migration = importlib.import_module("migrations.0014_comment_words_in_batches")
    waited = make_comment(post, body="Fieldfares in the hedge.")
    migration.down(None, database.obj)
    assert indexed("fieldfares") == {waited.id}
    at_once = make_comment(post, body="Fieldfares and redwings.")
    assert indexed("redwings") == {at_once.id}
    migration.up(None, database.obj)
    later = make_comment(post, body="Redwings at dusk.")
    assert waiting() == {later.id}
    word_index.catch_up()
    assert indexed("redwings") == {at_once.id, later.id}
    check_index()
