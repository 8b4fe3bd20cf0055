"""What every SQLite connection of the app is set to (durable, cheap to write),
and how a writer waits for another's lock."""

import re
import sqlite3
from html import unescape

import pytest
from peewee import OperationalError

from blog import db
from blog.comment_models import Comment
from tests.factories import make_post


def test_a_connection_is_durable_and_keeps_temporary_data_in_memory(own_sqlite):
    pragma = {
        name: db.database.execute_sql(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "temp_store")
    }
    # synchronous 2 is FULL: an acknowledged comment survives a power cut.
    # temp_store 2 is MEMORY: statement journals are no files.
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "temp_store": 2,
    }


class Clock:
    """Stands in for blog.db's time: records the pauses, runs a hook in each."""

    def __init__(self, during_pause=None, step=0.0):
        self.now, self.step, self.pauses = 0.0, step, []
        self.during_pause = during_pause or (lambda: None)

    def monotonic(self):
        self.now += self.step
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.during_pause()


def other_writer(path):
    """A second connection holding the write lock, as another worker would."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO setting (key, value) VALUES ('other', '1')")
    return connection


def busy_timeout() -> int:
    return db.database.execute_sql("PRAGMA busy_timeout").fetchone()[0]


def test_a_writer_waits_for_the_lock_in_short_steps(own_sqlite, monkeypatch):
    _, path = own_sqlite
    other = other_writer(path)
    clock = Clock()
    # The other writer commits during the seventh pause.
    clock.during_pause = lambda: len(clock.pauses) == 7 and other.execute("COMMIT")
    monkeypatch.setattr(db, "time", clock)
    with db.write_transaction():
        db.database.execute_sql("INSERT INTO setting (key, value) VALUES ('ours', '1')")
    assert clock.pauses == [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.002, 0.002]
    rows = db.database.execute_sql(
        "SELECT key FROM setting WHERE key IN ('ours', 'other')"
    )
    assert sorted(key for (key,) in rows) == ["other", "ours"]
    # Statements outside BEGIN IMMEDIATE keep SQLite's own wait.
    assert busy_timeout() == 1000 * db.BUSY_SECONDS


def test_a_writer_gives_up_after_the_busy_timeout(own_sqlite, monkeypatch):
    _, path = own_sqlite
    other = other_writer(path)
    # Each look at the clock moves it on by 60% of the busy timeout.
    clock = Clock(step=0.6 * db.BUSY_SECONDS)
    monkeypatch.setattr(db, "time", clock)
    with pytest.raises(OperationalError, match="locked"):
        with db.write_transaction():
            pass
    assert clock.pauses == [0.0001]
    assert db.database.transaction_depth() == 0
    assert busy_timeout() == 1000 * db.BUSY_SECONDS
    other.execute("ROLLBACK")
    with db.write_transaction():
        db.database.execute_sql("INSERT INTO setting (key, value) VALUES ('ours', '1')")


def test_a_lock_held_past_the_busy_timeout_is_answered_busy_without_retrying(
    own_sqlite, monkeypatch
):
    _, path = own_sqlite
    other = other_writer(path)
    clock = Clock(step=0.6 * db.BUSY_SECONDS)
    monkeypatch.setattr(db, "time", clock)
    with pytest.raises(db.BusyError):
        db.retrying(lambda: None)
    # One wait for the lock, then no retries of the whole transaction.
    assert clock.pauses == [0.0001]
    other.execute("ROLLBACK")


def test_a_comment_sent_while_the_database_is_busy_comes_back_to_send_again(
    own_sqlite, monkeypatch
):
    app, path = own_sqlite
    app.extensions["settings"].set("min_form_seconds", 0)
    post = make_post()
    client = app.test_client()
    page = client.get(post.url).get_data(as_text=True)
    token = unescape(re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1])
    other = other_writer(path)
    monkeypatch.setattr(db, "time", Clock(step=0.6 * db.BUSY_SECONDS))
    response = client.post(
        f"/comments/{post.id}/",
        data={
            "author": "Ada",
            "email": "ada@example.org",
            "comment": "Written while an import ran.",
            "token": token,
            "homepage": "",
        },
    )
    other.execute("ROLLBACK")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.get_data(as_text=True)
    assert "Written while an import ran.</textarea>" in body
    assert "please try again in a moment" in body
    assert Comment.select().count() == 0


def test_a_new_database_and_its_log_are_readable_by_their_owner_alone(tmp_path):
    path = tmp_path / "site" / "blog.sqlite3"
    database = db.connect_url(f"sqlite:///{path}")
    database.connect()
    database.execute_sql("CREATE TABLE t (x)")
    database.execute_sql("INSERT INTO t VALUES (1)")
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.with_name("blog.sqlite3-wal").stat().st_mode & 0o777) == 0o600
    database.close()
    # An existing file keeps the mode its owner gave it.
    path.chmod(0o640)
    db.connect_url(f"sqlite:///{path}").connect()
    assert (path.stat().st_mode & 0o777) == 0o640


def test_the_secret_key_file_is_private_and_kept(tmp_path):
    from blog.config import instance_secret

    key = instance_secret(tmp_path / "instance")
    kept = tmp_path / "instance" / "secret_key"
    assert (kept.stat().st_mode & 0o777) == 0o600
    assert instance_secret(tmp_path / "instance") == key and len(key) == 64
