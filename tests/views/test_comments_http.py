"""The comment form over HTTP, as a browser uses it: GET the post, POST the form."""

import datetime
import io
import json
import re
import unicodedata
from html import unescape
from urllib.parse import unquote, urlencode, urlsplit

import feedparser
import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from blog import publishing
from blog.comment_models import Comment, CommentStatus
from blog.comments import actions, tokens
from blog.models import PostStatus, utcnow
from tests.factories import (
    delete_for_good,
    make_comment,
    make_post,
    make_thread_with_a_reply_to_move,
)

TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
OMIT = object()  # a field the form leaves out entirely


@pytest.fixture
def site(app):
    settings = app.extensions["settings"]
    # A test reader types faster than a person; the form-age check has its own test.
    settings.set("min_form_seconds", 0)
    return settings


@pytest.fixture
def post(site):
    return make_post(title="On caching", body="Cache all the things.")


class Reader:
    """One browser: its own cookies and address."""

    def __init__(self, app, ip):
        self.client = app.test_client()
        self.ip = ip

    def get(self, url, **kwargs):
        return self.client.get(url, environ_base={"REMOTE_ADDR": self.ip}, **kwargs)

    def token(self, post, query="") -> str:
        page = self.get(post.url + query)
        assert page.status_code == 200
        return unescape(TOKEN.search(page.get_data(as_text=True)).group(1))

    def comment(self, post, token=None, headers=None, **fields):
        data = {
            "comment": "Thanks, this helped me a lot.",
            "author": "Ada Lindqvist",
            "email": "ada@example.org",
            "url": "",
            "parent": "",
            "homepage": "",
            "token": self.token(post) if token is None else token,
        }
        data.update(fields)
        data = {key: value for key, value in data.items() if value is not OMIT}
        return self.client.post(
            f"/comments/{post.id}/",
            data=data,
            headers=headers,
            environ_base={"REMOTE_ADDR": self.ip},
        )


@pytest.fixture
def reader(app):
    return Reader(app, "198.51.100.10")


@pytest.fixture
def other(app):
    return Reader(app, "198.51.100.99")


def text(response) -> str:
    return response.get_data(as_text=True)


def stored():
    return list(Comment.select().order_by(Comment.id))


def test_the_form_on_a_post_page(post, reader):
    page = reader.get(post.url)
    html = text(page)
    assert "Leave a Reply" in html
    assert "Your email address will not be published." in html
    assert re.search(r"Required fields are marked <span[^>]*>\*</span>", html)
    for label in ("Comment", "Name", "Email", "Website"):
        assert re.search(rf"<label for=\"\w+\">{label}", html)
    assert (
        "Save my name, email, and website in this browser for the next time I "
        "comment." in html
    )
    assert ">Post Comment</button>" in html
    decoy = re.search(r'<p class="comment-form-homepage"[^>]*>.*?</p>', html, re.S)
    assert 'aria-hidden="true"' in decoy.group()
    assert 'tabindex="-1"' in decoy.group() and 'autocomplete="off"' in decoy.group()
    assert f'action="/comments/{post.id}/#respond"' in html
    assert "csrf_token" not in html
    assert "Set-Cookie" not in page.headers
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html


def test_a_comment_is_shown_at_once(post, reader, other):
    other.get(post.url)  # the page is now in the cache
    response = reader.comment(post, url="https://ada.example/")
    (comment,) = stored()
    assert response.status_code == 303
    assert response.headers["Location"] == f"{post.url}#comment-{comment.id}"
    assert comment.status == CommentStatus.APPROVED
    assert "blog_pending" not in str(response.headers.getlist("Set-Cookie"))
    html = text(other.get(post.url))
    assert f'id="comment-{comment.id}"' in html
    assert "Thanks, this helped me a lot." in html
    assert (
        '<a href="https://ada.example/" rel="nofollow ugc noopener">'
        "<bdi>Ada Lindqvist</bdi></a>" in html
    )
    assert "One comment" in html
    assert "awaiting moderation" not in html


def test_without_a_token(post, reader):
    response = reader.comment(post, token="")
    assert response.status_code == 400
    html = text(response)
    assert "This form could not be checked. Please send it again." in html
    assert "Thanks, this helped me a lot.</textarea>" in html
    assert stored() == []
    # The form shown again carries a good token, so sending it again works.
    again = reader.comment(post, token=unescape(TOKEN.search(html).group(1)))
    assert again.status_code == 303


def test_a_form_expired_and_sent_again_at_once_is_not_taken_for_a_bot(
    site, post, reader
):
    """Its reader has had the form for days: the renewed token is not "new"."""
    site.set("min_form_seconds", 3)
    old = tokens.issue(
        post.id, "test secret key", utcnow() - datetime.timedelta(days=4)
    )
    html = text(reader.comment(post, token=old))
    again = reader.comment(post, token=unescape(TOKEN.search(html).group(1)))
    assert again.status_code == 303
    assert [c.status for c in stored()] == [CommentStatus.APPROVED]
    # A forged token renews nothing: sent at once, the form is too fast.
    site.set("check_flood", False)
    html = text(reader.comment(post, token="forged", comment="Another one."))
    reader.comment(post, token=unescape(TOKEN.search(html).group(1)), comment="Hi.")
    assert stored()[-1].status == CommentStatus.SPAM


def test_without_the_token_field_at_all(post, reader):
    assert reader.comment(post, token=OMIT).status_code == 400
    assert stored() == []


