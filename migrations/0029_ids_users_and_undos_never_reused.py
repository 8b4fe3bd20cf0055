"""User and undo ids are never given twice, on SQLite too (AUTOINCREMENT).

As 0016 did for comments. SQLite gave a deleted user's id to the next user
made after them: the audit log of that id (filtered by object id) told of
both people, and a deleted user's admin page still open in another tab
changed, or deleted, the new user. It gave an undone or expired moderator
action's id to the next one: that Undo button clicked again (another tab,
the Back button) took back the later action instead of saying it was done.
The user ids start past every one the audit log names. PostgreSQL's
sequences never give an id twice: nothing to do there.

0016 started comment ids past those the audit log names only when a comment
was left (SQLite keeps no sequence for an empty table): done here again.

The tables are rebuilt as 0016 rebuilt the comment table, one by one, in the
runner's transaction with foreign keys off, so dropping the old user table
deletes nothing that refers to it (a moderator's undos, their audit entries).
"""

from peewee import SqliteDatabase

PLAIN = '"id" INTEGER NOT NULL PRIMARY KEY,'
AUTOINCREMENT = '"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,'
TABLES = ("user", "moderation_undo")
# The objects the audit log names by a table's ids, deleted ones included.
AUDITED = {"user": "user", "comment": "comment"}


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in TABLES:
            _rebuild(db, table, PLAIN, AUTOINCREMENT)
        for table, object_type in AUDITED.items():
            _past_audited(db, table, object_type)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in TABLES:
            _rebuild(db, table, AUTOINCREMENT, PLAIN)


def _past_audited(db, table: str, object_type: str):
    db.execute_sql(
        "INSERT INTO sqlite_sequence (name, seq) SELECT ?, 0"
        " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
        (table, table),
    )
    db.execute_sql(
        "UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE(("
        " SELECT MAX(object_id) FROM audit_entry WHERE object_type = ?), 0))"
        " WHERE name = ?",
        (object_type, table),
    )


def _rebuild(db, name: str, old: str, new: str):
    if db.execute_sql("PRAGMA foreign_keys").fetchone()[0]:
        # Dropping the table would then delete every row that refers to it.
        raise RuntimeError("run by the migration runner, with foreign keys off")
    (table,) = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    if old not in table:
        raise RuntimeError(f"{name} table not as expected: {table}")
    attached = [
        sql
        for (sql,) in db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ?"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            (name,),
        )
    ]
    rebuilt = table.replace(old, new).replace(
        f'CREATE TABLE "{name}"', f'CREATE TABLE "{name}_rebuilt"', 1
    )
    db.execute_sql(rebuilt)
    db.execute_sql(f'INSERT INTO "{name}_rebuilt" SELECT * FROM "{name}"')
    db.execute_sql(f'DROP TABLE "{name}"')
    db.execute_sql(f'ALTER TABLE "{name}_rebuilt" RENAME TO "{name}"')
    for sql in attached:
        db.execute_sql(sql)
    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken}")
