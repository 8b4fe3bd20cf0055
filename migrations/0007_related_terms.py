"""Stored term counts for related posts, so an update reads no other post's text.

related_term numbers the words; related_counts holds, per post that took part
in the last scoring, the ids and counts of its words as two packed arrays (one
row a post: an update reads every post's counts in one pass). Both start
empty: the first update or recompute after this migration counts every post.
"""

from peewee import BlobField, CharField, ForeignKeyField, Model


def up(migrator, db):
    class Post(Model):
        class Meta:
            database = db
            table_name = "post"

    class RelatedTerm(Model):
        term = CharField(unique=True, max_length=64)

        class Meta:
            database = db
            table_name = "related_term"

    class RelatedCounts(Model):
        post = ForeignKeyField(Post, primary_key=True, on_delete="CASCADE")
        fingerprint = CharField(max_length=32)
        terms = BlobField()
        counts = BlobField()

        class Meta:
            database = db
            table_name = "related_counts"

    db.create_tables([RelatedTerm, RelatedCounts])


def down(migrator, db):
    db.execute_sql("DROP TABLE IF EXISTS related_counts")
    db.execute_sql("DROP TABLE IF EXISTS related_term")
