"""A deleted user's or undo's id is never given again (migration 0029).

SQLite gives a new row the largest id in its table plus one, so without
AUTOINCREMENT the newest row's id, once deleted, went to the next row.
"""

import pytest
from playhouse.migrations import Runner

from blog import audit, db
from blog.cli import MIGRATIONS_DIR
from blog.comment_models import Comment, ModerationUndo
from blog.comments import actions, undo
from blog.models import AuditEntry, User
from tests.admin.conftest import PASSWORD, make_comment
from tests.factories import make_post

MIGRATION_NAME = "0029_ids_users_and_undos_never_reused"
TABLES = ("user", "moderation_undo", "comment")


def _create(admin, username: str) -> User:
    form = {"username": username, "password": PASSWORD, "role": "editor"}
    assert admin.post("/admin/users/", form, page="/admin/users/").status_code == 201
    return User.get(User.username == username)


def test_a_deleted_users_id_goes_to_nobody_else(admin):
    gone = _create(admin, "leaving")
    deleted = admin.post(
        f"/admin/users/{gone.id}/delete", {"heir": ""}, page="/admin/users/"
    )
    assert deleted.status_code == 302
    newcomer = _create(admin, "newcomer")
    assert newcomer.id == gone.id + 1
    # The audit log of the deleted user's id tells of them alone.
    told = [entry.detail for entry in audit.history("user", gone.id)]
    assert told == ["leaving", "leaving"]
    # Their delete page, still open in another tab, deletes nobody.
    again = admin.post(
        f"/admin/users/{gone.id}/delete", {"heir": ""}, page="/admin/users/"
    )
    assert again.status_code == 404
    assert User.get_by_id(newcomer.id).username == "newcomer"


def test_an_undo_button_clicked_twice_does_not_undo_the_next_action(app, users):
    post = make_post()
    first, second = make_comment(post), make_comment(post, body="Another one")
    moderator = users["moderator"]
    approved = actions.apply("approve", [first.id], moderator)
    undo.undo(approved.undo_id, moderator)
    actions.apply("spam", [second.id], moderator)
    # The first Undo button again (another tab, the Back button).
    with pytest.raises(undo.UndoError):
        undo.undo(approved.undo_id, moderator)
    assert Comment.get_by_id(second.id).status == "spam"


def _schema() -> set:
    """What SQLite keeps of these tables besides their own definitions."""
    marks = ", ".join("?" * len(TABLES))
    return set(
        db.database.execute_sql(
            "SELECT type, name, sql FROM sqlite_master"
            f" WHERE tbl_name IN ({marks}) AND type != 'table'",
            TABLES,
        ).fetchall()
    )


def _rows() -> list:
    return [
        db.database.execute_sql(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
        for table in TABLES
    ]


def _definition(table: str) -> str:
    return db.database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]


def test_the_rebuild_keeps_every_row_index_and_reference(own_sqlite):
    writer = User.create(username="writer", password_hash="-", session_token="t")
    moderator = User.create(
        username="moderator", password_hash="-", session_token="u", role="moderator"
    )
    kept = ModerationUndo.create(user=moderator, action="approve", steps="[]")
    AuditEntry.create(user=writer, action="post.create", object_type="post")
    # Deleted before the migration, named in the audit log: a user, and a
    # comment of a site that had no comment left when 0016 ran.
    for kind in ("user", "comment"):
        AuditEntry.create(action=f"{kind}.purge", object_type=kind, object_id=500)
    db.database.execute_sql("DELETE FROM sqlite_sequence WHERE name = 'comment'")
    runner = Runner(db.database.obj, directory=str(MIGRATIONS_DIR))
    before_rows, before_schema = _rows(), _schema()

    assert runner.down(MIGRATION_NAME)[-1] == MIGRATION_NAME
    assert "AUTOINCREMENT" not in _definition("user")
    assert "AUTOINCREMENT" not in _definition("moderation_undo")
    assert MIGRATION_NAME in runner.up()

    assert _rows() == before_rows and _schema() == before_schema
    assert db.database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    # Past every id the audit log names, and past every undo kept.
    newcomer = User.create(username="new", password_hash="-", session_token="v")
    assert newcomer.id == 501
    comment = make_comment(make_post(), user=writer)
    assert comment.id == 501
    assert ModerationUndo.create(action="spam", steps="[]").id == kept.id + 1
    # Foreign keys still act: a deleted user's undos go, their name stays.
    moderator.delete_instance()
    assert not ModerationUndo.select().where(ModerationUndo.id == kept.id).exists()
    writer.delete_instance()
    assert Comment.get_by_id(comment.id).user_id is None
    assert AuditEntry.get(AuditEntry.action == "post.create").user_id is None
