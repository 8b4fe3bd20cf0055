"""Step 4: the site's policy turns the checks' verdicts into a status.

Policy apart from mechanism: the checks only say what they found (pass, hold
or spam, with a reason); this module alone decides, from the discussion
settings, whether a comment shows at once, waits in the moderation queue or
goes to the spam folder, and whether a post still takes comments.
"""

import datetime
from collections.abc import Iterable, Mapping

from ..comment_models import CommentStatus
from .spam import Outcome, Verdict, strongest

_STATUS = {
    Outcome.SPAM: CommentStatus.SPAM,
    Outcome.HOLD: CommentStatus.PENDING,
    Outcome.PASS: CommentStatus.APPROVED,
}


def is_closed(post, settings: Mapping, now: datetime.datetime) -> bool:
    """Whether a post no longer takes comments: by the site's switch, its own
    or its age."""
    if not (settings["comments_enabled"] and post.comments_open):
        return True
    days = settings["close_after_days"]
    return bool(days) and now - post.date > datetime.timedelta(days=days)


def decide(
    verdicts: Iterable[Verdict], settings: Mapping, known_commenter: bool
) -> tuple[CommentStatus, Verdict]:
    """The status of a new comment, and the policy's own verdict explaining it."""
    found = strongest(verdicts)
    if found is not Outcome.PASS:
        status = _STATUS[found]
        reason = f"a check found {found.value}: {status.value}"
    elif settings["hold_all"]:
        status, reason = CommentStatus.PENDING, "every comment is held for moderation"
    elif settings["require_approved_before"] and not known_commenter:
        status = CommentStatus.PENDING
        reason = "first comment under this name and email: held until one is approved"
    else:
        status, reason = CommentStatus.APPROVED, "every check passed"
    return status, Verdict("policy", _outcome(status), reason)


def _outcome(status: CommentStatus) -> Outcome:
    return {CommentStatus.SPAM: Outcome.SPAM, CommentStatus.PENDING: Outcome.HOLD}.get(
        status, Outcome.PASS
    )


def spam_score(verdicts: Iterable[Verdict]) -> float | None:
    """The classifier's probability, when it ran."""
    scores = [
        v.score for v in verdicts if v.check == "classifier" and v.score is not None
    ]
    return max(scores) if scores else None
