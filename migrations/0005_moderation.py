"""Moderation: a comment's status before the trash, and what the queue needs.

The queue lists one status newest first (status, created_at, id) and searches
the text, author, email, website and address prefix of 100,000 comments
without reading every row: on SQLite through an FTS5 word index kept by
triggers and an index of address prefixes, on PostgreSQL through one pg_trgm
index over all those fields. The audit log is read per object, for a
comment's history and the spam filter's quality.
"""

from peewee import CharField, PostgresqlDatabase, SqliteDatabase

SEARCHED = "body, author_name, author_email, author_url"
_NEW = ", ".join(f"new.{column}" for column in SEARCHED.split(", "))
_OLD = ", ".join(f"old.{column}" for column in SEARCHED.split(", "))

SQLITE_UP = [
    f"""
    CREATE VIRTUAL TABLE comment_words USING fts5(
        {SEARCHED}, content='comment', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
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
    "INSERT INTO comment_words (comment_words) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS comment_words_insert",
    "DROP TRIGGER IF EXISTS comment_words_delete",
    "DROP TRIGGER IF EXISTS comment_words_update",
    "DROP TABLE IF EXISTS comment_words",
]
# blog/comments/queue.py searches this very expression.
POSTGRES_DOCUMENT = (
    "(body || ' ' || author_name || ' ' || author_email || ' ' || author_url"
    " || ' ' || ip_prefix)"
)
POSTGRES_UP = [
    # IF NOT EXISTS does not hold against a concurrent creator: two schemas of one
    # database migrated at once (test workers on a fresh server) wait here in turn.
    "SELECT pg_advisory_xact_lock(hashtext('blog: CREATE EXTENSION pg_trgm'))",
    # In public, not in the schema of the moment: an extension is per database.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
    f"CREATE INDEX comment_words ON comment USING gin "
    f"({POSTGRES_DOCUMENT} public.gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS comment_words"]


def up(migrator, db):
    migrator.migrate(
        migrator.add_column(
            "comment", "previous_status", CharField(max_length=10, default="")
        ),
        migrator.add_index("comment", ("status", "created_at", "id"), False),
        migrator.add_index("comment", ("ip_prefix",), False),
        migrator.add_index("audit_entry", ("object_type", "object_id"), False),
    )
    for statement in _statements(db, SQLITE_UP, POSTGRES_UP):
        db.execute_sql(statement)


def down(migrator, db):
    for statement in _statements(db, SQLITE_DOWN, POSTGRES_DOWN):
        db.execute_sql(statement)
    migrator.migrate(
        migrator.drop_index("audit_entry", "audit_entry_object_type_object_id"),
        migrator.drop_index("comment", "comment_ip_prefix"),
        migrator.drop_index("comment", "comment_status_created_at_id"),
        migrator.drop_column("comment", "previous_status"),
    )


def _statements(db, sqlite: list[str], postgres: list[str]) -> list[str]:
    if isinstance(db, SqliteDatabase):
        return sqlite
    if isinstance(db, PostgresqlDatabase):
        return postgres
    raise TypeError(f"no comment search for {type(db).__name__}")
