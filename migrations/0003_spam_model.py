"""Remember what the spam filter learned from moderators, once per comment."""

from peewee import BooleanField, ForeignKeyField, Model


def up(migrator, db):
    class Comment(Model):
        class Meta:
            database = db
            table_name = "comment"

    class SpamLesson(Model):
        comment = ForeignKeyField(Comment, unique=True, on_delete="CASCADE")
        spam = BooleanField()

        class Meta:
            database = db
            table_name = "spam_lesson"

    db.create_tables([SpamLesson])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("spam_lesson"))
