"""Account details: user names, display names and email addresses."""

import pytest

from blog import accounts
from blog.models import Role, User
from tests.admin.conftest import PASSWORD


@pytest.mark.parametrize(
    "name",
    [
        "Admin",  # another case of "admin"
        "ADMIN",
        "ａｄｍｉｎ",  # full-width letters, the same name once normalised
        " admin ",
    ],
)
def test_a_name_differing_only_in_case_or_width_is_taken(users, name):
    with pytest.raises(accounts.AccountError, match="is taken"):
        accounts.create_user(name, PASSWORD, Role.EDITOR)
    assert User.select().count() == len(Role)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("аdmin", "alphabets"),  # a Cyrillic "а" in a Latin name
        ("ρaypal", "alphabets"),  # a Greek "ρ"
        ("ada lindqvist", "no spaces"),
        ("ada\u00a0lindqvist", "no spaces"),  # a no-break space
        ("ada\u200blindqvist", "printable"),  # an invisible zero-width space
        ("ada\tl", "no spaces"),
        ("", "1 to 64"),
        ("x" * 65, "1 to 64"),
    ],
)
def test_a_misleading_or_malformed_name_is_refused(app, name, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(name, PASSWORD, Role.EDITOR)
    assert not User.select().exists()


@pytest.mark.parametrize("name", ["josé", "Ада", "日本語", "ada.l-1_x@home"])
def test_names_in_one_alphabet_are_welcome(app, name):
    assert accounts.create_user(name, PASSWORD).username == name


def test_a_full_width_name_is_stored_as_it_reads(app):
    assert accounts.create_user("ｍａｘ", PASSWORD).username == "max"


def test_a_user_signs_in_whatever_the_case_they_type(users, browser_for):
    assert browser_for().login("Editor").status_code == 302


def test_an_exact_name_wins_over_another_case(users, browser_for):
    """Sites from before names were compared without case may have both."""
    User.create(
        username="Editor",
        password_hash=accounts.hasher.hash("the other password"),
        session_token="t",
    )
    assert browser_for().login("editor").status_code == 302
    assert browser_for().login("Editor", "the other password").status_code == 302


@pytest.mark.parametrize(
    "email", ["not an address", "a@b", "two@@example.org", "x@example..org"]
)
def test_a_malformed_email_is_refused(app, email):
    with pytest.raises(accounts.AccountError, match="email address is not valid"):
        accounts.create_user("newbie", PASSWORD, email=email)


def test_an_email_is_stored_normalised_and_may_be_left_empty(app):
    first = accounts.create_user("one", PASSWORD, email=" Ada@EXAMPLE.org ")
    second = accounts.create_user("two", PASSWORD)
    assert (first.email, second.email) == ("Ada@example.org", "")


def test_a_long_display_name_is_refused_not_cut(admin):
    response = admin.post(
        "/admin/users/",
        {"username": "newbie", "role": "editor", "display_name": "N" * 121},
        page="/admin/users/",
    )
    assert response.status_code == 400
    assert "at most 120" in response.get_data(as_text=True)
    assert not User.select().where(User.username == "newbie").exists()


def test_a_malformed_email_in_the_form_is_refused_with_a_message(admin):
    response = admin.post(
        "/admin/users/",
        {"username": "newbie", "role": "editor", "email": "newbie at example"},
        page="/admin/users/",
    )
    assert response.status_code == 400
    assert "email address is not valid" in response.get_data(as_text=True)


def test_a_message_keeps_the_name_as_typed_and_ends_once(admin, users):
    taken = admin.post(
        "/admin/users/", {"username": "Editor", "role": "editor"}, page="/admin/users/"
    )
    assert "The user name &#39;Editor&#39; is taken." in taken.get_data(as_text=True)
    bad = admin.post(
        "/admin/users/",
        {"username": "newbie", "role": "editor", "email": "a@b"},
        page="/admin/users/",
    )
    assert "It should have a period.</p>" in bad.get_data(as_text=True)
