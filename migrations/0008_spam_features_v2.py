"""Spam filter features version 2: relearn the live model with the new features.

Counts learned with version 1's tokens and weights would be scored by
version 2. A database that holds a model gets the shipped default again, plus
every moderator's decision relearned from its comment (blog.comments.spam.
classifier.rebuild); an empty one is seeded later by `blog init` as before.
"""


def up(migrator, db):
    from blog.comments.spam import classifier

    if db.execute_sql("SELECT 1 FROM spam_token LIMIT 1").fetchone():
        classifier.rebuild()


def down(migrator, db):
    """Nothing to undo: the model is data, and version 1's code reseeds it."""
