"""Fill the moderators' word index (SQLite's FTS5) in batches, not in each insert.

Indexed in its own transaction, one comment cost FTS5 about 250 µs inside the
write lock, since every transaction writes an index segment of its own;
twenty indexed at once cost 15 µs each. A new comment's id now waits in
comment_words_pending until blog.comments.word_index.catch_up() indexes every
waiting comment: after a response once in a while, and before every search.
An edit or a deletion touches the index only for a comment it already holds.
PostgreSQL's trigram index is kept by the database itself: nothing changes there.
"""

from peewee import SqliteDatabase

SEARCHED = "body, author_name, author_email, author_url"
_NEW = ", ".join(f"new.{column}" for column in SEARCHED.split(", "))
_OLD = ", ".join(f"old.{column}" for column in SEARCHED.split(", "))
_WAITING = "EXISTS (SELECT 1 FROM comment_words_pending WHERE id = old.id)"
_INDEX_WAITING = f"""
    INSERT INTO comment_words (rowid, {SEARCHED}) SELECT comment.id, {SEARCHED}
    FROM comment_words_pending JOIN comment ON comment.id = comment_words_pending.id
"""
_DROP = [
    "DROP TRIGGER comment_words_insert",
    "DROP TRIGGER comment_words_delete",
    "DROP TRIGGER comment_words_update",
]

UP = [
    "CREATE TABLE comment_words_pending (id INTEGER NOT NULL PRIMARY KEY)",
    *_DROP,
    """
    CREATE TRIGGER comment_words_insert AFTER INSERT ON comment BEGIN
        INSERT INTO comment_words_pending (id) VALUES (new.id);
    END
    """,
    f"""
    CREATE TRIGGER comment_words_delete AFTER DELETE ON comment BEGIN
        INSERT INTO comment_words (comment_words, rowid, {SEARCHED})
        SELECT 'delete', old.id, {_OLD} WHERE NOT {_WAITING};
        DELETE FROM comment_words_pending WHERE id = old.id;
    END
    """,
    f"""
    CREATE TRIGGER comment_words_update AFTER UPDATE OF {SEARCHED} ON comment
    WHEN NOT {_WAITING}
    BEGIN
        INSERT INTO comment_words (comment_words, rowid, {SEARCHED})
        VALUES ('delete', old.id, {_OLD});
        INSERT INTO comment_words (rowid, {SEARCHED}) VALUES (new.id, {_NEW});
    END
    """,
]

DOWN = [
    _INDEX_WAITING,
    *_DROP,
    "DROP TABLE comment_words_pending",
    f"""
    CREATE TRIGGER comment_words_insert AFTER INSERT ON comment BEGIN
        INSERT INTO comment_words (rowid, {SEARCHED}) VALUES (new.id, {_NEW});
    END
    """,
    f"""
    CREATE TRIGGER comment_words_delete AFTER DELETE ON comment BEGIN
        INSERT INTO comment_words (comment_words, rowid, {SEARCHED})
        VALUES ('delete', old.id, {_OLD});
    END
    """,
    f"""
    CREATE TRIGGER comment_words_update AFTER UPDATE OF {SEARCHED} ON comment
    BEGIN
        INSERT INTO comment_words (comment_words, rowid, {SEARCHED})
        VALUES ('delete', old.id, {_OLD});
        INSERT INTO comment_words (rowid, {SEARCHED}) VALUES (new.id, {_NEW});
    END
    """,
]


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        for statement in UP:
            db.execute_sql(statement)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for statement in DOWN:
            db.execute_sql(statement)
