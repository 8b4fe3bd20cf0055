"""Comments as JSON: versioned, no IP data, emails only when asked, idempotent."""

import json

import pytest

from blog import accounts, comments_json
from blog.comment_models import Comment, CommentStatus
from blog.comments import actions
from blog.comments.history import DatabaseHistory
from blog.comments.privacy import hash_email
from blog.models import Role
from tests.factories import make_post, make_staff_reply

KEY = "test secret key"


@pytest.fixture
def discussed(app):
    post = make_post(slug="discussed")
    top = Comment.create(
        post=post,
        author_name="Ann",
        author_email="ann@example.org",
        email_hash="e" * 64,
        body="First!",
        body_html="<p>First!</p>",
        status=CommentStatus.APPROVED,
        ip_hash="a" * 64,
        ip_prefix="192.0.2.0/24",
    )
    Comment.create(
        post=post,
        parent=top,
        thread=top,
        depth=1,
        author_name="Ben",
        author_email="ben@example.org",
        body="A reply",
        body_html="<p>A reply</p>",
        status=CommentStatus.PENDING,
        ip_hash="b" * 64,
        ip_prefix="192.0.2.0/24",
    )
    Comment.create(
        post=post, author_name="Spammer", body="Buy", status=CommentStatus.SPAM
    )
    return post


def test_the_export_is_versioned_and_carries_no_ip_or_email(discussed):
    data = comments_json.export()
    assert (data["format"], data["version"]) == ("field-notes-comments", 1)
    assert data["includes_emails"] is False
    text = json.dumps(data)
    for private in ("192.0.2", "a" * 64, "e" * 64, "ann@example.org", "ip_"):
        assert private not in text
    comments = data["posts"][0]["comments"]
    assert [c["author_name"] for c in comments] == ["Ann", "Ben"]
    assert comments[1]["parent"] == comments[0]["id"]
    assert comments[1]["status"] == "pending"


def test_emails_go_out_only_when_asked(discussed):
    data = comments_json.export([discussed.id], with_emails=True)
    assert data["includes_emails"] is True
    emails = [c["author_email"] for c in data["posts"][0]["comments"]]
    assert emails == ["ann@example.org", "ben@example.org"]


def test_import_rebuilds_threads_and_is_idempotent(discussed):
    raw = json.dumps(comments_json.export(with_emails=True)).encode()
    Comment.delete().execute()
    counts = comments_json.import_data(comments_json.load(raw), KEY)
    assert counts == {"imported": 2, "existing": 0, "posts_missing": 0, "notes": []}
    ann, ben = Comment.select().order_by(Comment.id)
    assert (ben.parent_id, ben.thread_id, ben.depth) == (ann.id, ann.id, 1)
    assert ben.status == CommentStatus.PENDING
    assert len(ann.email_hash) == 64 and ann.ip_hash == ""
    again = comments_json.import_data(comments_json.load(raw), KEY)
    assert again == {"imported": 0, "existing": 2, "posts_missing": 0, "notes": []}
    assert Comment.select().count() == 2


def _imported_with_html(body_html: str) -> str:
    """Ann's comment exported, given this HTML in the file, imported again."""
    data = comments_json.export()
    data["posts"][0]["comments"][0]["body_html"] = body_html
    Comment.delete().execute()
    comments_json.import_data(data, KEY)
    return Comment.get(Comment.author_name == "Ann").body_html


def test_imported_html_is_sanitized_again(discussed):
    html = _imported_with_html('<p onclick="x()">Hi<script>alert(1)</script></p>')
    assert "onclick" not in html and "<script" not in html


def test_contacts_in_imported_html_are_masked(discussed):
    html = _imported_with_html(
        "<p>Mail ann@<em>example</em>.org or call +46 70 123 45 67</p>"
    )
    assert "example" not in html and "123 45" not in html
    assert "[email hidden]" in html and "[phone hidden]" in html


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"not json", "not JSON"),
        (b"[]", "not a comments file"),
        (b'{"format": "field-notes-comments", "version": 9}', "version 9"),
        (b'{"format": "field-notes-comments", "version": 1}', "no list of posts"),
    ],
)
def test_bad_files_are_refused_with_a_reason(raw, message):
    with pytest.raises(comments_json.CommentsFileError, match=message):
        comments_json.load(raw)


