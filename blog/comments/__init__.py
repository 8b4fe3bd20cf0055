"""Reader comments: the "Leave a Reply" form, from raw fields to a stored status.

A comment goes through four steps, each a plain function a test can call
without an app, then one write transaction stores it::

    validate    validate.clean(form) -> Fields, or ValidationError(field -> message)
    privacy     privacy.protect: mask contacts, hash email and address
    spam        spam.content: links, keywords, blocklist, learning classifier;
                spam.guards: decoy field, form age, flood, rate, duplicate
    moderation  moderation.decide(verdicts) -> approved, pending or spam

Privacy comes before the spam checks, not after: the checks, and the
classifier that learns from them, see the masked text and the hashed address,
never the address itself or contacts typed into the comment.

From a view, or a script::

    from blog.comments import Submission, submit

    outcome = submit(
        Submission(post_id=7, form=request_form_pairs, ip="203.0.113.9"),
        settings=current_app.extensions["settings"].all(),
        secret=current_app.config["SECRET_KEY"],
    )
    outcome.status      # Status.APPROVED, Status.PENDING or Status.SPAM
    outcome.comment.id  # the stored row; outcome.replayed if the form was sent twice

submit() raises ValidationError (show the form again with the messages),
PostNotFound (404), CommentsClosed (403) and TooManyComments (429, with
retry_after in seconds). Pending and spam are told apart only in the
moderation queue: the commenter gets the same reply for both.
"""

import importlib

from ..comment_models import CommentStatus as Status
from . import settings  # noqa: F401 - defines the discussion settings

# Loaded on first use: the steps (privacy, store, the spam filter) are imported
# by the admin and the classifier too, and the pipeline imports every step.
_LAZY = {
    "Outcome": ".pipeline",
    "Submission": ".pipeline",
    "submit": ".pipeline",
    "TooManyComments": ".spam.guards",
    "CommentsClosed": ".validate",
    "PostNotFound": ".validate",
    "ValidationError": ".validate",
}

__all__ = ["Status", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name], __name__), name)
