"""What a moderator's last actions changed, so a wrong click can be undone."""

from peewee import CharField, DateTimeField, ForeignKeyField, Model, TextField


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class ModerationUndo(Model):
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        action = CharField(max_length=20)
        steps = TextField()
        created_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "moderation_undo"

    db.create_tables([ModerationUndo])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("moderation_undo"))
