"""A form sent again while a moderator deletes its first copy for good."""

import pytest

from blog import db
from blog.comment_models import Comment
from tests.conftest import POSTGRES_URL
from tests.factories import make_post
from tests.views.test_comments_http import Reader


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="another connection deleting between two statements is what this "
    "test exercises (SQLite's write lock keeps it out of a comment's transaction)",
)
def test_a_resent_form_whose_comment_is_deleted_meanwhile_is_answered(
    app, postgres_schema, monkeypatch
):
    """A reader's double click while a moderator empties the spam folder: the
    second send finds the first comment by its form, which another worker
    deletes just then. The reader gets an answer, not a 500."""
    app.extensions["settings"].set("min_form_seconds", 0)
    post = make_post(title="On caching", body="Cache all the things.")
    reader = Reader(app, "198.51.100.10")
    token = reader.token(post)
    assert reader.comment(post, token=token).status_code == 303
    (first,) = Comment.select()
    moderator = db.connect_url(postgres_schema)  # another worker's connection
    connection = db.database.obj
    execute_sql = connection.execute_sql
    deleted = []

    def deleted_right_after_the_lookup(sql, params=None, *args, **kwargs):
        cursor = execute_sql(sql, params, *args, **kwargs)
        if '"idempotency_key" = ' in sql and not deleted:
            moderator.execute_sql("DELETE FROM comment WHERE id = %s", [first.id])
            moderator.close()
            deleted.append(first.id)
        return cursor

    monkeypatch.setattr(connection, "execute_sql", deleted_right_after_the_lookup)
    response = reader.comment(post, token=token)
    assert deleted and response.status_code == 303