def test_an_expired_token(post, reader):
    old = tokens.issue(
        post.id, "test secret key", utcnow() - datetime.timedelta(days=4)
    )
    response = reader.comment(post, token=old)
    assert response.status_code == 400
    assert "This form has expired. Please send your comment again." in text(response)
    assert "Thanks, this helped me a lot." in text(response)
    assert stored() == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: tokens.issue(999, "test secret key", utcnow()),
        lambda t: tokens.issue(1, "another key", utcnow()),
    ],
)
def test_a_tampered_token(post, reader, tamper):
    response = reader.comment(post, token=tamper(reader.token(post)))
    assert response.status_code == 400
    assert stored() == []


@pytest.mark.parametrize("fetched_from", ["cross-site", "same-site"])
def test_a_form_posted_from_another_site_is_refused(post, reader, fetched_from):
    """A page elsewhere could make its visitors' browsers post comments (from
    their addresses, past flood control and the rate limit) and plant its own
    name and email in their saved details; browsers say where a form came from."""
    response = reader.comment(
        post,
        comment="Posted through a visitor's browser.",
        author="Planted",
        email="planted@example.org",
        remember="y",
        headers={"Sec-Fetch-Site": fetched_from},
    )
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert stored() == []


def test_a_form_posted_from_this_site_is_taken(post, reader):
    response = reader.comment(post, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303


# Browsers without Sec-Fetch-Site (Safari before 16.4, Firefox before 90) still
# name the page a form came from: Origin, or Referer where even that is missing.
ELSEWHERE = [
    {"Origin": "https://elsewhere.example"},
    {"Origin": "null"},  # a sandboxed frame elsewhere
    {"Origin": "http://localhost.elsewhere.example"},
    {"Origin": "https://localhost"},  # a page of another scheme
    {"Origin": "http://localhost:8080"},
    {"Referer": "https://elsewhere.example/free-comments.html"},
    {"Referer": "http://localhost@elsewhere.example/"},
    {"Referer": "not a page at all"},
    {"Origin": "https://elsewhere.example", "Referer": "http://localhost/"},
]


@pytest.mark.parametrize("headers", ELSEWHERE)
def test_a_form_from_another_sites_page_is_refused_by_origin(post, reader, headers):
    response = reader.comment(post, headers=headers, remember="y")
    assert response.status_code == 403
    assert "Comments are sent from the form on this site." in text(response)
    assert "Set-Cookie" not in response.headers
    assert stored() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost"},  # the address the browser sent it to
        {"Referer": "http://localhost/2024/06/23/on-caching/#respond"},
        {},  # says nothing (curl, a browser set to): the token still guards it
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    ],
)
def test_a_form_from_this_sites_page_is_taken_by_origin(post, reader, headers):
    assert reader.comment(post, headers=headers).status_code == 303


def test_the_configured_site_address_is_this_site_behind_a_proxy(make_app):
    """Behind a proxy the request's own address is the proxy's; SITE_URL is not."""
    app = make_app(SITE_URL="https://Notes.example/blog/")
    with app.app_context():
        app.extensions["settings"].set("min_form_seconds", 0)
        post = make_post(title="Proxied")
        reader = Reader(app, "198.51.100.10")
        ours = reader.comment(post, headers={"Origin": "https://notes.example"})
        other = reader.comment(post, headers={"Origin": "http://notes.example"})
    assert ours.status_code == 303
    assert other.status_code == 403


def test_a_replayed_form_stores_once(post, reader):
    token = reader.token(post)
    first = reader.comment(post, token=token)
    second = reader.comment(post, token=token)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(stored()) == 1


def test_two_readers_of_one_cached_page_share_its_token(post, reader, other):
    token = reader.token(post)
    assert other.token(post) == token  # one cached page for everybody
    assert reader.comment(post, token=token).status_code == 303
    response = other.comment(
        post, token=token, author="Bob", email="bob@example.org", comment="Me too."
    )
    assert response.status_code == 303
    assert [c.author_name for c in stored()] == ["Ada Lindqvist", "Bob"]


def test_a_shared_token_confirms_no_guessed_email(site, post, reader, other):
    """Another reader of the cached page holds the same token: resending a
    shown comment's form with a guessed email must not answer as a replay
    (303 to that comment) when the guess is right."""
    site.set("check_flood", False)
    token = reader.token(post)
    assert other.token(post) == token
    assert reader.comment(post, token=token).status_code == 303
    right = other.comment(post, token=token, email="ada@example.org")
    wrong = other.comment(post, token=token, email="bob@example.org")
    assert right.status_code == wrong.status_code
    assert right.headers.get("Location") == wrong.headers.get("Location")
    assert len(stored()) == 1


