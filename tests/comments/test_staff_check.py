"""The staff check, without an app: a staff member's name or email holds."""

import pytest

from blog.comments.privacy import hash_email
from blog.comments.spam import Outcome
from blog.comments.spam.content import content_verdicts
from blog.comments.spam.staff import NO_STAFF, check_staff, look, staff_of
from tests.comments.conftest import default_settings

KEY = "the site's secret key"
STAFF = staff_of(
    (
        ("jeditor", "Jane Editor", "jane@example.org"),
        ("admin", "", "owner@example.org"),
        ("ivan", "Ivan Moderna", ""),
    ),
    KEY,
)


def verdict(name="Reader", email="reader@example.net", staff=STAFF):
    fields = {"author_name": name, "email_hash": hash_email(email, KEY)}
    return check_staff(fields, staff)


@pytest.mark.parametrize(
    "name, shown",
    [
        ("Jane Editor", "Jane Editor"),
        ("jeditor", "Jane Editor"),
        ("JANE EDITOR", "Jane Editor"),
        ("  jane   editor ", "Jane Editor"),
        ("Jane-Editor", "Jane Editor"),
        ("Jane.Editor", "Jane Editor"),
        ("Jane\u200b Editor", "Jane Editor"),  # a zero-width space
        ("J\u0430ne Editor", "Jane Editor"),  # a Cyrillic "а"
        ("\u0408\u0430n\u0435 \u0415dit\u043er", "Jane Editor"),  # mostly Cyrillic
        ("Jan\u00e9 Editor", "Jane Editor"),  # an accent
        ("\uff2a\uff41\uff4e\uff45 Editor", "Jane Editor"),  # full-width
        ("Jane Edit0r", "Jane Editor"),
        ("Admin", "admin"),
        ("\u0430dmin", "admin"),
        ("Adrnin", "admin"),  # "rn" for "m"
        ("AdmIn", "admin"),
        ("adm1n", "admin"),
        ("lvan Moderna", "Ivan Moderna"),  # a lower-case "L" for the "I"
        ("\u0399van Moderna", "Ivan Moderna"),  # a Greek capital iota
        ("ivan", "Ivan Moderna"),
    ],
)
def test_a_staff_name_or_one_like_it_holds(name, shown):
    found = verdict(name)
    assert (found.check, found.outcome) == ("staff", Outcome.HOLD)
    assert found.reason == f'name of a staff member "{shown}"'


@pytest.mark.parametrize(
    "name",
    ["Reader", "Jane", "Jane Editorial", "Jane Edwards", "Administrator", "ivana"],
)
def test_another_name_passes(name):
    assert verdict(name).outcome == Outcome.PASS


@pytest.mark.parametrize("email", ["jane@example.org", "JANE@Example.org "])
def test_a_staff_email_holds_and_is_never_named(email):
    found = verdict("Someone Else", email)
    assert (found.outcome, found.reason) == (Outcome.HOLD, "email of a staff member")
    assert "example.org" not in found.reason


def test_a_staff_name_and_email_give_both_reasons():
    found = verdict("Jane Editor", "jane@example.org")
    both = 'name of a staff member "Jane Editor", email of a staff member'
    assert found.reason == both


def test_a_staff_member_without_email_matches_no_empty_email():
    found = check_staff({"author_name": "Reader", "email_hash": ""}, STAFF)
    assert found.outcome == Outcome.PASS


def test_an_email_hashed_with_another_key_is_not_known():
    fields = {"author_name": "x", "email_hash": hash_email("jane@example.org", "other")}
    assert check_staff(fields, STAFF).outcome == Outcome.PASS


def test_a_name_of_no_letters_matches_nobody():
    assert look("--- !!") == ""
    assert verdict("--- !!").outcome == Outcome.PASS
    assert staff_of((("x", "", ""),), KEY).names == {"x": "x"}


def test_without_staff_everything_passes():
    assert verdict("Jane Editor", "jane@example.org", NO_STAFF).outcome == Outcome.PASS


def test_content_verdicts_ask_for_staff_only_when_the_check_runs():
    asked = []

    def staff():
        asked.append(1)
        return STAFF

    fields = {"author_name": "Jane Editor", "body": "Hello.", "email_hash": ""}
    off = default_settings(check_staff=False, check_classifier=False)
    off["check_blocklist"] = False
    assert "staff" not in {v.check for v in content_verdicts(fields, off, staff=staff)}
    assert asked == []
    on = {**off, "check_staff": True}
    found = {v.check: v for v in content_verdicts(fields, on, staff=staff)}
    assert found["staff"].outcome == Outcome.HOLD
    assert asked == [1]


def test_content_verdicts_know_no_staff_by_default():
    fields = {"author_name": "admin", "body": "Hello.", "email_hash": ""}
    settings = default_settings(check_classifier=False, check_blocklist=False)
    found = {v.check: v for v in content_verdicts(fields, settings)}
    assert found["staff"].outcome == Outcome.PASS