def test_posts_that_do_not_exist_are_counted(app):
    data = {
        "format": "field-notes-comments",
        "version": 1,
        "posts": [{"kind": "post", "slug": "nowhere", "comments": []}],
    }
    counts = comments_json.import_data(data, KEY)
    assert counts["posts_missing"] == 1


def test_a_file_imported_into_the_site_it_came_from_adds_nothing(discussed):
    """Times to the microsecond; an older file's whole seconds match too."""
    data = comments_json.export(with_emails=True)
    assert comments_json.import_data(data, KEY)["existing"] == 2
    for comment in data["posts"][0]["comments"]:
        comment["created_at"] = comment["created_at"].split(".")[0] + "Z"
    assert comments_json.import_data(data, KEY)["existing"] == 2
    assert Comment.select().count() == 3


def _file(slug: str, *comments: dict) -> dict:
    """A comments file for one post; each comment made in 2020 unless it says."""
    made = [{"created_at": "2020-01-01T10:00:00Z", **c} for c in comments]
    return {
        "format": "field-notes-comments",
        "version": 1,
        "posts": [{"slug": slug, "comments": made}],
    }


def test_imported_spam_and_trash_wait_their_retention_from_the_import(app):
    import datetime

    from blog.comments import actions

    post = make_post(slug="old")
    data = _file(
        "old",
        {"id": "a", "author_name": "a", "body": "a", "status": "spam"},
        {"id": "b", "author_name": "b", "body": "b", "status": "deleted"},
    )
    comments_json.import_data(data, KEY)
    assert actions.purge(30) == 0
    later = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert actions.purge(30, later + datetime.timedelta(days=31)) == 2
    assert not Comment.select().where(Comment.post == post).exists()


def test_an_imported_website_or_name_is_held_to_the_forms_rules(app):
    make_post(slug="p")
    data = _file(
        "p",
        {"id": 1, "author_name": "Mal\x00lory\x07",
         "author_url": "javascript:alert(1)", "body": "x"},
        {"id": 2, "author_name": "Ann", "author_url": "ann.example/blog", "body": "y"},
    )  # fmt: skip
    comments_json.import_data(data, KEY)
    mallory, ann = Comment.select().order_by(Comment.id)
    assert (mallory.author_name, mallory.author_url) == ("Mallory", "")
    assert ann.author_url == "http://ann.example/blog"


def test_a_contact_in_an_imported_name_is_masked_and_matched_again(app):
    """The name is public; a file is never trusted with the contacts in it."""
    make_post(slug="n")
    data = _file("n", {"id": 1, "author_name": "ann@example.org", "body": "x"})
    assert comments_json.import_data(data, KEY)["imported"] == 1
    assert Comment.get().author_name == "[email hidden]"
    assert comments_json.import_data(data, KEY)["existing"] == 1


def test_a_rejected_comment_is_imported_into_the_trash(app):
    make_post(slug="r")
    data = _file("r", {"id": 1, "author_name": "R", "body": "no", "status": "rejected"})
    comments_json.import_data(data, KEY)
    comment = Comment.get()
    assert (comment.status, comment.previous_status) == ("deleted", "pending")


def test_a_staff_reply_goes_out_with_its_username(app):
    make_staff_reply(make_post(slug="asked"))
    comments = comments_json.export()["posts"][0]["comments"]
    assert [c["user"] for c in comments] == [None, "grace"]


def test_a_staff_reply_comes_back_as_theirs(app):
    staff = make_staff_reply(make_post(slug="asked"))
    data = comments_json.export(with_emails=True)
    Comment.delete().execute()
    report = comments_json.import_data(data, KEY)
    assert report["notes"] == []
    reply = Comment.get(Comment.author_name == "Grace Hopper")
    assert reply.user_id == staff.id
    assert Comment.get(Comment.author_name != "Grace Hopper").user_id is None


