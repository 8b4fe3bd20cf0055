"""A post's pages of comments (?cpage=N): one address each, as listings."""

import pytest

from tests.factories import make_comment, make_post
from tests.test_reader import assert_themed_error


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
