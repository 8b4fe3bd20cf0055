"""The WordPress IDs of imported comments a privacy erase deleted.

Every imported row keeps its WordPress ID so that importing the same file
again changes nothing; a comment erased for good left no row, so the next
import brought it back with the person's name, email and address.
"""

from peewee import BigIntegerField, Model


def up(migrator, db):
    class ErasedComment(Model):
        wp_id = BigIntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "erased_comment"

    db.create_tables([ErasedComment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("erased_comment"))
