"""A worker whose PostgreSQL connection the server closed opens a new one."""

import re
from html import unescape

import psycopg2
import pytest

from blog import db
from blog.comment_models import Comment
from blog.comments import pipeline
from tests.conftest import POSTGRES_URL
from tests.factories import make_post

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL closing a connection is what this tests"
)


def _server_closes_the_connection():
    backend = db.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    with psycopg2.connect(POSTGRES_URL) as other:
        other.cursor().execute("SELECT pg_terminate_backend(%s)", [backend])
    other.close()


def test_pages_are_served_after_the_database_server_closed_the_connection(app, client):
    """A restart, a failover or an idle timeout ends the worker's connection:
    the read that finds out reads again on a new one."""
    url = make_post(title="Still here").url
    _server_closes_the_connection()
    assert client.get(url).status_code == 200
    assert client.get("/").status_code == 200


def _form(client, post) -> dict:
    page = client.get(post.url).get_data(as_text=True)
    token = unescape(re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1])
    return {
        "author": "Ada",
        "email": "ada@example.org",
        "comment": "Written as the database restarted.",
        "token": token,
        "homepage": "",
    }


def test_a_comment_sent_after_the_connection_was_lost_is_taken(app):
    app.extensions["settings"].set("min_form_seconds", 0)
    post = make_post()
    client = app.test_client()
    form, action = _form(client, post), f"/comments/{post.id}/"
    _server_closes_the_connection()
    assert client.post(action, data=form).status_code == 303
    assert Comment.select().count() == 1


def test_a_comment_whose_transaction_loses_the_connection_comes_back(app, monkeypatch):
    """Whether its work was done is unknown: the reader sends it again, and the
    form's key keeps a copy that did get stored from being stored twice."""
    app.extensions["settings"].set("min_form_seconds", 0)
    post = make_post()
    client = app.test_client()
    form, action = _form(client, post), f"/comments/{post.id}/"
    record = pipeline._record

    def lost_midway(*args):
        monkeypatch.setattr(pipeline, "_record", record)
        _server_closes_the_connection()
        return record(*args)

    monkeypatch.setattr(pipeline, "_record", lost_midway)
    response = client.post(action, data=form)
    assert response.status_code == 503
    assert "Written as the database restarted.</textarea>" in response.get_data(
        as_text=True
    )
    assert client.post(action, data=form).status_code == 303
    assert Comment.select().count() == 1
