"""Random hostile forms against the comment POST: a clear answer, never a 500.

Each case is a form put together at random from good and hostile field names,
values, encodings and cookies (seeded, so a failure names the case that
reproduces it). The app runs with TESTING on, so an unhandled exception
fails the test with its traceback instead of becoming a 500. Whatever the
answer, nothing is stored unless it is 303, and a 303 leads to a stored
comment (a new one, or the one an identical form stored before).
"""

import collections
import random
import re
from urllib.parse import quote

import pytest

from blog.comment_models import Comment
from blog.comments import tokens
from blog.models import utcnow
from tests.factories import make_comment, make_post

CASES = 600
ANSWERS = {303, 400, 403, 404, 409, 413, 415, 422, 429}
FIELDS = ["author", "email", "url", "comment", "parent", "homepage", "token"]

TEXTS = [
    "",
    " ",
    "Thanks, this helped.",
    "x" * 65_526,  # one over the body's limit
    "é" * 300,
    "a\x00b",
    "bell\x07 and escape\x1b[31m",
    "tab\tnew\nline\r\nok",
    "\u202eevil\u202c",
    "🙂" * 50,
    "e\u0301" * 200,
    "\ufeff\u200b\u00a0",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "> " * 5_000 + "deep",
    "[" * 10_000,
    "*" * 10_000 + "_" * 10_000,
    "`" * 3_000,
    "http://" + "a." * 2_000 + "com",
    "mail me: ada@example.org or +1 555 0100",
    "%",
    "%%zz",
    "{{ config }} {% raw %}",
    "' OR 1=1 --",
]
EMAILS = ["", "ada@example.org", "not an email", "a@b", "@", "a" * 95 + "@x.org"]
URLS = [
    "",
    "https://example.org/",
    "javascript:alert(1)",
    "ftp://x",
    "http://",
    "x" * 250,
]
PARENTS = ["", "0", "-1", "1e3", " 7", "99999999999999999999", "abc", "PARENT"]
NAMES = ["", "Ada", "x" * 246, "<b>Ada</b>", "Ada\x00"]
EXTRA_NAMES = ["is_admin", "status", "", "comment[]", "tokén", "author"]


GOOD = {
    "author": "Ada Lindqvist",
    "email": "ada{case}@example.org",
    "url": "",
    "comment": "Thanks, this helped me with my cache (reader {case}).",
    "parent": "",
    "homepage": "",
}


def raw_value(rng, field, token, parent_id, case, hostile):
    if field not in hostile:  # as a reader fills it in
        return token if field == "token" else GOOD.get(field, "").format(case=case)
    if field == "token":
        return rng.choice([token, token, "", "garbage", token[:-3] + "AAA"])
    if field == "parent":
        value = rng.choice(PARENTS)
        return str(parent_id) if value == "PARENT" else value
    pool = {"author": NAMES, "email": EMAILS, "url": URLS}.get(field, TEXTS)
    return rng.choice(pool)


def encode(rng, value: str) -> str:
    """Mostly proper percent-encoding; now and then bytes no browser sends."""
    roll = rng.random()
    if roll < 0.03:
        return value.encode("utf-8", "surrogatepass").hex()[:40] + "%ff%fe"
    if roll < 0.06:
        return value[:200]  # unencoded: '&', '=', '%' and spaces as they are
    return quote(value, safe="")


def random_form(rng, token, parent_id, case) -> bytes:
    fields = [f for f in FIELDS if rng.random() < 0.97]
    if rng.random() < 0.05:
        fields.append(rng.choice(EXTRA_NAMES))
    if rng.random() < 0.03:
        fields += ["comment"] * rng.randint(2, 30)
    rng.shuffle(fields)
    # Mostly one hostile field, so that each hostile value goes deep.
    hostile = set(rng.sample(FIELDS, rng.choice([0, 1, 1, 1, 1, 2, 3])))
    pairs = [
        f"{quote(name)}="
        + encode(rng, raw_value(rng, name, token, parent_id, case, hostile))
        for name in fields
    ]
    return "&".join(pairs).encode("utf-8", "surrogatepass")


@pytest.fixture
def site(app):
    settings = app.extensions["settings"]
    settings.set("min_form_seconds", 0)
    return settings


def test_random_hostile_forms_get_a_clear_answer_and_store_only_on_303(app, site):
    post = make_post(title="On caching", body="Cache all the things.")
    parent_id = make_comment(post).id
    token = tokens.issue(post.id, app.config["SECRET_KEY"], utcnow())
    client = app.test_client()
    rng = random.Random(20261128)
    answers = collections.Counter()
    for case in range(CASES):
        body = random_form(rng, token, parent_id, case)
        content_type = rng.choice(
            ["application/x-www-form-urlencoded"] * 18 + ["text/plain", ""]
        )
        if rng.random() < 0.1:
            client.set_cookie("blog_pending", rng.choice(["", "x" * 3000, "a.b.c"]))
        before = Comment.select().count()
        response = client.post(
            f"/comments/{rng.choice([post.id] * 9 + [post.id + 1000])}/",
            data=body,
            content_type=content_type,
            environ_base={"REMOTE_ADDR": f"203.0.113.{case % 250}"},
        )
        where = f"case {case}: {body[:300]!r}"
        assert response.status_code in ANSWERS, where
        stored = Comment.select().count() - before
        if response.status_code == 303:
            # A new comment, or the same form again: its earlier comment.
            anchor = re.search(r"#comment-(\d+)$", response.location)
            assert anchor and Comment.get_or_none(id=int(anchor[1])), where
            assert stored in (0, 1), where
        else:
            assert stored == 0, where
        answers[response.status_code] += 1
    # The cases reached the pipeline's end as well as its refusals.
    assert {303, 400, 404, 415, 422} <= set(answers), answers
