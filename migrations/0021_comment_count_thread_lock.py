"""Comment counts on PostgreSQL: a reply's trigger locks its thread's top
comment whatever that comment's status.

Migration 0018's comment_shown() share-locked the top comment only when it
was approved: FOR SHARE locks the rows its WHERE keeps, and the row it read
was the last committed one. A reply approved while a moderator put its thread
back (spam to approved) therefore locked nothing, read the thread as spam
and counted nothing, while the moderator's transaction, not seeing the
uncommitted approval, counted no reply either: the post showed one comment
more than its heading said. Locked whatever its status, the top comment's
change and the reply's wait for each other, and the later reads the
earlier's outcome. SQLite has one writer at a time: nothing changes there.
"""

from peewee import PostgresqlDatabase

LOCKING = """
    CREATE OR REPLACE FUNCTION comment_shown(parent integer, thread integer)
    RETURNS integer AS $$
    DECLARE
        top_status text;
    BEGIN
        IF parent IS NULL THEN
            RETURN 1;
        END IF;
        SELECT status INTO top_status FROM comment WHERE id = thread FOR SHARE;
        RETURN (FOUND AND top_status = 'approved')::integer;
    END
    $$ LANGUAGE plpgsql
"""
# Migration 0018's function, as it was.
APPROVED_ONLY = """
    CREATE OR REPLACE FUNCTION comment_shown(parent integer, thread integer)
    RETURNS integer AS $$
    BEGIN
        IF parent IS NULL THEN
            RETURN 1;
        END IF;
        PERFORM 1 FROM comment WHERE id = thread AND status = 'approved' FOR SHARE;
        RETURN FOUND::integer;
    END
    $$ LANGUAGE plpgsql
"""


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(LOCKING)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(APPROVED_ONLY)
