"""Remember what the spam filter learned from moderators, once per comment.

A lesson keeps the label and the tokens that were counted, so that a moderator
changing their mind takes back exactly what was learned. The default model is
loaded into spam_token by `blog init` (classifier.seed_from_default), not
here: a migration that wrote tens of thousands of rows would slow every fresh
database, the test suite's included.
"""

import datetime

from peewee import BooleanField, DateTimeField, ForeignKeyField, Model, TextField


def _utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def up(migrator, db):
    class Comment(Model):
        class Meta:
            database = db
            table_name = "comment"

    class SpamLesson(Model):
        comment = ForeignKeyField(Comment, unique=True, on_delete="CASCADE")
        spam = BooleanField()
        tokens = TextField(default="")
        learned_at = DateTimeField(default=_utcnow)

        class Meta:
            database = db
            table_name = "spam_lesson"

    db.create_tables([SpamLesson])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("spam_lesson"))
