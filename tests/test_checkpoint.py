"""The WAL checkpoint the app runs after a response, every CHECKPOINT_EVERY writes.

SQLite only, so these run on their own SQLite database in both passes.
"""

import sqlite3

import pytest

from blog import db
from blog.models import Setting


@pytest.fixture
def sqlite_app(own_sqlite):
    db.checkpoint()  # the count of writes starts afresh
    return own_sqlite


def in_database_file(path, key: str) -> bool:
    """Whether the main file holds the row, the WAL left unread."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as connection:
        found = connection.execute("SELECT 1 FROM setting WHERE key = ?", (key,))
        return found.fetchone() is not None


def write_setting(key: str):
    with db.write_transaction():
        Setting.create(key=key, value='"x"')


def test_a_checkpoint_copies_the_wal_into_the_database_file(sqlite_app):
    _, path = sqlite_app
    write_setting("written")
    assert not in_database_file(path, "written")
    db.checkpoint()
    assert in_database_file(path, "written")


def test_a_checkpoint_is_due_after_enough_writes(sqlite_app):
    for _ in range(db.CHECKPOINT_EVERY - 1):
        write_setting("again")
        Setting.delete().execute()
    assert not db.checkpoint_due()
    write_setting("last")
    assert db.checkpoint_due()
    db.checkpoint()
    assert not db.checkpoint_due()


def test_the_app_checkpoints_once_the_response_is_closed(sqlite_app, monkeypatch):
    app, path = sqlite_app
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 1)
    write_setting("before the request")
    response = app.test_client().get("/robots.txt")
    assert response.status_code == 200
    assert not in_database_file(path, "before the request")
    response.close()
    assert in_database_file(path, "before the request")
    assert not db.checkpoint_due()