def _neutral(response):
    """What a commenter can see of the answer, ids aside."""
    cookies = sorted(c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie"))
    location = re.sub(r"\d+$", "N", response.headers["Location"])
    return response.status_code, location, cookies, re.sub(r"\d+", "N", text(response))


def test_a_filled_decoy_is_spam_with_the_same_reply_as_pending(
    app, post, reader, other
):
    spam = reader.comment(post, homepage="http://buy.example/")
    app.extensions["settings"].set("hold_all", True)
    pending = other.comment(post, author="Bob", email="bob@example.org")
    assert [c.status for c in stored()] == [CommentStatus.SPAM, CommentStatus.PENDING]
    assert _neutral(spam) == _neutral(pending)
    assert spam.status_code == 303
    verdicts = json.loads(stored()[0].verdicts)
    assert {"check": "honeypot", "outcome": "spam"}.items() <= verdicts[1].items()


def test_a_form_sent_too_fast_is_spam(site, post, reader):
    site.set("min_form_seconds", 3)
    response = reader.comment(post)
    assert response.status_code == 303
    (comment,) = stored()
    assert comment.status == CommentStatus.SPAM
    assert "awaiting moderation" in text(reader.get(post.url))


def test_the_spammer_sees_their_comment_as_pending(post, reader, other):
    reader.comment(post, homepage="filled")
    assert "Your comment is awaiting moderation." in text(reader.get(post.url))
    assert "Thanks, this helped" not in text(other.get(post.url))


def test_flood_answers_429_with_retry_after_and_keeps_the_text(post, reader):
    assert reader.comment(post).status_code == 303
    response = reader.comment(post, comment="And another thing.")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15
    assert "too quickly" in text(response)
    assert "And another thing.</textarea>" in text(response)
    assert len(stored()) == 1


def test_flood_matches_the_email_from_another_address(app, post, reader):
    reader.comment(post)
    elsewhere = Reader(app, "203.0.113.200")
    response = elsewhere.comment(post, comment="From my phone.")
    assert response.status_code == 429


def test_rate_limit(site, post, reader):
    site.set("check_flood", False)
    site.set("rate_limit", 2)
    for number in range(2):
        response = reader.comment(
            post, comment=f"Comment {number}", email=f"{number}@x.org"
        )
        assert response.status_code == 303
    response = reader.comment(post, comment="One too many.", email="3@x.org")
    assert response.status_code == 429
    assert 500 < int(response.headers["Retry-After"]) <= 600
    assert len(stored()) == 2


def test_the_rate_limit_holds_for_an_ipv6_host_changing_address(app, site, post):
    site.set("check_flood", False)
    site.set("rate_limit", 2)
    for number in range(2):
        host = Reader(app, f"2001:db8:5:6::{number + 1}")
        response = host.comment(
            post, comment=f"Hello {number}", email=f"{number}@x.org"
        )
        assert response.status_code == 303
    same_host = Reader(app, "2001:db8:5:6:f00d:cafe:1234:5678")
    assert same_host.comment(post, comment="Again.", email="3@x.org").status_code == 429
    next_network = Reader(app, "2001:db8:5:7::1")
    assert next_network.comment(post, comment="Me.", email="4@x.org").status_code == 303


def test_a_duplicate_gets_a_message_and_no_second_copy(site, post, reader):
    site.set("check_flood", False)
    assert reader.comment(post).status_code == 303
    response = reader.comment(post)  # a fresh form, the same words
    assert response.status_code == 409
    assert "You have already posted this comment here." in text(response)
    assert len(stored()) == 1


def test_the_duplicate_check_confirms_no_guessed_email(site, post, reader, other):
    """A shown comment's words sent again under another name with a guessed
    email must not be told apart from a wrong guess: a 409 would confirm whose
    email wrote the comment."""
    site.set("check_flood", False)
    assert reader.comment(post).status_code == 303
    right = other.comment(post, author="Guesser", email="ada@example.org")
    wrong = other.comment(post, author="Guesser Two", email="bob@example.org")
    assert (right.status_code, wrong.status_code) == (303, 303)


def test_a_reply_is_threaded_under_its_parent(post, reader, other):
    reader.comment(post)
    (top,) = stored()
    response = other.comment(
        post,
        author="Bob",
        email="bob@example.org",
        comment="Agreed.",
        parent=str(top.id),
    )
    assert response.status_code == 303
    reply = stored()[1]
    assert (reply.parent_id, reply.thread_id, reply.depth) == (top.id, top.id, 1)
    html = text(other.get(post.url))
    nested = re.search(
        rf'id="comment-{top.id}".*?<ol class="children">\s*<li id="comment-{reply.id}"',
        html,
        re.S,
    )
    assert nested


def test_replies_past_the_deepest_level_attach_to_it(app, site, post):
    site.set("thread_depth", 2)
    top = make_comment(post)
    level_1 = make_comment(post, parent=top)
    response = Reader(app, "192.0.2.44").comment(post, parent=str(level_1.id))
    assert response.status_code == 303
    reply = stored()[-1]
    assert (reply.parent_id, reply.depth) == (top.id, 1)


def test_one_level_of_threads_offers_no_reply(site, post, reader):
    """A reply would be a comment of its own, far from the one it answers:
    the page offers none rather than a "Reply" that does not."""
    site.set("thread_depth", 1)
    top = make_comment(post, author_name="Bob")
    html = text(reader.get(post.url))
    assert 'class="comment-reply-link"' not in html and "Leave a Reply" in html
    html = text(reader.get(f"{post.url}?replytocom={top.id}"))
    assert "Leave a Reply to" not in html
    assert re.search(r'name="parent" type="hidden" value=""', html)


def _nested(html: str, parent_id: int, child_id: int) -> bool:
    return bool(
        re.search(
            rf'id="comment-{parent_id}".*?<ol class="children">\s*'
            rf'<li id="comment-{child_id}"',
            html,
            re.S,
        )
    )


def test_the_replies_of_a_deleted_top_level_comment_stay_shown(post, reader):
    root = make_comment(post, body="The first word.")
    child = make_comment(post, body="A reply.", parent=root)
    grandchild = make_comment(post, body="A reply to the reply.", parent=child)
    delete_for_good(root)
    html = text(reader.get(post.url))
    assert "The first word." not in html
    assert _nested(html, child.id, grandchild.id)


def test_a_reply_to_a_moved_reply_is_on_the_page_it_is_sent_to(site, post, reader):
    """A reply whose parent was deleted takes its place in the thread: a new
    reply to it goes there, and the redirect leads to it."""
    site.set("comments_per_page", 5)
    root, middle, moved = make_thread_with_a_reply_to_move(post)
    delete_for_good(middle)
    response = reader.comment(post, parent=str(moved.id))
    assert response.status_code == 303
    reply = stored()[-1]
    assert (reply.parent_id, reply.thread_id, reply.depth) == (moved.id, root.id, 2)
    assert response.headers["Location"] == f"{post.url}#comment-{reply.id}"
    html = text(reader.get(post.url))
    assert _nested(html, root.id, moved.id)
    assert _nested(html, moved.id, reply.id)


def test_the_reply_link_works_without_javascript(post, reader):
    top = make_comment(post, author_name="Grace")
    html = text(reader.get(post.url))
    link = f'href="{post.url}?replytocom={top.id}#respond"'
    assert link in html
    form = text(reader.get(f"{post.url}?replytocom={top.id}"))
    assert f'name="parent" type="hidden" value="{top.id}"' in form
    assert "Leave a Reply to <bdi>Grace</bdi>" in form
    assert f'<a id="cancel-comment-reply-link" href="{post.url}#respond">' in form


@pytest.mark.parametrize("parent", ["999999", "pending"])
def test_a_reply_to_a_comment_not_shown_is_refused(post, reader, parent):
    if parent == "pending":
        parent = str(make_comment(post, status=CommentStatus.PENDING).id)
    response = reader.comment(post, parent=parent)
    assert response.status_code == 400
    assert "no longer available" in text(response)


def test_a_reply_into_a_thread_taken_off_the_page_is_refused(post, reader):
    """The first comment trashed: its replies are not shown, so take none."""
    top = make_comment(post, author_name="Grace")
    shown_before = make_comment(post, parent=top, author_name="Hopper")
    page = f"{post.url}?replytocom={shown_before.id}"
    token = reader.token(post, f"?replytocom={shown_before.id}")
    Comment.update(status=CommentStatus.DELETED).where(Comment.id == top.id).execute()
    publishing.invalidate_pages()  # as the moderator's trash does
    response = reader.comment(post, token=token, parent=str(shown_before.id))
    assert response.status_code == 400
    assert "no longer available" in text(response)
    assert "Thanks, this helped me a lot." in text(response)
    assert len(stored()) == 2
    assert "Leave a Reply to" not in text(reader.get(page))


def test_a_pending_comment_shows_only_to_its_author(site, post, reader, other):
    site.set("hold_all", True)
    other.get(post.url)  # cached before the comment
    response = reader.comment(post)
    (comment,) = stored()
    assert comment.status == CommentStatus.PENDING
    assert response.headers["Location"] == f"{post.url}#comment-{comment.id}"
    cookie = [c for c in response.headers.getlist("Set-Cookie") if "blog_pending" in c]
    assert cookie and "HttpOnly" in cookie[0]
    mine = text(reader.get(post.url))
    assert f'id="comment-{comment.id}"' in mine
    assert "Your comment is awaiting moderation." in mine
    theirs = text(other.get(post.url))
    assert f'id="comment-{comment.id}"' not in theirs
    assert "Thanks, this helped me a lot." not in theirs
    assert "awaiting moderation" not in theirs


def test_a_form_error_page_stays_unstored_for_a_reader_with_a_waiting_comment(
    site, post, reader
):
    site.set("hold_all", True)
    reader.comment(post)
    response = reader.comment(post, comment="Second, with a bad site", url="ftp://x")
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    assert "Your comment is awaiting moderation." in text(response)


def test_a_forged_pending_cookie_shows_nothing(app, site, post, reader, other):
    site.set("hold_all", True)
    reader.comment(post)
    (comment,) = stored()
    forged = tokens.sign_pending([comment.id], "not the site key")
    other.client.set_cookie("blog_pending", forged)
    assert "Thanks, this helped me a lot." not in text(other.get(post.url))


def test_a_deleted_comments_cookie_never_shows_the_next_readers_comment(
    site, post, reader, other
):
    site.set("hold_all", True)
    reader.comment(post, comment="Mine, soon deleted as spam.")
    (mine,) = stored()
    actions.apply("spam", [mine.id], None)
    actions.empty_spam(None)
    other.comment(post, comment="Private words of another reader.", author="Bob")
    (theirs,) = stored()
    assert theirs.id != mine.id
    page = text(reader.get(post.url))
    assert "Private words of another reader." not in page and "Bob" not in page


def test_an_approved_comment_is_visible_to_everybody(app, post, reader, other):
    reader.comment(post)
    (comment,) = stored()
    fresh = Reader(app, "192.0.2.1")
    for visitor in (reader, other, fresh):
        assert f'id="comment-{comment.id}"' in text(visitor.get(post.url))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"author": ""}, "author", "Name is required."),
        ({"email": "not-an-email"}, "email", "Enter an email address like"),
        ({"url": "javascript:alert(1)"}, "url", "Enter a web address"),
        ({"author": "x" * 246}, "author", "Name may be at most 245 characters"),
        (
            {"comment": "Hello\x00there"},
            "comment",
            "Comment contains control characters",
        ),
    ],
)
def test_mistakes_show_the_form_again_with_the_text_kept(
    post, reader, fields, field, message
):
    body = fields.get("comment", "My careful words <b>kept</b> & all.")
    response = reader.comment(post, **({"comment": body} | fields))
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    html = text(response)
    assert re.search(
        rf'<(input|textarea)[^>]*aria-invalid="true"[^>]*id="{field}"', html
    )
    assert f'<span class="field-error" id="{field}-error">{message}' in html
    assert "please correct the marked fields" in html
    if field != "comment":
        assert "My careful words &lt;b&gt;kept&lt;/b&gt; &amp; all.</textarea>" in html
    else:
        assert "Hellothere</textarea>" in html  # kept, less what cannot be shown
    # The post page itself, not a bare form.
    assert "<h1" in html and post.title in html and "Cache all the things." in html
    assert stored() == []


