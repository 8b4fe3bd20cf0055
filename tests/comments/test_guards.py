import datetime

import pytest

from blog.comment_models import CommentStatus
from blog.comments.spam import Outcome, guards
from blog.comments.spam.guards import Attempt, TooManyComments
from blog.comments.validate import ValidationError

from .conftest import NOW, default_settings

SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)


def attempt(**changes) -> Attempt:
    values = {
        "post_id": 1,
        "author_name": "Ada",
        "email_hash": "e-ada",
        "ip_hash": "ip-ada",
        "body": "Hello there.",
        "honeypot": "",
        "form_age": 30.0,
    }
    values.update(changes)
    return Attempt(**values)


@pytest.mark.parametrize(
    ("decoy", "outcome"),
    [
        ("", Outcome.PASS),
        ("   ", Outcome.PASS),
        ("x", Outcome.SPAM),
        ("http://spam.example", Outcome.SPAM),
    ],
)
def test_honeypot(decoy, outcome, settings, history):
    verdict = guards.honeypot(attempt(honeypot=decoy), settings, history, NOW)
    assert verdict.check == "honeypot"
    assert verdict.outcome is outcome


def test_honeypot_switched_off(history):
    off = default_settings(check_honeypot=False)
    assert guards.honeypot(attempt(honeypot="filled"), off, history, NOW) is None


@pytest.mark.parametrize(
    ("age", "outcome"),
    [
        (0.0, Outcome.SPAM),
        (2.9, Outcome.SPAM),
        (3.0, Outcome.PASS),
        (3600.0, Outcome.PASS),
    ],
)
def test_form_age(age, outcome, settings, history):
    verdict = guards.form_age(attempt(form_age=age), settings, history, NOW)
    assert verdict.outcome is outcome
    assert verdict.score == age
    if outcome is Outcome.SPAM:
        assert "minimum 3 s" in verdict.reason


def test_form_age_minimum_is_a_setting(history):
    verdict = guards.form_age(
        attempt(form_age=8.0), default_settings(min_form_seconds=10), history, NOW
    )
    assert verdict.outcome is Outcome.SPAM


def test_form_age_switched_off(history):
    off = default_settings(check_form_age=False)
    assert guards.form_age(attempt(form_age=0.0), off, history, NOW) is None


def test_flood_passes_a_first_comment(settings, history):
    verdict = guards.flood(attempt(), settings, history, NOW)
    assert verdict.outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("who", "ago", "retry"),
    [
        ({"ip_hash": "ip-ada", "email_hash": "e-other"}, 0, 15),
        ({"ip_hash": "ip-other", "email_hash": "e-ada"}, 5, 10),
        ({"ip_hash": "ip-ada", "email_hash": "e-ada"}, 14.2, 1),
    ],
)
def test_flood_refuses_a_second_comment_too_soon(who, ago, retry, settings, history):
    history.add(created_at=NOW - ago * SECOND, **who)
    with pytest.raises(TooManyComments) as caught:
        guards.flood(attempt(), settings, history, NOW)
    assert caught.value.retry_after == retry


def test_flood_lets_a_comment_through_after_the_gap(settings, history):
    history.add(ip_hash="ip-ada", email_hash="e-ada", created_at=NOW - 15 * SECOND)
    assert guards.flood(attempt(), settings, history, NOW).outcome is Outcome.PASS


def test_flood_ignores_other_commenters(settings, history):
    history.add(ip_hash="ip-bob", email_hash="e-bob", created_at=NOW)
    assert guards.flood(attempt(), settings, history, NOW).outcome is Outcome.PASS


def test_flood_does_not_match_an_empty_address(settings, history):
    # Addresses are purged to "" after retention; those rows match nobody.
    history.add(ip_hash="", email_hash="e-bob", created_at=NOW)
    verdict = guards.flood(attempt(ip_hash=""), settings, history, NOW)
    assert verdict.outcome is Outcome.PASS


def test_flood_switched_off(history):
    history.add(ip_hash="ip-ada", created_at=NOW)
    off = default_settings(check_flood=False)
    assert guards.flood(attempt(), off, history, NOW) is None


