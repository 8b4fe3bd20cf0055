"""A post's comment count holds only the comments its pages show.

A post page shows the threads whose top-level comment is approved. When a
moderator took an approved comment out (pending, spam, trash) its approved
replies went from the page with it, as in WordPress, yet migration 0015 still
counted them: "5 comments" over three. Now a reply counts while its thread's
top-level comment is approved, so taking that one out or putting it back
moves its approved replies' count with it.

SQLite runs its row triggers at once, each seeing the rows changed before it.
PostgreSQL runs AFTER row triggers once the whole statement is done, so there
the triggers run BEFORE each row changes, and share-lock the thread's top
comment they read: a reply approved while its thread is taken out is counted
by exactly one of the two transactions. A deleted comment's replies are
counted off before the row goes, while they still point at it.
"""

import importlib.util
from pathlib import Path

from peewee import PostgresqlDatabase

_APPROVED = "{row}.status = 'approved'"
# A comment the page shows: approved, and top level or in an approved thread.
_SQLITE_SHOWN = (
    "({row}.status = 'approved' AND ({row}.parent_id IS NULL OR EXISTS ("
    "SELECT 1 FROM comment t WHERE t.id = {row}.thread_id AND t.status = 'approved'"
    ")))"
)
_SQLITE_ADD = f"""
    INSERT INTO comment_count (post_id, approved, threads)
    SELECT new.post_id, {_SQLITE_SHOWN.format(row="new")}, new.parent_id IS NULL
    WHERE new.status = 'approved' AND EXISTS (SELECT 1 FROM post WHERE id = new.post_id)
    ON CONFLICT (post_id) DO UPDATE
    SET approved = approved + excluded.approved, threads = threads + excluded.threads;
"""
_SQLITE_TAKE = f"""
    UPDATE comment_count SET approved = approved - {_SQLITE_SHOWN.format(row="old")},
        threads = threads - (old.parent_id IS NULL)
    WHERE post_id = old.post_id AND old.status = 'approved';
"""
# The approved replies of a thread whose top comment is taken out or put back.
_REPLIES = """
    SELECT post_id, COUNT(*) AS n FROM comment
    WHERE thread_id = {row}.id AND parent_id IS NOT NULL AND status = 'approved'
    GROUP BY post_id
"""


def _sqlite_replies(sign: str, row: str) -> str:
    return f"""
    UPDATE comment_count SET approved = approved {sign} (
        SELECT r.n FROM ({_REPLIES.format(row=row)}) r
        WHERE r.post_id = comment_count.post_id
    )
    WHERE post_id IN (SELECT post_id FROM ({_REPLIES.format(row=row)}))
    AND {_APPROVED.format(row=row)};
    """


