"""WordPress IDs on imported posts, terms and comments, so a re-import finds them.

Nullable and unique: rows made here have none, each imported row has its own.
"""

from peewee import BigIntegerField

TABLES = ("post", "tag", "category", "comment")


def up(migrator, db):
    for table in TABLES:
        migrator.migrate(
            migrator.add_column(table, "wp_id", BigIntegerField(null=True, unique=True))
        )


def down(migrator, db):
    for table in reversed(TABLES):
        migrator.migrate(migrator.drop_index(table, f"{table}_wp_id"))
        migrator.migrate(migrator.drop_column(table, "wp_id"))