def test_rate_counts_comments_from_one_address_in_the_window(settings, history):
    for minutes in (9, 7, 5, 3):
        history.add(ip_hash="ip-ada", created_at=NOW - minutes * MINUTE)
    verdict = guards.rate(attempt(), settings, history, NOW)
    assert verdict.outcome is Outcome.PASS
    assert verdict.score == 4.0


def test_rate_refuses_past_the_limit_until_the_window_frees_a_place(settings, history):
    for minutes in (9, 7, 5, 3, 1):
        history.add(ip_hash="ip-ada", created_at=NOW - minutes * MINUTE)
    with pytest.raises(TooManyComments) as caught:
        guards.rate(attempt(), settings, history, NOW)
    # The oldest (9 minutes ago) leaves the 10-minute window in one minute.
    assert caught.value.retry_after == 60


def test_rate_forgets_comments_older_than_the_window(settings, history):
    for minutes in (20, 15, 11, 10.5, 1):
        history.add(ip_hash="ip-ada", created_at=NOW - minutes * MINUTE)
    assert guards.rate(attempt(), settings, history, NOW).outcome is Outcome.PASS


def test_rate_limit_and_window_are_settings(history):
    tight = default_settings(rate_limit=2, rate_window_minutes=60)
    history.add(ip_hash="ip-ada", created_at=NOW - 50 * MINUTE)
    history.add(ip_hash="ip-ada", created_at=NOW - 30 * MINUTE)
    with pytest.raises(TooManyComments) as caught:
        guards.rate(attempt(), tight, history, NOW)
    assert caught.value.retry_after == 10 * 60


def test_rate_switched_off(history):
    for _ in range(10):
        history.add(ip_hash="ip-ada", created_at=NOW)
    assert (
        guards.rate(attempt(), default_settings(check_rate=False), history, NOW) is None
    )


@pytest.mark.parametrize(
    "earlier",
    [
        {"author_name": "Ada", "email_hash": "e-other"},
        {"author_name": "Someone else", "email_hash": "e-ada", "ip_hash": "ip-ada"},
        {"author_name": "Ada", "email_hash": "e-ada", "status": CommentStatus.SPAM},
        {"author_name": "Ada", "email_hash": "e-ada", "status": CommentStatus.PENDING},
    ],
)
def test_duplicate_is_refused_with_a_message(earlier, settings, history):
    history.add(post_id=1, body="Hello there.", **earlier)
    with pytest.raises(ValidationError) as caught:
        guards.duplicate(attempt(), settings, history, NOW)
    assert caught.value.errors == {
        "comment": "You have already posted this comment here."
    }
    assert caught.value.status == 409


@pytest.mark.parametrize(
    "earlier",
    [
        {"post_id": 2, "author_name": "Ada", "email_hash": "e-ada"},
        {"post_id": 1, "author_name": "Bob", "email_hash": "e-bob"},
        # Ada's email from another address: telling it apart would confirm a
        # guess at whose email wrote a shown comment.
        {"post_id": 1, "author_name": "Someone else", "email_hash": "e-ada"},
        {
            "post_id": 1,
            "author_name": "Ada",
            "email_hash": "e-ada",
            "status": CommentStatus.DELETED,
        },
    ],
)
def test_same_text_elsewhere_or_by_others_is_no_duplicate(earlier, settings, history):
    history.add(body="Hello there.", **earlier)
    assert guards.duplicate(attempt(), settings, history, NOW).outcome is Outcome.PASS


def test_duplicate_switched_off(history):
    history.add(author_name="Ada", body="Hello there.")
    off = default_settings(check_duplicate=False)
    assert guards.duplicate(attempt(), off, history, NOW) is None


def test_run_gives_every_verdict_in_order(settings, history):
    verdicts = guards.run(attempt(honeypot="bot"), settings, history, NOW)
    assert [v.check for v in verdicts] == [
        "honeypot",
        "form_age",
        "flood",
        "rate",
        "duplicate",
    ]
    assert [v.outcome for v in verdicts][:2] == [Outcome.SPAM, Outcome.PASS]
    assert all(v.reason for v in verdicts)


def test_run_with_every_guard_off_gives_nothing(history):
    off = default_settings(
        check_honeypot=False,
        check_form_age=False,
        check_flood=False,
        check_rate=False,
        check_duplicate=False,
    )
    assert guards.run(attempt(), off, history, NOW) == []