_CHANGED = (
    "(old.status = 'approved' OR new.status = 'approved') AND ("
    "old.status IS NOT new.status OR old.parent_id IS NOT new.parent_id"
    " OR old.thread_id IS NOT new.thread_id OR old.post_id IS NOT new.post_id)"
)
_SWITCHED = "(old.status = 'approved') IS NOT (new.status = 'approved')"
FILL = """
    UPDATE comment_count SET approved = (
        SELECT COUNT(*) FROM comment c
        WHERE c.post_id = comment_count.post_id AND c.status = 'approved'
        AND (c.parent_id IS NULL OR EXISTS (
            SELECT 1 FROM comment t WHERE t.id = c.thread_id AND t.status = 'approved'
        ))
    )
"""
SQLITE_UP = [
    "DROP TRIGGER comment_count_insert",
    "DROP TRIGGER comment_count_delete",
    "DROP TRIGGER comment_count_update",
    FILL,
    f"""
    CREATE TRIGGER comment_count_insert AFTER INSERT ON comment BEGIN
        {_SQLITE_ADD}
    END
    """,
    f"""
    CREATE TRIGGER comment_count_delete BEFORE DELETE ON comment BEGIN
        {_SQLITE_TAKE}
        {_sqlite_replies("-", "old")}
    END
    """,
    f"""
    CREATE TRIGGER comment_count_update
    AFTER UPDATE OF status, parent_id, thread_id, post_id
    ON comment WHEN {_CHANGED} BEGIN
        {_SQLITE_TAKE}
        {_SQLITE_ADD}
    END
    """,
    f"""
    CREATE TRIGGER comment_count_thread_switched
    AFTER UPDATE OF status ON comment WHEN {_SWITCHED} BEGIN
        {_sqlite_replies("+", "new")}
        {_sqlite_replies("-", "old")}
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER comment_count_insert",
    "DROP TRIGGER comment_count_delete",
    "DROP TRIGGER comment_count_update",
    "DROP TRIGGER comment_count_thread_switched",
]
# A post's deletion deletes its comments before its count: a count whose post
# is gone must not be written (its foreign key would refuse it).
_POST_KEPT = "EXISTS (SELECT 1 FROM post WHERE id = comment_count.post_id)"
POSTGRES_UP = [
    "DROP TRIGGER comment_count_insert ON comment",
    "DROP TRIGGER comment_count_delete ON comment",
    "DROP TRIGGER comment_count_update ON comment",
    "DROP FUNCTION comment_count_change()",
    FILL,
    """
    CREATE FUNCTION comment_shown(parent integer, thread integer) RETURNS integer AS $$
    BEGIN
        IF parent IS NULL THEN
            RETURN 1;
        END IF;
        PERFORM 1 FROM comment WHERE id = thread AND status = 'approved' FOR SHARE;
        RETURN FOUND::integer;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION comment_count_change() RETURNS trigger AS $$
    DECLARE
        switched integer := 0;
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.status = 'approved' THEN
            UPDATE comment_count
            SET approved = approved - comment_shown(OLD.parent_id, OLD.thread_id),
                threads = threads - (OLD.parent_id IS NULL)::integer
            WHERE post_id = OLD.post_id AND {_POST_KEPT};
            switched := -1;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status = 'approved' THEN
            INSERT INTO comment_count (post_id, approved, threads)
            SELECT NEW.post_id, comment_shown(NEW.parent_id, NEW.thread_id),
                (NEW.parent_id IS NULL)::integer
            WHERE EXISTS (SELECT 1 FROM post WHERE id = NEW.post_id)
            ON CONFLICT (post_id) DO UPDATE
            SET approved = comment_count.approved + excluded.approved,
                threads = comment_count.threads + excluded.threads;
            switched := switched + 1;
        END IF;
        IF TG_OP <> 'INSERT' AND switched <> 0 THEN
            UPDATE comment_count SET approved = comment_count.approved + switched * r.n
            FROM ({_REPLIES.format(row="OLD")}) r
            WHERE comment_count.post_id = r.post_id AND {_POST_KEPT};
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER comment_count_insert BEFORE INSERT ON comment
    FOR EACH ROW EXECUTE FUNCTION comment_count_change()
    """,
    """
    CREATE TRIGGER comment_count_delete BEFORE DELETE ON comment
    FOR EACH ROW EXECUTE FUNCTION comment_count_change()
    """,
    f"""
    CREATE TRIGGER comment_count_update
    BEFORE UPDATE OF status, parent_id, thread_id, post_id
    ON comment FOR EACH ROW WHEN ({_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")})
    EXECUTE FUNCTION comment_count_change()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER comment_count_insert ON comment",
    "DROP TRIGGER comment_count_delete ON comment",
    "DROP TRIGGER comment_count_update ON comment",
    "DROP FUNCTION comment_count_change()",
    "DROP FUNCTION comment_shown(integer, integer)",
]


def _counts_0015():
    """Migration 0015, whose triggers going down puts back: its file as it stands."""
    path = Path(__file__).with_name("0015_comment_counts.py")
    spec = importlib.util.spec_from_file_location("comment_counts_0015", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        db.execute_sql(statement)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    earlier = _counts_0015()
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        db.execute_sql(statement)
    # 0015's own triggers and count, without its CREATE TABLE.
    ups = earlier.POSTGRES_UP if postgres else earlier.SQLITE_UP
    db.execute_sql("DELETE FROM comment_count")
    for statement in ups[1:]:
        db.execute_sql(statement)
