"""The moderators' word index on SQLite, filled in batches after the writes.

FTS5 indexing one comment in its own transaction cost about 250 µs inside the
write lock: every transaction writes an index segment of its own. Twenty at
once cost 15 µs each. So a new comment's id waits in comment_words_pending
(migrations/0014) and catch_up() indexes every waiting comment in one
transaction: after a response, every db.CHECKPOINT_EVERY writes of a worker,
at the end of an import, and before every search, which therefore still
finds every comment. PostgreSQL's trigram index needs none of this.
"""

from ..db import database, is_sqlite, retrying

SEARCHED = "body, author_name, author_email, author_url"
_WAITING = "SELECT EXISTS (SELECT 1 FROM comment_words_pending)"
_INDEX = (
    f"INSERT INTO comment_words (rowid, {SEARCHED}) SELECT comment.id, {SEARCHED} "
    "FROM comment_words_pending JOIN comment ON comment.id = comment_words_pending.id"
)
_INDEXED = "DELETE FROM comment_words_pending"


def waiting() -> bool:
    return is_sqlite() and bool(database.execute_sql(_WAITING).fetchone()[0])


def catch_up():
    """Index the comments written since the last catch-up, if any."""
    if waiting():
        retrying(_index_waiting)


def _index_waiting():
    database.execute_sql(_INDEX)
    database.execute_sql(_INDEXED)
