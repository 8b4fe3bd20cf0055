"""Fixtures for the dashboard: a user of each role and a client that signs in."""

import threading
import time

import pytest
from argon2 import PasswordHasher

from blog import accounts, db, markup
from blog.comment_models import Comment
from blog.comments import actions, privacy
from blog.comments.spam import classifier
from blog.models import Role
from tests.conftest import csrf_token

PASSWORD = "correct horse battery"


class Browser:
    """A test client used as a browser would: CSRF tokens read from forms.

    Each request runs in an app context of its own, as in production: the
    test's context outlives requests, and Flask-Login and Flask-WTF keep the
    signed-in user and the CSRF token in its `g`.
    """

    def __init__(self, client):
        self.client = client

    def _send(self, method: str, path: str, **kwargs):
        with self.client.application.app_context():
            return self.client.open(path, method=method, **kwargs)

    def token(self, page: str = "/login/") -> str:
        return csrf_token(self.get(page).get_data(as_text=True))

    def login(self, username: str, password: str = PASSWORD, **kwargs):
        data = {"csrf_token": self.token(), "username": username, "password": password}
        return self._send("POST", "/login/", data=data, **kwargs)

    def get(self, path: str, **kwargs):
        return self._send("GET", path, **kwargs)

    def post(self, path: str, data=None, page: str = "/admin/", **kwargs):
        data = {"csrf_token": self.token(page), **(data or {})}
        return self._send("POST", path, data=data, **kwargs)

    def post_raw(self, path: str, **kwargs):
        """A POST with exactly the data given: no token added."""
        return self._send("POST", path, **kwargs)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Argon2 with its cheapest settings: the tests hash many passwords."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", cheap)


@pytest.fixture
def users(app):
    return {
        role.value: accounts.create_user(
            role.value, PASSWORD, role, email=f"{role.value}@example.org"
        )
        for role in Role
    }


@pytest.fixture
def browser_for(app, users):
    """browser_for("moderator") is a Browser signed in with that role."""

    def make(role: str | None = None) -> Browser:
        browser = Browser(app.test_client())
        if role:
            response = browser.login(role)
            assert response.status_code == 302, response.get_data(as_text=True)
            response.close()  # as a server does: work left for after it runs
        return browser

    return make


@pytest.fixture
def admin(browser_for) -> Browser:
    return browser_for("admin")


def make_comment(post, status="pending", **fields):
    """A reader's comment as the pipeline stores it."""
    body = fields.pop("body", "A thoughtful comment.")
    email = fields.pop("author_email", "reader@example.net")
    values = {
        "post": post,
        "author_name": "Reader",
        "author_email": email,
        "email_hash": privacy.hash_email(email, "test secret key"),
        "author_url": "https://reader.example.net/",
        "body": body,
        "body_html": markup.render_comment(body),
        "status": status,
        "ip_hash": privacy.hash_ip("203.0.113.7", "test secret key"),
        "ip_prefix": "203.0.113.0/24",
    }
    values.update(fields)
    return Comment.create(**values)


def offers_from_their_own_senders(post, count: int) -> list[Comment]:
    """Approved comments each from its own email, website and address, every
    other one learned as good: what a bulk spam mark meets on a live site."""
    comments = [
        make_comment(
            post,
            "approved",
            body=f"Offer {n}: cheap watches {n}",
            author_email=f"sender{n}@example.com",
            author_url=f"https://shop{n}.example.net/",
            ip_hash=f"ip-{n}",
        )
        for n in range(count)
    ]
    for comment in comments[::2]:
        classifier.learn_from_decision(comment, spam=False)
    return comments


def at_once(app, first, second, started: threading.Event) -> list:
    """Run two moderators' work in threads, the second once the first has
    started (`started` set); the errors either raised."""
    failures = []

    def moderate(work, wait: bool):
        try:
            with app.app_context():
                db.database.connect(reuse_if_open=True)
                if wait:
                    assert started.wait(timeout=10)
                work()
                db.database.close()
        except Exception as error:  # reported from the test's own thread
            failures.append(error)

    moderators = [
        threading.Thread(target=moderate, args=(first, False)),
        threading.Thread(target=moderate, args=(second, True)),
    ]
    for moderator in moderators:
        moderator.start()
    for moderator in moderators:
        moderator.join(timeout=30)
    return failures


def linger_after(monkeypatch, action: str) -> threading.Event:
    """Make a moderator's `action` stop for half a second once logged, inside
    its transaction; the event is set when it starts to wait."""
    logged, log = threading.Event(), actions._log

    def log_then_linger(done, *args, **kwargs):
        log(done, *args, **kwargs)
        if done == action:
            logged.set()
            time.sleep(0.5)  # the other request arrives meanwhile

    monkeypatch.setattr(actions, "_log", log_then_linger)
    return logged
