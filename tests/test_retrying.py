"""db.retrying: a write transaction tried again when another writer is in the way."""

import threading

import pytest
from peewee import IntegrityError, OperationalError

from blog import db
from blog.comment_models import Comment
from blog.models import utcnow
from tests.factories import make_comment, make_post
from tests.locks import held_elsewhere

from .conftest import POSTGRES_URL


def test_a_busy_sqlite_database_is_tried_again_and_other_errors_are_not(app):
    attempts = []

    def busy_twice():
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("database is locked")
        return "written"

    with app.app_context():
        assert db.retrying(busy_twice, pause=0) == "written"
        assert len(attempts) == 3

        def broken():
            raise IntegrityError("UNIQUE constraint failed: comment.idempotency_key")

        with pytest.raises(IntegrityError):
            db.retrying(broken, pause=0)

        def always_busy():
            raise OperationalError("database is locked")

        with pytest.raises(db.BusyError):
            db.retrying(always_busy, attempts=2, pause=0)


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's deadlock detection is what this test exercises",
)
def test_two_writers_in_a_deadlock_on_postgresql_both_get_through(app):
    """Each locks one comment, then waits for the other's: PostgreSQL undoes one."""
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        first, second = make_comment(make_post()), make_comment(make_post())
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts, failures = [], []

    def writer(order):
        def touch_in_order():
            attempts.append(order[0].id)
            for number, comment in enumerate(order):
                Comment.update(modified_at=utcnow()).where(
                    Comment.id == comment.id
                ).execute()
                if number == 0 and len(attempts) <= 2:
                    both_hold_one.wait()

        try:
            with app.app_context():
                db.database.connect(reuse_if_open=True)
                db.retrying(touch_in_order, pause=0.01)
        except Exception as error:  # reported below, from the test's own thread
            failures.append(error)
        finally:
            db.database.close()

    threads = [
        threading.Thread(target=writer, args=(order,))
        for order in ((first, second), (second, first))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    # One of the two ran a second time, after PostgreSQL had undone it.
    assert len(attempts) == 3


@pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL's lock_timeout is what this test exercises"
)
def test_a_row_locked_past_the_lock_timeout_is_answered_busy_on_postgresql(
    app, monkeypatch
):
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        comment = make_comment(make_post())
        # Every connection waits for a row as long as SQLite waits for its lock.
        shown = db.database.execute_sql("SHOW lock_timeout").fetchone()[0]
        assert shown == f"{db.BUSY_SECONDS}s"
    locking = held_elsewhere(
        app,
        db.database.atomic,
        lambda: Comment.select().where(Comment.id == comment.id).for_update().get(),
    )
    try:
        with locking, app.app_context():
            db.database.execute_sql("SET lock_timeout = '100ms'")
            monkeypatch.setattr(db, "BUSY_SECONDS", 0)
            with pytest.raises(db.BusyError):
                db.retrying(
                    lambda: (
                        Comment.update(modified_at=utcnow())
                        .where(Comment.id == comment.id)
                        .execute()
                    )
                )
    finally:
        with app.app_context():
            db.database.execute_sql("RESET lock_timeout")
