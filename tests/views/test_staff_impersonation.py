"""A reader's comment under a staff member's name or email, over HTTP.

Readers cannot tell a staff member's comment by anything but its name, so a
comment sent from the public form under a user's name (or a look-alike of
it) or email waits for a moderator, who reads why in the queue.
"""

import re

import pytest
from flask_login.utils import encode_cookie

from blog import accounts
from blog.comment_models import Comment, CommentStatus
from blog.models import Role
from tests.admin.conftest import Browser
from tests.factories import make_post, make_staff_reply
from tests.queries import statements
from tests.views.test_comments_http import Reader

PASSWORD = "a long enough password"


@pytest.fixture
def post(app):
    settings = app.extensions["settings"]
    settings.set("min_form_seconds", 0)
    settings.set("check_flood", False)
    return make_post(title="On caching", body="Cache all the things.")


@pytest.fixture
def staff(app):
    editor = accounts.create_user(
        "jeditor",
        PASSWORD,
        Role.EDITOR,
        display_name="Jane Editor",
        email="jane@example.org",
    )
    accounts.create_user("moderator", PASSWORD, Role.MODERATOR)
    return editor


def newest() -> Comment:
    return Comment.select().order_by(Comment.id.desc()).first()


@pytest.mark.parametrize(
    "author, email",
    [
        ("Jane Editor", "someone@example.net"),
        ("jeditor", "someone@example.net"),
        ("  JANE   editor ", "someone@example.net"),
        ("J\u0430ne Editor", "someone@example.net"),  # a Cyrillic "а"
        ("Someone Else", "Jane@Example.org"),
    ],
)
def test_a_comment_under_a_staff_name_or_email_waits(app, post, staff, author, email):
    response = Reader(app, "203.0.113.7").comment(post, author=author, email=email)
    assert response.status_code == 303
    assert newest().status == CommentStatus.PENDING


def test_the_queue_says_whose_name_and_never_shows_the_email(app, post, staff):
    Reader(app, "203.0.113.7").comment(
        post, author="jane editor", email="jane@example.org"
    )
    moderator = Browser(app.test_client())
    assert moderator.login("moderator", PASSWORD).status_code == 302
    html = moderator.get("/admin/comments/").get_data(as_text=True)
    assert "name of a staff member &#34;Jane Editor&#34;" in html
    assert "email of a staff member" in html
    assert "jane@example.org" not in newest().verdicts


def test_a_disabled_staff_members_name_is_still_theirs(app, post, staff):
    accounts.disable_user(staff.id, None)
    Reader(app, "203.0.113.7").comment(post, author="Jane Editor")
    assert newest().status == CommentStatus.PENDING


def test_another_name_and_email_still_show_at_once(app, post, staff):
    Reader(app, "203.0.113.7").comment(post, author="Jane Editorial")
    assert newest().status == CommentStatus.APPROVED


def test_the_check_has_a_switch(app, post, staff):
    app.extensions["settings"].set("check_staff", False)
    Reader(app, "203.0.113.7").comment(post, author="Jane Editor")
    assert newest().status == CommentStatus.APPROVED


def test_a_comment_asks_for_the_users_once(app, post, staff):
    reader = Reader(app, "203.0.113.7")
    token = reader.token(post)
    with statements() as seen:
        reader.comment(post, token=token, author="Jane Editor")
    assert len([sql for sql, _ in seen if 'FROM "user"' in sql]) == 1


@pytest.mark.parametrize(
    "signed_in, status",
    [("jeditor", CommentStatus.APPROVED), ("moderator", CommentStatus.PENDING)],
)
def test_a_staff_member_signed_in_may_comment_as_themselves(
    app, post, staff, signed_in, status
):
    reader = Reader(app, "203.0.113.7")
    assert Browser(reader.client).login(signed_in, PASSWORD).status_code == 302
    with app.app_context():
        reader.comment(post, author="Jane Editor", email="jane@example.org")
    assert newest().status == status


def test_a_staff_reply_is_marked_and_a_reader_under_the_same_name_is_not(
    app, post, staff
):
    make_staff_reply(post)
    app.extensions["settings"].set("check_staff", False)
    Reader(app, "203.0.113.7").comment(post, author="Grace Hopper")
    html = app.test_client().get(post.url).get_data(as_text=True)
    items = re.findall(r'<li id="comment-\d+" class="([^"]*)".*?</article>', html, re.S)
    assert len(items) == 3
    marked = [
        each
        for each in re.findall(r"<li .*?</article>", html, re.S)
        if "by-staff" in each
    ]
    assert len(marked) == 1
    assert "The answer." in marked[0]
    assert '<span class="comment-staff">Staff</span>' in marked[0]
    assert html.count('class="comment-staff"') == 1


def test_a_staff_member_remembered_by_cookie_alone_comments_as_themselves(
    app, post, staff
):
    # The site signs in for the session only, but Flask-Login would take a
    # remember cookie signed with the site's key: so must the comment form.
    reader = Reader(app, "203.0.113.7")
    reader.client.set_cookie("remember_token", encode_cookie(staff.get_id()))
    with app.app_context():
        reader.comment(post, author="Jane Editor", email="jane@example.org")
    assert newest().status == CommentStatus.APPROVED


def test_a_deleted_staff_members_replies_lose_their_mark_at_once(app, post, staff):
    grace = make_staff_reply(post)
    client = app.test_client()
    assert 'class="comment-staff"' in client.get(post.url).get_data(as_text=True)
    accounts.delete_user(grace.id, by=None)
    html = client.get(post.url).get_data(as_text=True)
    assert "The answer." in html
    assert 'class="comment-staff"' not in html
