"""What a comment's POST costs the server beyond its own work: no query built
afresh, no signed-in user looked for where no cookie could name one."""

import re
from html import unescape

import pytest

from blog.auth import login_manager
from blog.comment_models import Comment
from tests.factories import make_post
from tests.queries import built

TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


@pytest.fixture
def post(app):
    settings = app.extensions["settings"]
    # One reader sending many comments at once, as the benchmark does.
    for key, value in {"check_flood": False, "check_rate": False}.items():
        settings.set(key, value)
    settings.set("min_form_seconds", 0)
    return make_post(title="On caching", body="Cache all the things.")


def _token(client, post) -> str:
    page = client.get(post.url).get_data(as_text=True)
    return unescape(TOKEN.search(page).group(1))


def _send(client, post, number: int, token: str):
    form = {
        "comment": f"Thanks, this helped me a lot ({number}).",
        "author": "Ada Lindqvist",
        "email": "ada@example.org",
        "url": "",
        "parent": "",
        "homepage": "",
        "token": token,
    }
    response = client.post(f"/comments/{post.id}/", data=form)
    assert response.status_code == 303
    return response


def test_a_comment_builds_no_query_once_the_first_is_stored(app, post):
    client = app.test_client()
    token = _token(client, post)
    _send(client, post, 1, token)
    with built() as statements:
        _send(client, post, 2, token)
    assert Comment.select().count() == 2
    assert statements == []


def test_a_reader_without_cookies_is_not_looked_up_as_a_user(app, post, monkeypatch):
    client = app.test_client()
    token = _token(client, post)

    def looked_up():
        raise AssertionError("Flask-Login asked for a reader who sent no cookie")

    monkeypatch.setattr(login_manager, "_load_user", looked_up)
    # A context of the request's own, as in production: the test's keeps `g`.
    with app.app_context():
        _send(client, post, 1, token)
    assert Comment.select().count() == 1
