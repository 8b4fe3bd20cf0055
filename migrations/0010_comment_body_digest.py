"""The same-text check finds a body by its digest, not by reading bodies.

It read every comment of the post by the same name or email and compared
the texts: a commenter with two thousand comments on one post made each new
comment of theirs cost 1.5 ms inside the write lock. The (post_id,
author_name) index served only that check and goes.
"""

from peewee import CharField, Model, TextField

_BATCH = 1000


def up(migrator, db):
    from blog.models import text_digest

    class Comment(Model):
        body = TextField()
        body_digest = CharField(max_length=16, default="")

        class Meta:
            database = db
            table_name = "comment"

    # Added in place: peewee's SQLite migrator would rebuild the table for a
    # NOT NULL column, and lose the triggers that feed the moderators' word index.
    db.execute_sql(
        "ALTER TABLE comment ADD COLUMN body_digest VARCHAR(16) NOT NULL DEFAULT ''"
    )
    last = 0
    while rows := list(
        Comment.select(Comment.id, Comment.body)
        .where(Comment.id > last)
        .order_by(Comment.id)
        .limit(_BATCH)
        .tuples()
    ):
        for ident, body in rows:
            Comment.update(body_digest=text_digest(body)).where(
                Comment.id == ident
            ).execute()
        last = rows[-1][0]
    migrator.migrate(
        migrator.add_index("comment", ("post_id", "body_digest"), False),
        migrator.drop_index("comment", "comment_post_id_author_name"),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.add_index("comment", ("post_id", "author_name"), False),
        migrator.drop_index("comment", "comment_post_id_body_digest"),
    )
    db.execute_sql("ALTER TABLE comment DROP COLUMN body_digest")
