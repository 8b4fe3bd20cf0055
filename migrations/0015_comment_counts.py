"""Each post's approved comments and threads, counted by triggers as they change.

Counting them read every approved comment of the post from an index: on a
post with 4,000 comments, 0.25 ms for every comment sent (to find its page)
and every page shown. The count is kept in the transaction that changes a
comment, so it is exact whatever writes it: the pipeline, moderators, the
import, or a reply left at the top level when its parent is deleted.
"""

from peewee import PostgresqlDatabase

# A comment counts as (approved, threads): (1, 1) at the top level, (1, 0) as a
# reply, nothing unless approved. The post is checked because deleting a post
# deletes its comments, and the replies among them are first moved to the top.
_SQLITE_ADD = """
    INSERT INTO comment_count (post_id, approved, threads)
    SELECT new.post_id, 1, new.parent_id IS NULL
    WHERE new.status = 'approved' AND EXISTS (SELECT 1 FROM post WHERE id = new.post_id)
    ON CONFLICT (post_id) DO UPDATE
    SET approved = approved + 1, threads = threads + excluded.threads;
"""
_SQLITE_TAKE = """
    UPDATE comment_count SET approved = approved - 1,
        threads = threads - (old.parent_id IS NULL)
    WHERE post_id = old.post_id AND old.status = 'approved';
"""
_CHANGED = (
    "(old.status = 'approved' OR new.status = 'approved') AND ("
    "old.status IS NOT new.status OR old.parent_id IS NOT new.parent_id"
    " OR old.post_id IS NOT new.post_id)"
)
CREATE = """
    CREATE TABLE comment_count (
        post_id INTEGER NOT NULL PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE,
        approved INTEGER NOT NULL,
        threads INTEGER NOT NULL
    )
"""
FILL = """
    INSERT INTO comment_count (post_id, approved, threads)
    SELECT post_id, COUNT(*), SUM(CASE WHEN parent_id IS NULL THEN 1 ELSE 0 END)
    FROM comment WHERE status = 'approved' GROUP BY post_id
"""
SQLITE_UP = [
    CREATE,
    FILL,
    f"""
    CREATE TRIGGER comment_count_insert AFTER INSERT ON comment BEGIN
        {_SQLITE_ADD}
    END
    """,
    f"""
    CREATE TRIGGER comment_count_delete AFTER DELETE ON comment BEGIN
        {_SQLITE_TAKE}
    END
    """,
    f"""
    CREATE TRIGGER comment_count_update AFTER UPDATE OF status, parent_id, post_id
    ON comment WHEN {_CHANGED} BEGIN
        {_SQLITE_TAKE}
        {_SQLITE_ADD}
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER comment_count_insert",
    "DROP TRIGGER comment_count_delete",
    "DROP TRIGGER comment_count_update",
    "DROP TABLE comment_count",
]
POSTGRES_UP = [
    CREATE,
    FILL,
    """
    CREATE FUNCTION comment_count_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF OLD.status = 'approved' THEN
                UPDATE comment_count SET approved = approved - 1,
                    threads = threads - (OLD.parent_id IS NULL)::integer
                WHERE post_id = OLD.post_id;
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW.status = 'approved' THEN
                INSERT INTO comment_count (post_id, approved, threads)
                SELECT NEW.post_id, 1, (NEW.parent_id IS NULL)::integer
                WHERE EXISTS (SELECT 1 FROM post WHERE id = NEW.post_id)
                ON CONFLICT (post_id) DO UPDATE
                SET approved = comment_count.approved + 1,
                    threads = comment_count.threads + excluded.threads;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER comment_count_insert AFTER INSERT ON comment
    FOR EACH ROW EXECUTE FUNCTION comment_count_change()
    """,
    """
    CREATE TRIGGER comment_count_delete AFTER DELETE ON comment
    FOR EACH ROW EXECUTE FUNCTION comment_count_change()
    """,
    f"""
    CREATE TRIGGER comment_count_update AFTER UPDATE OF status, parent_id, post_id
    ON comment FOR EACH ROW WHEN ({_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")})
    EXECUTE FUNCTION comment_count_change()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER comment_count_insert ON comment",
    "DROP TRIGGER comment_count_delete ON comment",
    "DROP TRIGGER comment_count_update ON comment",
    "DROP FUNCTION comment_count_change()",
    "DROP TABLE comment_count",
]


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        db.execute_sql(statement)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        db.execute_sql(statement)
