"""Accessibility and validity of the reader's pages, as the server renders them.

The review ran axe-core (WCAG 2.1 AA) and the Nu HTML validator on every page
in chromium; these tests keep what they found fixed without a browser.
"""

import datetime
import re
from html import unescape

import pytest

from tests import html_checks
from tests.factories import make_comment, make_post, make_staff_reply

TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
CODE_AND_TABLE = """Some text.

```python
print("a line far longer than a phone's screen is wide, so it scrolls sideways")
```

| Setting | Value |
| ------- | ----- |
| a | b |
"""


@pytest.fixture
def site(app):
    settings = app.extensions["settings"]
    settings.set("min_form_seconds", 0)
    return settings


@pytest.fixture
def post(site):
    post = make_post(
        title="On caching",
        body=CODE_AND_TABLE,
        date=datetime.datetime(2024, 6, 23, 12, 0),
        tags=["sqlite"],
        categories=["Notes"],
    )
    first = make_comment(post, body="A first thought:\n\n    code in a comment")
    make_comment(post, body="A reply.", parent=first)
    make_staff_reply(post)
    make_post(title="Another post", tags=["sqlite"])
    return post


class Reader:
    def __init__(self, client):
        self.client = client

    def get(self, url):
        return self.client.get(url, environ_base={"REMOTE_ADDR": "198.51.100.7"})

    def comment(self, post, **fields):
        page = self.get(post.url).get_data(as_text=True)
        data = {
            "comment": "Thanks, this helped.",
            "author": "Ada Lindqvist",
            "email": "ada@example.org",
            "url": "",
            "parent": "",
            "homepage": "",
            "token": unescape(TOKEN.search(page).group(1)),
            **fields,
        }
        return self.client.post(
            f"/comments/{post.id}/",
            data=data,
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )


@pytest.fixture
def reader(client):
    return Reader(client)


def reader_pages(reader, post, site):
    """Every kind of reader page, with the comment form in each of its states."""
    pages = {
        path: reader.get(path)
        for path in (
            "/",
            post.url,
            f"{post.url}?replytocom={post.id}",
            "/2024/",
            "/2024/06/",
            "/tag/sqlite/",
            "/category/notes/",
            "/author/ada-lindqvist/",
            "/search/?q=caching",
            "/search/?q=nothing-matches-this",
            "/search/",
            "/missing/",
        )
    }
    pages["form errors"] = reader.comment(post, author="", email="not an email")
    site.set("hold_all", True)
    reader.comment(post)
    pages["awaiting moderation"] = reader.get(post.url)
    html = {name: response.get_data(as_text=True) for name, response in pages.items()}
    assert 'aria-invalid="true"' in html["form errors"]
    assert "Your comment is awaiting moderation." in html["awaiting moderation"]
    assert "<pre><code>code in a comment" in html[post.url].replace(' tabindex="0"', "")
    assert "<table" in html[post.url]
    return html


@pytest.fixture
def pages(reader, post, site):
    return reader_pages(reader, post, site)


CHECKS = [
    html_checks.parse_errors,
    html_checks.duplicate_ids,
    html_checks.broken_references,
    html_checks.unlabelled_controls,
    html_checks.text_outside_landmarks,
    html_checks.scrollers_without_tab_stop,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_reader_pages_pass(pages, check):
    problems = {name: check(html) for name, html in pages.items()}
    assert {name: found for name, found in problems.items() if found} == {}


def page(body: str) -> str:
    return f"<!doctype html><html lang=en><title>t</title>{body}"


def test_the_checks_catch_what_they_are_for():
    assert html_checks.parse_errors(page("<p><p>a</p></p>"))
    assert html_checks.duplicate_ids(page('<p id="a"></p><p id="a"></p>')) == ["a"]
    assert html_checks.broken_references(page('<input aria-describedby="gone">'))
    assert html_checks.unlabelled_controls(page('<input name="q">'))
    labelled = page('<label>Q <input name="q"></label>')
    assert html_checks.unlabelled_controls(labelled) == []
    assert html_checks.text_outside_landmarks(page("<div>Today</div><main>x</main>"))
    assert html_checks.text_outside_landmarks(page("<header><p>x</p></header>")) == []
    assert html_checks.scrollers_without_tab_stop(page("<pre>wide</pre>"))
    assert html_checks.scrollers_without_tab_stop(
        page("<table class=list><tr><td>a</table>")
    )
    assert (
        html_checks.scrollers_without_tab_stop(page("<table><tr><td>a</table>")) == []
    )
    linked = page('<table class="list"><tr><td><a href="/">a</a></td></tr></table>')
    assert html_checks.scrollers_without_tab_stop(linked) == []


def test_the_comment_form_helps_assistive_technology(pages, post):
    tree = html_checks.parse(pages["form errors"])
    (form,) = tree.iterfind(".//form[@id='commentform']")
    fields = {control.get("name"): control for control in form.iter("input")}
    for name, purpose in (("author", "name"), ("email", "email"), ("url", "url")):
        assert fields[name].get("autocomplete") == purpose
    # The decoy is out of the accessibility tree and the tab order.
    (decoy,) = form.iterfind(".//p[@class='comment-form-homepage']")
    assert decoy.get("aria-hidden") == "true"
    assert fields["homepage"].get("tabindex") == "-1"
    assert fields["homepage"].get("autocomplete") == "off"
    # Each refused field says so and points at its message.
    for name, extra in (("author", ""), ("email", "email-notes ")):
        assert fields[name].get("aria-invalid") == "true"
        assert fields[name].get("aria-describedby") == f"{extra}{name}-error"
    assert fields["url"].get("aria-invalid") is None
    (summary,) = form.iterfind(".//div[@class='form-errors']")
    assert summary.get("role") == "alert"
