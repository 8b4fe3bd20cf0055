"""A reply written while the comment above its parent is deleted for good."""

import threading
import time

from blog import db
from blog.comment_models import Comment
from blog.comments import actions, pipeline, store
from tests.comments.conftest import NOW, default_settings
from tests.comments.test_pipeline import SECRET, needs_postgres, submission
from tests.factories import make_comment, make_post


def _waits_for_a_lock(backend: int) -> bool:
    sql = "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s"
    return db.database.execute_sql(sql, [backend]).fetchone()[0] == "Lock"


@needs_postgres
def test_a_reply_stored_during_a_delete_moves_up_with_its_parent(app, monkeypatch):
    """The reply's transaction holds its parent when the moderator deletes the
    comment above: the delete waits for it, and moves it up with its parent."""
    post = make_post(title="Threads")
    top = make_comment(post)
    doomed = make_comment(post, parent=top, status="deleted")  # in the trash
    parent = make_comment(post, parent=doomed)
    stored, release, deleting = threading.Event(), threading.Event(), []
    save = store.save

    def save_then_hold(**values):
        comment = save(**values)
        stored.set()
        assert release.wait(timeout=30)  # the delete runs into this transaction
        return comment

    monkeypatch.setattr(store, "save", save_then_hold)

    def reply():
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            sent = submission(post, comment="A reply.", parent=str(parent.id))
            pipeline.submit(sent, default_settings(check_flood=False), SECRET, NOW)
            db.database.close()

    def delete():
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            deleting.append(
                db.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
            )
            assert stored.wait(timeout=30)
            actions.apply("delete", [doomed.id], None)
            db.database.close()

    workers = [threading.Thread(target=reply), threading.Thread(target=delete)]
    for worker in workers:
        worker.start()
    assert stored.wait(timeout=30)
    while not _waits_for_a_lock(deleting[0]):
        time.sleep(0.01)
    release.set()
    for worker in workers:
        worker.join(timeout=30)
    parent = Comment.get_by_id(parent.id)
    answer = Comment.get(Comment.parent == parent.id)
    assert (parent.depth, parent.thread_id) == (1, top.id)
    assert (answer.depth, answer.thread_id) == (2, top.id)