def test_a_staff_reply_without_its_user_here_vouches_for_no_one(app):
    """Else whoever sends the form as "Grace Hopper" with her email skips
    moderation when require_approved_before is on."""
    staff = make_staff_reply(make_post(slug="asked"))
    data = comments_json.export(with_emails=True)
    Comment.delete().execute()
    staff.delete_instance()
    report = comments_json.import_data(data, KEY)
    reply = Comment.get(Comment.author_name == "Grace Hopper")
    assert reply.user_id is None and reply.author_email == "grace@example.org"
    assert reply.status == CommentStatus.APPROVED
    hashed = hash_email("grace@example.org", KEY)
    assert not DatabaseHistory().known_commenter("Grace Hopper", hashed)
    (note,) = report["notes"]
    assert "'grace'" in note and "no account" in note and "vouches" in note


def test_a_file_without_users_still_imports(app):
    make_post(slug="old")
    data = _file("old", {"id": 1, "author_name": "Ann", "body": "x"})
    report = comments_json.import_data(data, KEY)
    assert (report["imported"], report["notes"]) == (1, [])
    assert Comment.get().user_id is None


def test_an_html_body_keeps_its_format_through_export_import_and_edit(app):
    """A WordPress comment moved to another site is still HTML there: a
    moderator's edit of it renders the tags, not shows them as text."""
    post = make_post(slug="moved")
    Comment.create(
        post=post,
        author_name="Ann",
        body="<em>Hi</em>",
        body_format="html",
        body_html="<p><em>Hi</em></p>",
        status=CommentStatus.APPROVED,
        wp_id=7,
    )
    data = comments_json.export()
    assert data["posts"][0]["comments"][0]["body_format"] == "html"
    Comment.delete().execute()
    comments_json.import_data(data, KEY)
    moved = Comment.get(Comment.author_name == "Ann")
    assert moved.body_format == "html"
    moderator = accounts.create_user("mo", "a long passphrase", Role.MODERATOR)
    settings = app.extensions["settings"].all()
    actions.edit(moved.id, moderator, "<em>Hi</em> again", settings)
    assert "<em>Hi</em> again" in Comment.get_by_id(moved.id).body_html


@pytest.mark.parametrize(
    "given, body_format, shown",
    [
        ({}, "markdown", "<em>stars</em>"),  # a file written before formats
        ({"body_format": "markdown"}, "markdown", "<em>stars</em>"),
        ({"body_format": "html"}, "html", "*stars*"),
    ],
)
def test_a_body_without_html_in_the_file_is_rendered_in_its_format(
    app, given, body_format, shown
):
    make_post(slug="p")
    fields = {"author_name": "Ann", "body": "*stars* <b>bold</b>", **given}
    comments_json.import_data(_file("p", fields), KEY)
    stored = Comment.get(Comment.author_name == "Ann")
    assert stored.body_format == body_format
    assert shown in stored.body_html


def test_an_unknown_body_format_is_refused(app):
    make_post(slug="p")
    fields = {"author_name": "Ann", "body": "Hi", "body_format": "bbcode"}
    with pytest.raises(comments_json.CommentsFileError, match="bbcode"):
        comments_json.import_data(_file("p", fields), KEY)


@pytest.mark.parametrize(
    "body, body_html, body_format",
    [
        # A WordPress comment moved in a file written before formats were kept.
        ("<em>Hi</em> there", "<p><em>Hi</em> there</p>", "html"),
        ("*Hi* there", "<p><em>Hi</em> there</p>", "markdown"),
        ("Hi there", "<p>Hi there</p>", "markdown"),  # both read alike
        ("<em>Hi</em>", "<p>something else</p>", "markdown"),
    ],
)
def test_a_file_without_formats_says_by_its_html_which_format_a_body_is(
    app, body, body_html, body_format
):
    make_post(slug="p")
    fields = {"author_name": "Ann", "body": body, "body_html": body_html}
    comments_json.import_data(_file("p", fields), KEY)
    assert Comment.get(Comment.author_name == "Ann").body_format == body_format
