"""A comment's id is never given to another comment (migration 0016)."""

from playhouse.migrations import Runner

from blog import db
from blog.cli import MIGRATIONS_DIR
from blog.comment_models import Comment, CommentCount, CommentStatus, SpamLesson
from blog.comments import actions, word_index
from blog.models import AuditEntry
from tests.factories import make_comment, make_post

MIGRATION_NAME = "0016_comment_ids_never_reused"


def test_the_newest_comments_id_is_not_given_again_once_deleted(app):
    post = make_post()
    newest = make_comment(post, status=CommentStatus.SPAM)
    actions.empty_spam(None)
    assert make_comment(post).id == newest.id + 1


def schema() -> set:
    """What SQLite keeps of the comment table besides its own definition."""
    return set(
        db.database.execute_sql(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE tbl_name = 'comment' AND type != 'table'"
        ).fetchall()
    )


def rows() -> list:
    return db.database.execute_sql("SELECT * FROM comment ORDER BY id").fetchall()


def test_the_rebuild_keeps_every_row_index_trigger_and_reference(own_sqlite):
    post = make_post()
    top = make_comment(post, body="The migration keeps me.")
    reply = make_comment(post, parent=top)
    SpamLesson.create(comment=reply, spam=False, tokens="[]")
    # A comment deleted before the migration, named in the audit log.
    AuditEntry.create(
        actor="system", action="comment.purge", object_type="comment", object_id=500
    )
    # As `blog migrate` runs it, which turns foreign keys off around it.
    runner = Runner(db.database.obj, directory=str(MIGRATIONS_DIR))
    before_rows, before_schema = rows(), schema()

    # Later migrations are undone first and done again after.
    assert runner.down(MIGRATION_NAME)[-1] == MIGRATION_NAME
    assert (
        "AUTOINCREMENT"
        not in db.database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'comment'"
        ).fetchone()[0]
    )
    assert MIGRATION_NAME in runner.up()

    assert rows() == before_rows and schema() == before_schema
    assert SpamLesson.get().comment_id == reply.id
    assert db.database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    # Past every id the audit log names, and the triggers still count and index.
    added = make_comment(post, body="Indexed after the rebuild.")
    assert added.id == 501
    assert CommentCount.get(CommentCount.post == post.id).approved == 3
    word_index.catch_up()
    found = db.database.execute_sql(
        "SELECT rowid FROM comment_words WHERE comment_words MATCH 'rebuild'"
    ).fetchall()
    assert found == [(added.id,)]
    # Foreign keys still act: deleting the parent frees its reply, and the
    # reply's spam lesson goes with the reply.
    Comment.delete().where(Comment.id == top.id).execute()
    assert Comment.get_by_id(reply.id).parent_id is None
    Comment.delete().where(Comment.id == reply.id).execute()
    assert not SpamLesson.select().exists()
