"""Each post's Atom id kept as feed readers have seen it.

Ids were made from the post's address (its UTC day and slug), so a new slug
or date gave the post a new id and feed readers showed it again as new. Posts
from before keep the id they had, written down here; later posts take theirs
from their database id (blog.feeds.entry_id).
"""

from urllib.parse import quote

from peewee import CharField, DateTimeField, Model, TextField

_BATCH = 1000
# As blog.feeds quoted the address into the id when this migration was written.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def up(migrator, db):
    class Post(Model):
        slug = CharField()
        date = DateTimeField()
        feed_id = TextField(null=True)

        class Meta:
            database = db
            table_name = "post"

    db.execute_sql("ALTER TABLE post ADD COLUMN feed_id TEXT")
    last = 0
    while rows := list(
        Post.select(Post.id, Post.date, Post.slug)
        .where(Post.id > last)
        .order_by(Post.id)
        .limit(_BATCH)
    ):
        for row in rows:
            path = quote(f"/{row.date:%Y/%m/%d}/{row.slug}/", safe=_URL_SAFE)
            Post.update(feed_id=f"{row.date:%Y-%m-%d}:{path}").where(
                Post.id == row.id
            ).execute()
        last = rows[-1].id


def down(migrator, db):
    db.execute_sql("ALTER TABLE post DROP COLUMN feed_id")
