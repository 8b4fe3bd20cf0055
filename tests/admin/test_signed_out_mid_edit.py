"""A writer signed out while editing gets the text back, not a bare error."""

from html import unescape

import pytest

from blog.models import Post
from tests.factories import make_post

TEXT = "An hour of writing, <em>all of it</em> & more."


def _form(token: str) -> dict:
    return {"csrf_token": token, "title": "Draft title", "body": TEXT, "action": "save"}


def test_signed_out_in_another_tab_the_text_comes_back(app, browser_for):
    editor = browser_for("editor")
    post = make_post(title="Before")
    path = f"/admin/posts/{post.id}/"
    token = editor.token(path)
    # Log out elsewhere: the session, and its CSRF token, are gone.
    editor.post("/logout/")
    response = editor.post_raw(path, data=_form(token))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You were signed out" in page
    assert TEXT in unescape(page)
    assert "<em>all of it</em>" not in page
    assert Post.get_by_id(post.id).title == "Before"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost"},
        {"Referer": "http://localhost/admin/posts/new"},
    ],
)
def test_our_own_page_says_so_and_keeps_the_text(app, browser_for, headers):
    editor = browser_for("editor")
    token = editor.token("/admin/posts/new")
    editor.post("/logout/")
    response = editor.post_raw("/admin/posts/new", data=_form(token), headers=headers)
    assert response.status_code == 400
    assert TEXT in unescape(response.get_data(as_text=True))


def test_sessions_ended_by_a_password_change_keep_the_text_too(app, browser_for, users):
    editor = browser_for("editor")
    token = editor.token("/admin/posts/new")
    users["editor"].session_token = "ended elsewhere"
    users["editor"].save()
    response = editor.post_raw("/admin/posts/new", data=_form(token))
    assert response.status_code == 401
    assert TEXT in unescape(response.get_data(as_text=True))
    assert not Post.select().where(Post.title == "Draft title").exists()


def test_a_signed_out_moderators_reply_comes_back(app, browser_for):
    moderator = browser_for("moderator")
    token = moderator.token("/admin/comments/")
    moderator.post("/logout/")
    response = moderator.post_raw(
        "/admin/comments/1/reply", data={"csrf_token": token, "body": TEXT}
    )
    assert response.status_code == 400
    assert TEXT in unescape(response.get_data(as_text=True))


def test_an_empty_form_signed_out_still_goes_to_the_login_page(app, browser_for):
    anonymous = browser_for()
    response = anonymous.post("/admin/posts/new", {"action": "save"}, page="/login/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/?next=/admin/posts/new")


def test_the_settings_form_signed_out_is_not_taken_for_writing(app, browser_for):
    admin = browser_for("admin")
    token = admin.token("/admin/settings/")
    admin.post("/logout/")
    data = {"csrf_token": token, "title": "Field Notes"}
    response = admin.post_raw("/admin/settings/", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your text is kept" not in page
    assert "this page was opened before you last signed in or out" in page


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        # Browsers without Sec-Fetch-Site name the page by Origin or Referer.
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},
        {"Referer": "https://elsewhere.example/login-help.html"},
    ],
)
def test_another_sites_form_gets_no_page_of_its_words(app, browser_for, headers):
    # Its text on our dashboard, beside a sign-in link, would be a phishing page.
    anonymous = browser_for()
    response = anonymous.post_raw(
        "/admin/posts/new",
        data={"title": "Your password has expired", "body": TEXT},
        headers=headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "expired" not in page
    assert TEXT not in unescape(page)
