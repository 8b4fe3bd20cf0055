"""Forgetting addresses past retention: nothing else may keep them longer."""

import datetime

import pytest

from blog import accounts, auth
from blog.comment_models import CommentStatus, ModerationUndo
from blog.comments import actions, retention
from blog.models import LoginAttempt, Role, utcnow
from tests.factories import make_comment, make_post

AGO = datetime.timedelta
KEEP = AGO(days=30)


@pytest.fixture
def moderator(app):
    return accounts.create_user("mod", "correct horse battery", Role.MODERATOR)


def test_an_undo_holding_an_address_goes_with_the_addresses(app, moderator):
    """A site where readers comment but nobody moderates for a month forgets
    addresses on each new comment: the spam mark's undo must go too."""
    spam = make_comment(
        make_post(), status=CommentStatus.PENDING, ip_prefix="81.2.69.0/24"
    )
    actions.apply("spam", [spam.id], moderator)
    assert spam.ip_hash in ModerationUndo.get().steps
    retention.forget_old_addresses(utcnow() + AGO(days=31), KEEP)
    assert not ModerationUndo.select().exists()


def test_a_failed_sign_in_is_not_kept_past_the_address_retention(app):
    keys = auth.attempt_keys("nobody", "81.2.69.160")
    auth.record_failure(keys, utcnow())
    retention.forget_old_addresses(utcnow() + AGO(days=31), KEEP)
    assert not LoginAttempt.select().exists()


def test_a_failed_sign_in_counts_its_whole_window_however_short_the_retention(app):
    """ip_retention_days 0 keeps addresses a minute or so: the sign-in limit
    still counts failures for its fifteen minutes."""
    keys = auth.attempt_keys("nobody", "81.2.69.160")
    auth.record_failure(keys, utcnow())
    retention.forget_old_addresses(utcnow() + AGO(minutes=10), AGO(minutes=1))
    assert LoginAttempt.select().count() == len(keys)
