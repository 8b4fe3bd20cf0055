"""The "previously approved comment" rule over HTTP: who counts as known.

Names are shown beside every comment and emails are often guessable, so a
commenter counts as known only by a reader's approved comment with the same
name and email (as WordPress does), never by a staff member's reply.
"""

import pytest

from blog import accounts
from blog.comment_models import Comment, CommentStatus
from blog.comments import actions
from blog.models import Role
from tests.factories import make_post
from tests.views.test_comments_http import Reader


@pytest.fixture
def site(app):
    settings = app.extensions["settings"]
    settings.set("min_form_seconds", 0)
    settings.set("check_flood", False)
    settings.set("require_approved_before", True)
    return settings


@pytest.fixture
def post(site):
    return make_post(title="On caching", body="Cache all the things.")


def newest() -> Comment:
    return Comment.select().order_by(Comment.id.desc()).first()


def approve(comment):
    actions.apply("approve", [comment.id], None)


def test_a_first_comment_waits_and_the_next_one_shows(app, post):
    reader = Reader(app, "198.51.100.10")
    reader.comment(post, comment="My first words here.")
    assert newest().status == CommentStatus.PENDING
    approve(newest())
    reader.comment(post, comment="And more words.", email="ADA@example.org ")
    assert newest().status == CommentStatus.APPROVED


def test_a_regulars_email_under_another_name_waits(app, post):
    Reader(app, "198.51.100.10").comment(post, comment="My first words here.")
    approve(newest())
    Reader(app, "203.0.113.7").comment(
        post, comment="Buy cheap things.", author="Mallory"
    )
    assert newest().status == CommentStatus.PENDING


def test_a_staff_reply_makes_nobody_known(app, post, site):
    Reader(app, "198.51.100.10").comment(post, comment="My first words here.")
    approve(newest())
    staff = accounts.create_user(
        "editor", "a long enough password", Role.EDITOR, email="editor@example.org"
    )
    actions.reply(newest().id, staff, "Thank you!", app.secret_key, site.all())
    Reader(app, "203.0.113.7").comment(
        post, comment="Buy cheap things.", author=staff.name, email=staff.email
    )
    assert newest().status == CommentStatus.PENDING
