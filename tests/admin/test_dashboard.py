import datetime
import re

import pytest

from blog import dashboard
from blog.comments import actions
from blog.models import PostStatus, utcnow
from tests.admin.conftest import make_comment
from tests.factories import make_post
from tests.queries import plan, statements


@pytest.fixture
def post(app):
    return make_post(title="Commented")


def _ago(days=0, hours=0):
    return utcnow() - datetime.timedelta(days=days, hours=hours)


def test_comment_counts_over_7_and_30_days(post):
    make_comment(post, "pending", created_at=_ago(days=1))
    make_comment(post, "approved", created_at=_ago(days=2))
    make_comment(post, "approved", created_at=_ago(days=10))
    make_comment(post, "spam", created_at=_ago(days=20))
    make_comment(post, "spam", created_at=_ago(days=40))
    assert dashboard.comment_counts(7) == {"pending": 1, "approved": 1, "spam": 0}
    assert dashboard.comment_counts(30) == {"pending": 1, "approved": 2, "spam": 1}


def test_oldest_pending_age(post):
    assert dashboard.oldest_pending_age() is None
    now = utcnow()
    make_comment(post, "pending", created_at=now - datetime.timedelta(hours=5))
    make_comment(post, "pending", created_at=now - datetime.timedelta(hours=1))
    make_comment(post, "approved", created_at=now - datetime.timedelta(days=9))
    assert dashboard.oldest_pending_age(now) == datetime.timedelta(hours=5)


def test_post_counts_tell_scheduled_from_published(app):
    make_post()
    make_post(date=utcnow() + datetime.timedelta(days=2))
    make_post(status=PostStatus.DRAFT)
    counts = dashboard.post_counts()
    assert (counts["published"], counts["scheduled"], counts["draft"]) == (1, 1, 1)
    assert counts["trash"] == 0


def test_post_counts_walk_the_status_index_in_order_on_sqlite(own_sqlite):
    """Never every post's row: 5 ms at 10,000 posts, on the dashboard and the
    list of posts."""
    make_post()
    make_post(date=utcnow() + datetime.timedelta(days=2))
    make_post(status=PostStatus.DRAFT)
    with statements() as run:
        counts = dashboard.post_counts()

    assert (counts["published"], counts["scheduled"], counts["draft"]) == (1, 1, 1)
    assert [plan(sql, params) for sql, params in run] == [
        ["SEARCH t1 USING COVERING INDEX post_kind_status_date (kind=?)"]
    ]


def test_spam_filter_quality_from_moderators_decisions(post, users):
    moderator = users["moderator"]
    caught = [make_comment(post, "spam") for _ in range(4)]
    passed = [make_comment(post, "approved") for _ in range(5)]
    held = make_comment(post, "pending")
    make_comment(post, "spam", created_at=_ago(days=45))  # outside the window
    actions.apply("not_spam", [caught[0].id], moderator)  # a false positive
    actions.apply("spam", [passed[0].id], moderator)  # a false negative
    actions.apply("spam", [held.id], moderator)  # held: the filter did its job
    # A staff reply is not the filter's verdict at all.
    limits = {"thread_depth": 5, "max_comment_length": 1000}
    actions.reply(passed[1].id, moderator, "Thanks", "key", limits)
    quality = dashboard.spam_filter_quality(30)
    assert (quality.spam_verdicts, quality.overturned) == (4, 1)
    assert (quality.approved, quality.missed) == (5, 1)
    assert quality.overturned_share == 0.25
    assert quality.missed_share == 0.2


def test_quality_counts_a_moderators_last_word(post, users):
    """A decision taken back is no verdict on the filter, as the classifier
    keeps only a comment's latest label."""
    moderator = users["moderator"]
    passed, caught = make_comment(post, "approved"), make_comment(post, "spam")
    for action in ("spam", "not_spam"):  # marked spam by mistake, then put back
        actions.apply(action, [passed.id], moderator)
    for action in ("not_spam", "spam"):  # let through, then found out after all
        actions.apply(action, [caught.id], moderator)
    quality = dashboard.spam_filter_quality(30)
    assert (quality.approved, quality.missed) == (1, 0)
    assert (quality.spam_verdicts, quality.overturned) == (1, 0)


def test_quality_survives_emptying_the_spam_folder(post, users):
    caught = [make_comment(post, "spam") for _ in range(4)]
    actions.apply("not_spam", [caught[0].id], users["moderator"])
    before = dashboard.spam_filter_quality(30)
    actions.empty_spam(users["moderator"])
    assert dashboard.spam_filter_quality(30) == before


def test_quality_with_no_decisions_yet(app):
    quality = dashboard.spam_filter_quality(30)
    assert quality.overturned_share is None and quality.missed_share is None


def test_dashboard_page_shows_the_figures(browser_for, post, users):
    make_comment(post, "pending", created_at=_ago(days=2, hours=3))
    caught = [make_comment(post, "spam") for _ in range(2)]
    actions.apply("not_spam", [caught[0].id], users["moderator"])
    page = browser_for("moderator").get("/admin/").get_data(as_text=True)
    assert "waiting 2 d 3 h." in page
    overturned = re.search(r'<dd id="overturned">([^<]+)</dd>', page).group(1)
    assert overturned == "50.0% (1 of 2)"
