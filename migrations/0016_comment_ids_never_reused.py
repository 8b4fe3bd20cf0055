"""Comment ids are never given twice, on SQLite too (AUTOINCREMENT).

SQLite gives a new row the largest id in its table plus one, so deleting the
newest comment (emptying the spam folder, say) handed its id to the next
comment, and whatever named the deleted one by id named the new one: its
author's pending cookie showed them the next reader's comment awaiting
moderation, a permalink led to the other comment, the audit log mixed the
two. With AUTOINCREMENT SQLite keeps the largest id ever given (in
sqlite_sequence), which this migration starts past every comment id the audit
log names, so ids deleted before it are not given again either. PostgreSQL's
sequences never give an id twice: nothing to do there.

SQLite cannot add AUTOINCREMENT to a table, so the table is rebuilt as SQLite
documents ("making other kinds of table schema changes"): a copy, its indexes
and triggers made again from their own SQL, and a foreign key check, in the
runner's transaction. The runner (peewee's SqliteMigrator) turns foreign keys
off before that transaction, so dropping the old table deletes nothing that
refers to it (a comment's spam lesson, a reply's parent).
"""

from peewee import SqliteDatabase

PLAIN = '"id" INTEGER NOT NULL PRIMARY KEY,'
AUTOINCREMENT = '"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,'
PAST_AUDITED = """
    UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((
        SELECT MAX(object_id) FROM audit_entry WHERE object_type = 'comment'
    ), 0))
    WHERE name = 'comment'
"""


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _rebuild(db, PLAIN, AUTOINCREMENT, [PAST_AUDITED])


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        _rebuild(db, AUTOINCREMENT, PLAIN, [])


def _rebuild(db, old: str, new: str, then: list[str]):
    if db.execute_sql("PRAGMA foreign_keys").fetchone()[0]:
        # Dropping the table would then delete every row that refers to it.
        raise RuntimeError("run by the migration runner, with foreign keys off")
    (table,) = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'comment'"
    ).fetchone()
    if old not in table:
        raise RuntimeError(f"comment table not as expected: {table}")
    # Dropped with the table; the FTS5 table's own triggers stay on it.
    attached = [
        sql
        for (sql,) in db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'comment'"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    ]
    rebuilt = table.replace(old, new).replace(
        'CREATE TABLE "comment"', 'CREATE TABLE "comment_rebuilt"', 1
    )
    db.execute_sql(rebuilt)
    db.execute_sql("INSERT INTO comment_rebuilt SELECT * FROM comment")
    db.execute_sql("DROP TABLE comment")
    db.execute_sql("ALTER TABLE comment_rebuilt RENAME TO comment")
    for sql in attached + then:
        db.execute_sql(sql)
    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken}")