def test_an_over_long_comment_is_refused_not_truncated(post, reader):
    response = reader.comment(post, comment="w" * 65_526)
    assert response.status_code == 422
    assert "Comment may be at most 65,525 characters long; it has 65,526." in text(
        response
    )
    assert stored() == []


def test_unknown_fields_are_a_bad_request(post, reader):
    response = reader.comment(post, is_admin="1")
    assert response.status_code == 400
    assert "The form has a field it should not." in text(response)
    assert stored() == []


def test_invalid_utf8_is_a_bad_request(post, reader):
    token = reader.token(post)
    body = b"author=Ada&email=ada%40example.org&comment=caf%E9&token=" + token.encode()
    response = reader.client.post(
        f"/comments/{post.id}/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        environ_base={"REMOTE_ADDR": reader.ip},
    )
    assert response.status_code == 400
    assert "its text is not UTF-8" in text(response)
    assert "codec" not in text(response)
    assert stored() == []


def test_a_multipart_form_is_refused(post, reader):
    response = reader.client.post(
        f"/comments/{post.id}/",
        data={"comment": "x", "token": reader.token(post)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert stored() == []


def test_a_form_far_past_the_longest_comment_is_refused_unread(reader, other, post):
    # The longest comment the settings allow, in four-byte characters, fits.
    longest = reader.comment(post, comment="\U0001f600" * 65525)
    assert longest.status_code == 303
    assert len(stored()[0].body) == 65525
    far = other.comment(post, comment="x" * (2 * 1024 * 1024))
    assert far.status_code == 413
    assert "x" * 1000 not in text(far)
    assert len(stored()) == 1


def test_a_chunked_form_far_past_the_longest_comment_is_refused(app, reader, post):
    """Sent chunked (no Content-Length), a form is read up to the limit and
    no further: one that reaches it had more, and is refused, not cut short."""
    form = urlencode(
        {"author": "Ada", "email": "ada@example.org", "token": reader.token(post)}
    )
    body = f"{form}&comment={'x' * (2 * 1024 * 1024)}".encode()
    environ = EnvironBuilder(
        path=f"/comments/{post.id}/",
        method="POST",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        environ_base={"REMOTE_ADDR": reader.ip, "wsgi.input_terminated": True},
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    answer, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert b"x" * 1000 not in b"".join(answer)
    assert stored() == []


def test_the_longest_comment_sent_decomposed_is_not_refused_unread(post, reader):
    """Korean copied from a macOS file name comes decomposed: three jamo of
    three bytes for each syllable the length counts, once composed."""
    composed = ("안녕하세요 " * 11000)[:65525].strip()
    response = reader.comment(post, comment=unicodedata.normalize("NFD", composed))
    assert response.status_code == 303
    assert stored()[0].body == composed


def test_the_comment_form_keeps_to_the_apps_limit_on_a_request(make_app):
    app = make_app(MAX_CONTENT_LENGTH=100_000)
    with app.app_context():
        app.extensions["settings"].set("min_form_seconds", 0)
        app.extensions["settings"].set("max_comment_length", 1_000_000)
        post = make_post()
        reader = Reader(app, "198.51.100.10")
        assert reader.comment(post, comment="x" * 200_000).status_code == 413
        assert reader.comment(post, comment="x" * 50_000).status_code == 303


def test_comments_on_a_closed_post_are_forbidden(site, reader):
    closed = make_post(comments_open=False)
    page = text(reader.get(closed.url))
    assert "Comments are closed." in page and "Leave a Reply" not in page
    response = reader.comment(
        closed,
        token=tokens.issue(closed.id, "test secret key", utcnow()),
        comment="Typed while the post was <still> open.",
    )
    assert response.status_code == 403
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "Comments are closed on this post." in page
    # Closed while the reader wrote: their text comes back to keep.
    kept = re.search(r'<textarea id="kept-comment"[^>]*>([^<]*)</textarea>', page)
    assert unescape(kept.group(1)) == "Typed while the post was <still> open."
    assert stored() == []


def test_comments_switched_off_for_the_site_close_every_post(site, reader):
    post = make_post()
    reader.comment(post, comment="Said before the switch.")
    site.set("comments_enabled", False)
    page = text(reader.get(post.url))
    assert "Comments are closed." in page and "Leave a Reply" not in page
    assert "Said before the switch." in page
    token = tokens.issue(post.id, "test secret key", utcnow())
    assert reader.comment(post, token=token).status_code == 403


def test_comments_close_after_a_number_of_days(site, reader):
    site.set("close_after_days", 30)
    old = make_post(date=utcnow() - datetime.timedelta(days=31))
    token = tokens.issue(old.id, "test secret key", utcnow())
    assert reader.comment(old, token=token).status_code == 403


@pytest.mark.parametrize("status", [PostStatus.DRAFT, PostStatus.UNPUBLISHED])
def test_comments_on_posts_that_are_not_public_are_not_found(site, reader, status):
    hidden = make_post(status=status)
    token = tokens.issue(hidden.id, "test secret key", utcnow())
    response = reader.comment(hidden, token=token)
    assert response.status_code == 404
    assert stored() == []


@pytest.mark.parametrize("post_id", [2**63, 10**30])
def test_a_post_id_no_database_holds_is_not_found(site, reader, post_id):
    assert reader.get(f"/comments/{post_id}/feed/").status_code == 404
    response = reader.client.post(f"/comments/{post_id}/", data={"comment": "x"})
    assert response.status_code == 404


def test_comments_on_a_missing_post_are_not_found(site, reader, post):
    response = reader.client.post("/comments/424242/", data={"comment": "x"})
    assert response.status_code == 404


def test_remember_me_sets_a_cookie_for_the_script_only_when_asked(post, reader):
    response = reader.comment(post, remember="y", url="https://ada.example/")
    (cookie,) = [
        c
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith("comment_author=")
    ]
    assert "HttpOnly" not in cookie  # comments.js reads it
    value = json.loads(unquote(cookie.split(";")[0].split("=", 1)[1]))
    assert value == {
        "name": "Ada Lindqvist",
        "email": "ada@example.org",
        "url": "https://ada.example/",
    }
    # The page itself stays the same for everybody: the cookie is never read there.
    assert "ada@example.org" not in text(reader.get(post.url))


def test_not_ticking_remember_me_forgets_saved_details(site, post, reader):
    site.set("check_flood", False)
    assert reader.comment(post, remember="y").status_code == 303
    response = reader.comment(post, comment="A second thought.")
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("comment_author=;") and "Max-Age=0" in c for c in cookies)


def test_a_reader_with_nothing_saved_gets_no_cookie(post, reader):
    response = reader.comment(post)
    assert response.status_code == 303
    assert not response.headers.getlist("Set-Cookie")


def test_the_commenters_email_is_never_on_the_page(post, reader, other):
    reader.comment(post, email="secret.person@example.org")
    html = text(other.get(post.url))
    assert "secret.person" not in html
    (comment,) = stored()
    assert comment.email_hash not in html
    assert comment.ip_hash not in html


@pytest.mark.parametrize(
    ("typed", "contact"),
    [
        ("Mail jane.doe&#64;example.com please", "jane.doe@example.com"),
        (r"Mail jane.doe\@example.com please", "jane.doe@example.com"),
        ("Mail jane.doe&commat;example.com please", "jane.doe@example.com"),
        ("Call &#43;44 20 7946 0958 today", "+44 20 7946 0958"),
    ],
)
def test_an_encoded_contact_in_a_comment_is_masked_on_the_page(
    post, reader, other, typed, contact
):
    reader.comment(post, comment=typed)
    (comment,) = stored()
    assert comment.body in ("Mail [email hidden] please", "Call [phone hidden] today")
    html = unescape(text(other.get(post.url)))
    assert f"<p>{comment.body}</p>" in html
    assert contact not in html


# HTML's global date and time: seconds carry at most three decimals.
HTML_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?\+00:00")


def test_a_comments_time_is_one_html_can_read(post, reader, other):
    make_comment(post, created_at=datetime.datetime(2024, 6, 2, 9, 30, 5, 123456))
    (moment,) = re.findall(
        r'<time datetime="([^"]*)">[^<]* at ', text(other.get(post.url))
    )
    assert HTML_DATETIME.fullmatch(moment), moment


def test_a_name_that_turns_text_around_stays_inside_its_own_bdi(post, reader):
    # The form refuses such names; an import may still bring one in.
    make_comment(post, author_name="\u202eevil")
    html = text(reader.get(post.url))
    assert "<bdi>\u202eevil</bdi>" in html


def test_identicons_are_drawn_here(post, reader, other):
    reader.comment(post)
    html = text(other.get(post.url))
    src = re.search(r'<img class="avatar" src="(/identicon/[0-9a-f]{20}\.svg)"', html)
    assert src
    picture = other.get(src.group(1))
    assert picture.status_code == 200
    assert picture.mimetype == "image/svg+xml"
    assert picture.get_data(as_text=True).startswith("<svg")
    assert "max-age=31536000" in picture.headers["Cache-Control"]
    assert "gravatar" not in html


@pytest.mark.parametrize("name", ["nothex", "0" * 19, "0" * 21, "G" * 20])
def test_identicon_names_are_checked(client, name):
    assert client.get(f"/identicon/{name}.svg").status_code == 404


def test_comment_feeds_list_approved_comments_with_names_only(post, reader):
    make_comment(
        post, author_name="Grace", author_email="grace@example.org", body="Shown."
    )
    make_comment(
        post,
        author_name="Mallory",
        author_email="mallory@example.org",
        status=CommentStatus.PENDING,
        body="Hidden.",
    )
    for url in ("/comments/feed/", f"/comments/{post.id}/feed/"):
        response = reader.get(url)
        assert response.status_code == 200
        assert response.mimetype == "application/atom+xml"
        body = text(response)
        feed = feedparser.parse(body)
        assert [entry.author for entry in feed.entries] == ["Grace"]
        assert "Shown." in feed.entries[0].content[0].value
        grace = Comment.get(Comment.author_name == "Grace").id
        assert feed.entries[0].link.endswith(f"/comment/{grace}/")
        assert "grace@example.org" not in body and "Mallory" not in body
        assert "192.0.2" not in body


def test_comment_feeds_show_what_the_pages_show_where_they_show_it(site, post, reader):
    """Replies of a thread off the page stay out; each link names its page."""
    site.set("comments_per_page", 5)
    hidden = make_comment(post, author_name="Out", status=CommentStatus.DELETED)
    make_comment(post, parent=hidden, author_name="Hidden reply")
    threads = [make_comment(post, author_name=f"Shown {n}") for n in range(6)]
    for url in ("/comments/feed/", f"/comments/{post.id}/feed/"):
        feed = feedparser.parse(text(reader.get(url)))
        links = {entry.author: urlsplit(entry.link).path for entry in feed.entries}
        assert set(links) == {f"Shown {n}" for n in range(6)}
        first = reader.get(links["Shown 0"])
        assert first.headers["Location"] == f"{post.url}#comment-{threads[0].id}"
        last = reader.get(links["Shown 5"])
        assert last.headers["Location"] == f"{post.url}?cpage=2#comment-{threads[5].id}"
        assert reader.get(f"{post.url}?cpage=2").status_code == 200


def test_a_comments_permalink_follows_it_from_page_to_page(site, post, reader):
    site.set("comment_order", "newest")
    site.set("comments_per_page", 5)
    first = make_comment(post, author_name="First")
    permalink = f"/comment/{first.id}/"
    assert reader.get(permalink).headers["Location"] == f"{post.url}#comment-{first.id}"
    for n in range(5):  # newer threads push it onto the next page
        make_comment(post, author_name=f"Later {n}")
    publishing.invalidate_pages()
    moved = reader.get(permalink)
    assert moved.status_code == 302
    assert moved.headers["Location"] == f"{post.url}?cpage=2#comment-{first.id}"
    hidden = make_comment(post, status=CommentStatus.PENDING)
    for missing in (hidden.id, 10**9, 2**63, 10**30):
        assert reader.get(f"/comment/{missing}/").status_code == 404


def test_a_permalink_counts_the_readers_own_waiting_comments(site, post, reader):
    """Newest first, a reader's comment awaiting moderation heads their first
    page: the thread it pushes onto their second page is found there."""
    site.set("comment_order", "newest")
    site.set("comments_per_page", 5)
    site.set("hold_all", True)
    oldest = make_comment(post, author_name="Oldest")
    for n in range(4):
        make_comment(post, author_name=f"Later {n}")
    assert reader.comment(post).status_code == 303
    moved = reader.get(f"/comment/{oldest.id}/")
    assert moved.headers["Location"] == f"{post.url}?cpage=2#comment-{oldest.id}"
    page = text(reader.get(f"{post.url}?cpage=2"))
    assert f'id="comment-{oldest.id}"' in page


def test_comments_on_a_page_are_in_no_feed(site, post, reader):
    """A page shows no comments (WordPress imports bring some): nor does a feed,
    whose link would lead nowhere."""
    about = make_post(kind="page", slug="about")
    make_comment(about, author_name="On the page")
    make_comment(post, author_name="On the post")
    feed = feedparser.parse(text(reader.get("/comments/feed/")))
    assert [entry.author for entry in feed.entries] == ["On the post"]
    assert reader.get(f"/comments/{about.id}/feed/").status_code == 404


def test_the_feed_of_a_post_that_is_not_public_is_not_found(site, reader):
    draft = make_post(status=PostStatus.DRAFT)
    assert reader.get(f"/comments/{draft.id}/feed/").status_code == 404


@pytest.fixture
def seven_comments(site, post) -> list:
    """Seven comments, oldest first, five to a page."""
    site.set("comments_per_page", 5)
    now = utcnow()
    return [
        make_comment(
            post,
            body=f"Number {i}.",
            created_at=now - datetime.timedelta(minutes=20 - i),
        )
        for i in range(7)
    ]


def test_comments_paginate_past_comments_per_page(post, reader, seven_comments):
    made = seven_comments
    first = text(reader.get(post.url))
    assert "Number 0." in first and "Number 5." not in first
    assert f'href="{post.url}?cpage=2#comments"' in first
    second = text(reader.get(f"{post.url}?cpage=2"))
    assert "Number 5." in second and "Number 0." not in second
    assert f'href="{post.url}?cpage=2#comment-{made[6].id}"' in second
    # A page since emptied (or never there) leads to the last page, not a 404.
    past = reader.get(f"{post.url}?cpage=3")
    assert (past.status_code, past.headers["Location"]) == (302, f"{post.url}?cpage=2")
    assert reader.get(f"{post.url}?cpage=x").status_code == 404
    Comment.update(status=CommentStatus.DELETED).where(
        Comment.id.in_([c.id for c in made[5:]])
    ).execute()
    publishing.invalidate_pages()
    gone = reader.get(f"{post.url}?cpage=2")
    assert (gone.status_code, gone.headers["Location"]) == (302, post.url)
    assert "Number 0." in text(reader.get(post.url))


def test_a_reply_sent_back_with_an_error_shows_the_page_of_its_comment(
    post, reader, seven_comments
):
    made = seven_comments
    response = reader.comment(post, parent=str(made[6].id), email="not an address")
    assert response.status_code == 422
    page = text(response)
    assert "Number 6." in page and "Number 0." not in page
    assert "Leave a Reply to" in page


def test_newest_first_order(site, post, reader):
    site.set("comment_order", "newest")
    now = utcnow()
    make_comment(post, body="Older.", created_at=now - datetime.timedelta(hours=1))
    make_comment(post, body="Newer.", created_at=now)
    html = text(reader.get(post.url))
    assert html.index("Newer.") < html.index("Older.")


@pytest.mark.parametrize(
    "order, first, second",
    [
        ("oldest", "Later comments →", "← Earlier comments"),
        ("newest", "Older comments →", "← Newer comments"),
    ],
)
def test_the_comment_pager_names_where_it_leads(
    site, post, reader, seven_comments, order, first, second
):
    site.set("comment_order", order)
    publishing.invalidate_pages()
    assert f'rel="next" href="{post.url}?cpage=2#comments">{first}</a>' in text(
        reader.get(post.url)
    )
    assert f'rel="prev" href="{post.url}#comments">{second}</a>' in text(
        reader.get(f"{post.url}?cpage=2")
    )


def test_a_new_comment_on_a_later_page_redirects_there(site, post, reader):
    site.set("comments_per_page", 5)
    for i in range(5):
        make_comment(
            post,
            body=f"Earlier {i}.",
            created_at=utcnow() - datetime.timedelta(hours=1),
        )
    response = reader.comment(post)
    comment = stored()[-1]
    assert response.headers["Location"] == f"{post.url}?cpage=2#comment-{comment.id}"


@pytest.mark.parametrize("order, page", [("oldest", "?cpage=2"), ("newest", "")])
def test_the_redirect_counts_the_readers_own_waiting_comments(
    site, post, reader, order, page
):
    site.set("comments_per_page", 5)
    site.set("comment_order", order)
    site.set("hold_all", True)
    site.set("check_flood", False)
    for i in range(4):
        make_comment(post, created_at=utcnow() - datetime.timedelta(hours=1, seconds=i))
    reader.comment(post, comment="Held, first.")
    response = reader.comment(post, comment="Held, second.", email="ada@example.net")
    second = stored()[-1]
    assert response.headers["Location"] == f"{post.url}{page}#comment-{second.id}"
    shown = text(reader.get(response.headers["Location"].split("#")[0]))
    assert f'id="comment-{second.id}"' in shown


def test_addresses_past_retention_are_forgotten_when_comments_arrive(
    site, post, reader
):
    site.set("ip_retention_days", 30)
    old = make_comment(post, created_at=utcnow() - datetime.timedelta(days=31))
    recent = make_comment(post, created_at=utcnow() - datetime.timedelta(days=2))
    response = reader.comment(post)
    assert response.status_code == 303
    # Once the response has gone: no reader waits for the purge.
    assert Comment.get_by_id(old.id).ip_hash
    response.close()
    old, recent = Comment.get_by_id(old.id), Comment.get_by_id(recent.id)
    assert (old.ip_hash, old.ip_prefix) == ("", "")
    assert recent.ip_hash
    assert stored()[-1].ip_hash  # the new comment keeps its own, for now


def test_a_page_showing_a_pending_comment_is_private(site, post, reader):
    site.set("hold_all", True)
    reader.comment(post)
    page = reader.get(post.url)
    assert "Your comment is awaiting moderation." in text(page)
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "blog_pending" not in str(page.headers.getlist("Set-Cookie"))


def test_the_pending_cookie_goes_once_the_moderator_has_decided(site, post, reader):
    site.set("hold_all", True)
    reader.comment(post)
    (comment,) = stored()
    Comment.update(status=CommentStatus.APPROVED).where(
        Comment.id == comment.id
    ).execute()
    page = reader.get(post.url)
    assert f'id="comment-{comment.id}"' in text(page)
    assert "awaiting moderation" not in text(page)
    cookies = page.headers.getlist("Set-Cookie")
    assert any(c.startswith("blog_pending=;") and "Max-Age=0" in c for c in cookies)
    assert reader.client.get_cookie("blog_pending") is None


def test_the_pending_cookie_keeps_only_what_still_waits(site, post, reader):
    site.set("hold_all", True)
    site.set("check_flood", False)
    reader.comment(post)
    reader.comment(post, comment="A second thought.")
    first, second = stored()
    Comment.update(status=CommentStatus.APPROVED).where(
        Comment.id == first.id
    ).execute()
    page = reader.get(post.url)
    assert "awaiting moderation" in text(page)
    value = reader.client.get_cookie("blog_pending").value
    assert tokens.read_pending(value, "test secret key") == [second.id]


@pytest.mark.parametrize(
    "value", ["abc", "-1", "99999999", "１", "9" * 40, "other-post"]
)
def test_a_reply_link_to_nothing_here_leaves_an_ordinary_form(post, reader, value):
    if value == "other-post":
        value = str(make_comment(make_post()).id)
    html = text(reader.get(f"{post.url}?replytocom={value}"))
    assert 'name="parent" type="hidden" value=""' in html
    assert "Leave a Reply</span>" in html


def test_only_the_comment_form_is_exempt_from_session_csrf(post, reader):
    assert reader.comment(post).status_code == 303
    # Other forms still need the session's CSRF token.
    response = reader.client.post("/login/", data={"username": "x", "password": "y"})
    assert response.status_code == 400


def test_links_on_a_later_comment_page_keep_the_page(site, post, reader):
    site.set("comments_per_page", 5)
    made = [make_comment(post) for _ in range(6)]
    html = text(reader.get(f"{post.url}?cpage=2"))
    last = made[-1].id
    assert f'href="{post.url}?cpage=2#comment-{last}"' in html
    assert f'href="{post.url}?cpage=2&amp;replytocom={last}#respond"' in html
