"""Users can be disabled, and the users page shows when each last signed in.

A contributor who leaves or whose password leaked had to be deleted, or had
their password changed by hand, to keep them out. A disabled user keeps their
account (posts and comments still show their name) but cannot sign in.
"""

from peewee import DateTimeField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("user", "disabled_at", DateTimeField(null=True)),
        migrator.add_column("user", "last_login_at", DateTimeField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("user", "last_login_at"),
        migrator.drop_column("user", "disabled_at"),
    )
