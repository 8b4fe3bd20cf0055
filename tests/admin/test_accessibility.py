"""Accessibility and validity of the dashboard's pages, forms with errors too."""

import io

import pytest

from tests import html_checks
from tests.factories import make_comment, make_post
from tests.test_accessibility import CHECKS


@pytest.fixture
def admin(browser_for):
    return browser_for("admin")


@pytest.fixture
def comment(app):
    post = make_post(title="On caching", body="Some `code` and text.")
    first = make_comment(post, body="Look:\n\n    a code block", status="pending")
    make_comment(post, body="A reply.", parent=first)
    return first


def dashboard_pages(admin, comment, browser_for):
    post = comment.post
    queue = f"/admin/comments/{comment.id}/"
    sent = {
        "login error": browser_for().login("admin", "wrong password"),
        "editor errors": admin.post(
            "/admin/posts/new",
            {"title": "", "date": "not a date", "action": "save"},
            page="/admin/posts/new",
        ),
        "settings errors": admin.post(
            "/admin/settings/", {"posts_per_page": "-5"}, page="/admin/settings/"
        ),
        "users error": admin.post(
            "/admin/users/", {"username": "", "role": "editor"}, page="/admin/users/"
        ),
        "account errors": admin.post(
            "/admin/account/",
            {"current": "wrong", "new": "a new password"},
            page="/admin/account/",
        ),
        "comment edit error": admin.post(f"{queue}edit", {"body": ""}, page=queue),
    }
    for name, response in sent.items():
        assert response.status_code >= 400, name
    shown = {"/login/": browser_for().get("/login/")}
    shown |= {
        path: admin.get(path)
        for path in (
            "/admin/",
            "/admin/comments/",
            "/admin/comments/?status=approved",
            "/admin/comments/?status=spam",
            queue,
            "/admin/posts/",
            "/admin/posts/new",
            f"/admin/posts/{post.id}/",
            "/admin/pages/",
            "/admin/media/",
            "/admin/settings/",
            "/admin/users/",
            "/admin/account/",
            "/admin/privacy/",
            "/admin/audit/",
        )
    }
    for path, response in shown.items():
        assert response.status_code == 200, path
    return {
        name: response.get_data(as_text=True)
        for name, response in {**shown, **sent}.items()
    }


@pytest.fixture
def pages(admin, comment, browser_for):
    return dashboard_pages(admin, comment, browser_for)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_dashboard_pages_pass(pages, check):
    problems = {name: check(html) for name, html in pages.items()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_field_errors_are_tied_to_their_fields(pages):
    for name in ("editor errors", "account errors"):
        html = pages[name]
        assert 'aria-invalid="true"' in html, name
        assert html_checks.broken_references(html) == [], name


def test_the_preview_lets_a_keyboard_scroll_code(admin):
    response = admin.post(
        "/admin/preview",
        {"body": "```\nprint('a long line')\n```\n\n| a |\n| - |\n| b |\n"},
        page="/admin/posts/new",
    )
    html = response.get_data(as_text=True)
    assert '<pre tabindex="0">' in html and '<table tabindex="0">' in html


@pytest.mark.parametrize(
    "sent, field, described",
    [
        ({"username": ""}, "new-username", "new-user-error"),
        ({"username": "admin", "role": "moderator"}, "new-username", "new-user-error"),
        (
            {"username": "newbie", "email": "not-an-email"},
            "new-email",
            "new-user-error",
        ),
        ({"username": "аdmin"}, "new-username", "new-user-error"),
        (
            {"username": "newbie", "password": "short"},
            "new-password",
            "new-password-help new-user-error",
        ),
    ],
)
def test_a_refused_new_user_points_at_the_field(admin, sent, field, described):
    response = admin.post(
        "/admin/users/", {"role": "editor"} | sent, page="/admin/users/"
    )
    assert response.status_code == 400
    tree = html_checks.parse(response.get_data(as_text=True))
    (form,) = tree.iterfind(".//form[@class='new-user']")
    (error,) = form.iterfind(".//*[@id='new-user-error']")
    assert error.get("role") == "alert"
    (control,) = form.iterfind(f".//input[@id='{field}']")
    assert control.get("aria-invalid") == "true"
    assert control.get("aria-describedby") == described
    others = [c for c in form.iter("input") if c is not control]
    assert all(c.get("aria-invalid") is None for c in others)
    # What was typed is kept for the second try.
    (role,) = form.iterfind(".//select[@id='new-role']/option[@selected]")
    assert role.text == sent.get("role", "editor")


@pytest.mark.parametrize(
    "action, sent, field, kept",
    [
        ("export", {"email": "not an email"}, "export-email", "not an email"),
        ("erase", {"email": "x", "confirm": "on"}, "erase-email", "x"),
        ("erase", {"email": "ada@example.org"}, "erase-confirm", "ada@example.org"),
    ],
)
def test_a_refused_privacy_request_points_at_the_field(
    admin, action, sent, field, kept
):
    response = admin.post(f"/admin/privacy/{action}", sent, page="/admin/privacy/")
    assert response.status_code == 400
    tree = html_checks.parse(response.get_data(as_text=True))
    (form,) = tree.iterfind(f".//form[@action='/admin/privacy/{action}']")
    (error,) = form.iterfind(f".//*[@id='{action}-error']")
    assert error.get("role") == "alert"
    (control,) = form.iterfind(f".//input[@id='{field}']")
    assert control.get("aria-invalid") == "true"
    assert control.get("aria-describedby") == f"{action}-error"
    (email,) = form.iterfind(f".//input[@id='{action}-email']")
    assert email.get("value") == kept


def test_a_refused_upload_points_at_the_file_field(app, admin):
    upload = {"file": (io.BytesIO(b"plain text"), "notes.txt")}
    response = admin.post(
        "/admin/media/",
        upload,
        page="/admin/media/",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    tree = html_checks.parse(response.get_data(as_text=True))
    (form,) = tree.iterfind(".//form[@class='upload']")
    (error,) = form.iterfind(".//*[@id='upload-error']")
    assert error.get("role") == "alert"
    (control,) = form.iterfind(".//input[@id='file']")
    assert control.get("aria-invalid") == "true"
    assert control.get("aria-describedby") == "file-help upload-error"


def test_a_refused_password_reset_points_at_its_row(admin, users):
    editor = users["editor"]
    response = admin.post(
        f"/admin/users/{editor.id}/password",
        {"password": "short"},
        page="/admin/users/",
    )
    assert response.status_code == 400
    tree = html_checks.parse(response.get_data(as_text=True))
    (control,) = tree.iterfind(f".//input[@id='pw-{editor.id}']")
    assert control.get("aria-invalid") == "true"
    (error,) = tree.iterfind(f".//*[@id='{control.get('aria-describedby')}']")
    assert "at least 10 characters" in error.text
    others = [c for c in tree.iter("input") if c.get("aria-invalid")]
    assert others == [control]
