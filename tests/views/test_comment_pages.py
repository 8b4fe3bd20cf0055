"""A post's pages of comments (?cpage=N): one address each, as listings."""

import re

import pytest

from tests.factories import make_comment, make_post
from tests.test_reader import assert_themed_error

SITE_URL = "http://127.0.0.1:8000"  # the default, for <link rel="canonical">
# A form sent from a page of the site, as a browser says so.
SAME_ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def post(app):
    app.extensions["settings"].set("comments_per_page", 5)
    found = make_post(title="On caching", body="Cache all the things.")
    for number in range(7):
        make_comment(found, body=f"Number {number}.")
    return found


@pytest.mark.parametrize(
    "query, moved_to",
    [
        ("cpage=1", ""),
        ("cpage=", ""),
        ("replytocom=3&cpage=1", "?replytocom=3"),
        ("cpage=1&replytocom=3", "?replytocom=3"),
        ("cpage=02", "?cpage=2"),
        ("cpage=2&cpage=2", "?cpage=2"),
    ],
)
def test_a_page_of_comments_has_one_address(client, post, query, moved_to):
    """Page 1 is the post itself: ?cpage=1 served a copy of it."""
    response = client.get(f"{post.url}?{query}")
    assert response.status_code == 301
    assert response.headers["Location"] == post.url + moved_to
    assert client.get(post.url + moved_to).status_code == 200


@pytest.mark.parametrize("cpage", ["abc", "0", "-1", "1.5", "２", "99999999", "1e3"])
def test_a_page_number_that_names_no_page_is_missing(client, post, cpage):
    """As a listing's ?page=: a missing page (404), not a bad request (400)."""
    assert_themed_error(client.get(f"{post.url}?cpage={cpage}"), 404)


def canonical(html: str) -> list[str]:
    return re.findall(r'<link rel="canonical" href="([^"]*)">', html)


@pytest.mark.parametrize(
    "query, address",
    [("", ""), ("cpage=2", "?cpage=2"), ("cpage=2&replytocom=3&ref=x", "?cpage=2")],
)
def test_a_page_of_comments_names_itself_for_search_engines(
    client, post, query, address
):
    """As WordPress does: page 2's comments are no copy of page 1's to drop."""
    html = client.get(f"{post.url}?{query}").get_data(as_text=True)
    assert canonical(html) == [SITE_URL + post.url + address]


def test_a_form_shown_again_names_the_post_for_search_engines(client, post):
    """Not /comments/<id>/, an address that answers only a POST."""
    response = client.post(
        f"/comments/{post.id}/", data={"comment": "No name."}, headers=SAME_ORIGIN
    )
    assert response.status_code == 422
    assert canonical(response.get_data(as_text=True)) == [SITE_URL + post.url]


def test_the_address_of_a_form_shown_again_leads_back_to_the_post(client, post):
    """Opened again from the address bar (or shared), it answered 405."""
    response = client.get(f"/comments/{post.id}/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{post.url}#respond"


def test_the_form_address_of_no_post_is_missing(client, post):
    assert_themed_error(client.get(f"/comments/{post.id + 1}/"), 404)


def title(html: str) -> str:
    return re.search(r"<title>([^<]*)</title>", html).group(1)


@pytest.mark.parametrize(
    "form",
    [
        {"comment": "No name."},  # a field's message
        {"comment": "Hi.", "author": "Ann", "email": "ann@example.org", "token": "x"},
    ],
)
def test_a_form_shown_again_says_error_in_the_title(client, post, form):
    """The title is what a screen reader reads first; the page looks like the post."""
    assert title(client.get(post.url).get_data(as_text=True)).startswith("On caching")
    response = client.post(f"/comments/{post.id}/", data=form, headers=SAME_ORIGIN)
    assert response.status_code in (400, 422)
    assert title(response.get_data(as_text=True)).startswith("Error: On caching")
