"""Spam filter features version 4: relearn the live model with the new features.

Version 4 reads a Markdown autolink (<http://...>) as the link readers see;
version 3 stripped it as if it were an HTML tag, so such a link gave the
classifier no token at all. The shared corpora hold none, so the shipped
default model's counts are unchanged, but decisions learned from live
comments may hold some: the live model is rebuilt from the default model
and every moderator's decision, as migration 0019 did for version 3.
"""


def up(migrator, db):
    from blog.comments.spam import classifier

    if db.execute_sql("SELECT 1 FROM spam_token LIMIT 1").fetchone():
        classifier.rebuild()


def down(migrator, db):
    """Nothing to undo: the model is data, and version 3's code reseeds it."""
