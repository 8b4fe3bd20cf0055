"""Spam filter features version 5: relearn the live model with the new features.

Version 5 finds a bare domain written right after a Chinese, Japanese or
Korean letter ("请访问shop.pills.ru"), where version 4 found a part of it
("pills.ru"), and no longer starts a domain inside a long run of labels.
The shared corpora hold none, so the shipped default model's counts are
unchanged, but decisions learned from live comments may hold some: the live
model is rebuilt from the default model and every moderator's decision, as
migration 0020 did for version 4.
"""


def up(migrator, db):
    from blog.comments.spam import classifier

    if db.execute_sql("SELECT 1 FROM spam_token LIMIT 1").fetchone():
        classifier.rebuild()


def down(migrator, db):
    """Nothing to undo: the model is data, and version 4's code reseeds it."""
