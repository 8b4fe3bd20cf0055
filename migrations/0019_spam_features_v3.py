"""Spam filter features version 3: relearn the live model with the new features.

Version 3 adds a token for a link to somebody's own site (features.OWN_SITE).
Counts learned with version 2's tokens would be scored by version 3, so a
database that holds a model gets the shipped default again, plus every
moderator's decision relearned from its comment (blog.comments.spam.
classifier.rebuild), as migration 0008 did for version 2; an empty one is
seeded later by `blog init` as before.
"""


def up(migrator, db):
    from blog.comments.spam import classifier

    if db.execute_sql("SELECT 1 FROM spam_token LIMIT 1").fetchone():
        classifier.rebuild()


def down(migrator, db):
    """Nothing to undo: the model is data, and version 2's code reseeds it."""
