import datetime
from types import SimpleNamespace

import pytest

from blog.comment_models import CommentStatus
from blog.comments import moderation
from blog.comments.spam import Outcome, Verdict

from .conftest import NOW, default_settings

PASS = Verdict("links", Outcome.PASS, "no links")
HOLD = Verdict("links", Outcome.HOLD, "3 links")
SPAM = Verdict("honeypot", Outcome.SPAM, "decoy filled")


@pytest.mark.parametrize(
    ("verdicts", "status"),
    [
        ([], CommentStatus.APPROVED),
        ([PASS], CommentStatus.APPROVED),
        ([PASS, HOLD], CommentStatus.PENDING),
        ([HOLD, SPAM, PASS], CommentStatus.SPAM),
        ([SPAM], CommentStatus.SPAM),
    ],
)
def test_the_strongest_verdict_decides(verdicts, status, settings):
    found, policy = moderation.decide(verdicts, settings, known_commenter=False)
    assert found is status
    assert policy.check == "policy"
    assert policy.reason


def test_hold_all_holds_what_passed():
    found, policy = moderation.decide([PASS], default_settings(hold_all=True), True)
    assert found is CommentStatus.PENDING
    assert policy.outcome is Outcome.HOLD
    assert "every comment is held" in policy.reason


def test_hold_all_does_not_rescue_spam():
    found, _ = moderation.decide([SPAM], default_settings(hold_all=True), True)
    assert found is CommentStatus.SPAM


@pytest.mark.parametrize(
    ("known", "status"),
    [(True, CommentStatus.APPROVED), (False, CommentStatus.PENDING)],
)
def test_require_approved_before(known, status):
    values = default_settings(require_approved_before=True)
    found, policy = moderation.decide([PASS], values, known_commenter=known)
    assert found is status
    if not known:
        assert "first comment" in policy.reason


def test_a_known_commenter_is_still_held_by_a_check():
    values = default_settings(require_approved_before=True)
    found, _ = moderation.decide([HOLD], values, known_commenter=True)
    assert found is CommentStatus.PENDING


def _post(days_old, comments_open=True):
    return SimpleNamespace(
        comments_open=comments_open, date=NOW - datetime.timedelta(days=days_old)
    )


@pytest.mark.parametrize(
    ("post", "close_after", "closed"),
    [
        (_post(1000), 0, False),
        (_post(10, comments_open=False), 0, True),
        (_post(29), 30, False),
        (_post(31), 30, True),
        (_post(31, comments_open=False), 30, True),
    ],
)
def test_is_closed(post, close_after, closed):
    values = default_settings(close_after_days=close_after)
    assert moderation.is_closed(post, values, NOW) is closed


def test_the_site_switch_closes_every_post():
    values = default_settings(comments_enabled=False)
    assert moderation.is_closed(_post(0), values, NOW) is True


def test_spam_score_is_the_classifier_probability():
    verdicts = [
        PASS,
        Verdict("classifier", Outcome.PASS, "p=0.00", score=0.0),
        Verdict("form_age", Outcome.PASS, "age", score=30.0),
    ]
    assert moderation.spam_score(verdicts) == 0.0
    assert moderation.spam_score([PASS]) is None
