import datetime
import json
import threading
import time

import pytest

from blog import db
from blog.comment_models import Comment, CommentStatus
from blog.comments import actions, pipeline, privacy, store, tokens
from blog.comments.pipeline import Submission
from blog.comments.spam import Outcome, Verdict
from blog.comments.spam.guards import TooManyComments
from blog.comments.validate import CommentsClosed, PostNotFound, ValidationError
from blog.models import PostStatus
from tests.conftest import POSTGRES_URL
from tests.factories import make_comment

from .conftest import NOW, default_settings

SECRET = "pipeline secret"
IP = "203.0.113.77"
EMAIL = "ada.lovelace@example.org"


@pytest.fixture(autouse=True)
def content_checks(monkeypatch):
    """The content checks, recorded and answered without a database."""
    seen = []
    answers = []

    def fake(fields, settings, staff):
        seen.append(fields)
        return list(answers)

    monkeypatch.setattr(pipeline, "content_verdicts", fake)
    return type("Checks", (), {"seen": seen, "answers": answers})


def form(token=None, **changes):
    values = {
        "author": "Ada",
        "email": EMAIL,
        "url": "https://ada.example/",
        "comment": "Nice post. Write to me at ada@example.net or 555-123-4567.",
        "parent": "",
        "token": token or tokens.issue(1, SECRET, NOW - datetime.timedelta(minutes=2)),
        "homepage": "",
    }
    values.update(changes)
    return values


def prepare(settings=None, ip=IP, **changes):
    return pipeline.prepare(
        Submission(1, form(**changes), ip), settings or default_settings(), SECRET, NOW
    )


def test_prepare_masks_hashes_and_renders_before_the_checks_see_anything(
    content_checks,
):
    draft = prepare()
    assert "ada@example.net" not in draft.private.body
    assert "555-123-4567" not in draft.private.body
    assert draft.body_html.startswith("<p>Nice post.")
    assert "[email hidden]" in draft.body_html
    assert draft.private.ip_hash == privacy.hash_ip(IP, SECRET)
    assert draft.private.ip_prefix == "203.0.113.0/24"
    assert draft.form_age == 120.0
    (fields,) = content_checks.seen
    assert set(fields) == {
        "author_name",
        "author_email",
        "author_url",
        "body",
        "email_hash",
        "ip_hash",
    }
    assert fields["body"] == draft.private.body
    assert fields["email_hash"] == privacy.hash_email(EMAIL, SECRET)
    assert IP not in json.dumps(fields)


@pytest.mark.parametrize(
    ("typed", "masked", "counted"),
    [
        ("Mail jane.doe&#64;example.com", "Mail [email hidden]", "1 email"),
        (r"Mail jane.doe\@example.com", "Mail [email hidden]", "1 email"),
        ("Mail jane.doe&commat;example.com", "Mail [email hidden]", "1 email"),
        ("Call &#43;44 20 7946 0958", "Call [phone hidden]", "1 phone"),
    ],
)
def test_prepare_masks_encoded_contacts_before_anything_sees_them(
    content_checks, typed, masked, counted
):
    draft = prepare(comment=typed)
    assert draft.private.body == masked
    assert counted in draft.private.verdict.reason
    assert content_checks.seen[0]["body"] == masked
    assert draft.body_html == f"<p>{masked}</p>\n"


def test_prepare_masks_what_the_rendered_html_shows(content_checks):
    # A link split by markup shows an address only once rendered.
    draft = prepare(comment="[jane@](https://x.example)example.com")
    assert "[email hidden]" in draft.body_html
    assert "jane@" not in draft.body_html


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "This form could not be checked. Please send it again."),
        ("forged.token", "This form could not be checked. Please send it again."),
        (
            tokens.issue(2, SECRET, NOW),
            "This form could not be checked. Please send it again.",
        ),
        (
            tokens.issue(1, "other site", NOW),
            "This form could not be checked. Please send it again.",
        ),
        (
            tokens.issue(1, SECRET, NOW - datetime.timedelta(hours=73)),
            "This form has expired. Please send your comment again.",
        ),
    ],
    ids=["empty", "forged", "other-post", "other-site", "expired"],
)
def test_a_bad_token_is_a_form_error(token, message):
    with pytest.raises(ValidationError) as caught:
        prepare(token=token or " ")
    assert caught.value.errors == {"form": message}
    assert caught.value.status == 400


def test_token_lifetime_is_a_setting():
    old = tokens.issue(1, SECRET, NOW - datetime.timedelta(hours=5))
    with pytest.raises(ValidationError):
        prepare(settings=default_settings(max_form_hours=4), token=old)
    assert prepare(settings=default_settings(max_form_hours=6), token=old)


def test_validation_runs_before_the_token_is_read(content_checks):
    with pytest.raises(ValidationError) as caught:
        prepare(author="", token="forged")
    assert caught.value.errors == {"author": "Name is required."}
    assert content_checks.seen == []


def test_the_same_form_has_the_same_idempotency_key():
    token = tokens.issue(1, SECRET, NOW - datetime.timedelta(minutes=1))
    assert prepare(token=token).key == prepare(token=token).key


@pytest.mark.parametrize(
    "changes",
    [
        {"comment": "Another text"},
        {"email": "bob@example.org"},
        {"author": "Bob"},
        {"url": "https://bob.example/"},
        {"parent": "3"},
        {"token": tokens.issue(1, SECRET, NOW - datetime.timedelta(minutes=1))},
    ],
    ids=["body", "email", "author", "url", "parent", "token"],
)
def test_readers_sharing_a_cached_token_get_different_keys(changes):
    token = tokens.issue(1, SECRET, NOW - datetime.timedelta(minutes=1))
    base = prepare(token=token).key
    assert prepare(**({"token": token} | changes)).key != base
    assert len(base) == 64


def test_readers_at_other_addresses_get_different_keys():
    token = tokens.issue(1, SECRET, NOW - datetime.timedelta(minutes=1))
    assert prepare(token=token).key != prepare(token=token, ip="198.51.100.9").key


def test_run_collects_every_verdict_in_order(content_checks, history):
    content_checks.answers.append(Verdict("links", Outcome.PASS, "1 link"))
    decision = pipeline.run(prepare(), default_settings(), history, NOW)
    assert decision.status is CommentStatus.APPROVED
    assert [v.check for v in decision.verdicts] == [
        "privacy",
        "honeypot",
        "form_age",
        "flood",
        "rate",
        "duplicate",
        "links",
        "policy",
    ]
    assert all(v.reason for v in decision.verdicts)
    assert (decision.parent_id, decision.thread_id, decision.depth) == (None, None, 0)


@pytest.mark.parametrize(
    ("changes", "answer", "status"),
    [
        ({"homepage": "http://spam.example"}, None, CommentStatus.SPAM),
        ({"token": tokens.issue(1, SECRET, NOW)}, None, CommentStatus.SPAM),
        ({}, Verdict("links", Outcome.HOLD, "4 links"), CommentStatus.PENDING),
        ({}, Verdict("blocklist", Outcome.SPAM, "blocked"), CommentStatus.SPAM),
    ],
    ids=["decoy", "too-fast", "held", "blocked"],
)
def test_run_status(changes, answer, status, content_checks, history):
    if answer:
        content_checks.answers.append(answer)
    decision = pipeline.run(prepare(**changes), default_settings(), history, NOW)
    assert decision.status is status


def test_run_holds_a_first_commenter_when_the_site_asks(history):
    values = default_settings(require_approved_before=True)
    draft = prepare(settings=values)
    assert pipeline.run(draft, values, history, NOW).status is CommentStatus.PENDING
    email_hash, name = draft.private.email_hash, draft.fields.author_name
    history.add(email_hash=email_hash, author_name=name, user_id=1)
    assert pipeline.run(draft, values, history, NOW).status is CommentStatus.PENDING
    history.add(email_hash=email_hash, author_name=name + "!")
    assert pipeline.run(draft, values, history, NOW).status is CommentStatus.PENDING
    history.add(email_hash=email_hash, author_name=name)
    assert pipeline.run(draft, values, history, NOW).status is CommentStatus.APPROVED


def test_run_refuses_a_flood_before_anything_is_stored(history):
    draft = prepare()
    history.add(
        ip_hash=draft.private.ip_hash, created_at=NOW - datetime.timedelta(seconds=3)
    )
    with pytest.raises(TooManyComments) as caught:
        pipeline.run(draft, default_settings(), history, NOW)
    assert caught.value.retry_after == 12


def test_run_refuses_a_duplicate(history):
    draft = prepare()
    history.add(post_id=1, author_name="Ada", body=draft.private.body)
    with pytest.raises(ValidationError) as caught:
        pipeline.run(draft, default_settings(), history, NOW)
    assert "already posted" in caught.value.errors["comment"]


def _thread(history, levels, post_id=1):
    """A chain of approved replies, one per level; returns them top first."""
    chain = []
    for depth in range(levels):
        parent = chain[-1] if chain else None
        chain.append(
            history.add(
                post_id=post_id,
                depth=depth,
                parent_id=parent.id if parent else None,
                thread_id=chain[0].id if chain else None,
            )
        )
    return chain


def test_place_a_top_level_comment(history):
    assert pipeline.place(None, 1, history.comment, default_settings()) == (
        None,
        None,
        0,
    )


@pytest.mark.parametrize(
    ("reply_to_level", "thread_depth", "parent_level", "depth"),
    [
        (0, 5, 0, 1),  # a reply to a top-level comment
        (3, 5, 3, 4),  # down to the deepest level (thread_depth - 1)
        (4, 5, 3, 4),  # past it: attaches beside its parent, at the deepest level
        (4, 3, 1, 2),  # the setting lowered since: climbs until it fits
        (2, 1, None, 0),  # no replies at all: a top-level comment
    ],
)
def test_place_a_reply(reply_to_level, thread_depth, parent_level, depth, history):
    chain = _thread(history, 5)
    values = default_settings(thread_depth=thread_depth)
    parent, thread, found_depth = pipeline.place(
        chain[reply_to_level].id, 1, history.comment, values
    )
    if parent_level is None:
        assert (parent, thread) == (None, None)
    else:
        assert parent == chain[parent_level].id
        assert thread == chain[0].id
    assert found_depth == depth


@pytest.mark.parametrize(
    "parent",
    [
        {"post_id": 2},
        {"status": CommentStatus.PENDING},
        {"status": CommentStatus.SPAM},
        {"status": CommentStatus.DELETED},
    ],
)
def test_a_reply_to_a_comment_that_is_not_shown_here_is_refused(parent, history):
    found = history.add(**parent)
    with pytest.raises(ValidationError) as caught:
        pipeline.place(found.id, 1, history.comment, default_settings())
    assert caught.value.status == 400
    assert "no longer available" in caught.value.errors["parent"]


def test_a_reply_to_a_missing_comment_is_refused(history):
    with pytest.raises(ValidationError):
        pipeline.place(999, 1, history.comment, default_settings())


# submit(): the steps and the store together, on the test database.


@pytest.fixture
def post(app):
    from tests.factories import make_post

    return make_post()


def submission(post, ip=IP, **changes):
    token = tokens.issue(post.id, SECRET, NOW - datetime.timedelta(minutes=2))
    return Submission(post.id, form(token=token, **changes), ip)


def test_submit_stores_the_comment_with_its_verdicts(post):
    outcome = pipeline.submit(submission(post), default_settings(), SECRET, NOW)
    assert outcome.status is CommentStatus.APPROVED
    assert not outcome.replayed
    stored = Comment.get_by_id(outcome.comment.id)
    assert stored.post_id == post.id
    assert stored.author_email == EMAIL
    assert stored.email_hash == privacy.hash_email(EMAIL, SECRET)
    assert stored.ip_hash == privacy.hash_ip(IP, SECRET)
    assert stored.ip_prefix == "203.0.113.0/24"
    assert "ada@example.net" not in stored.body + stored.body_html
    assert stored.body_html.startswith("<p>Nice post.")
    assert stored.created_at == NOW
    assert len(stored.idempotency_key) == 64
    verdicts = json.loads(stored.verdicts)
    assert verdicts[0]["check"] == "privacy"
    assert verdicts[-1] == {
        "check": "policy",
        "outcome": "pass",
        "reason": "every check passed",
        "score": None,
    }
    assert all(set(v) == {"check", "outcome", "reason", "score"} for v in verdicts)


def test_the_same_form_twice_stores_once(post):
    sent = submission(post)
    first = pipeline.submit(sent, default_settings(), SECRET, NOW)
    again = pipeline.submit(sent, default_settings(), SECRET, NOW)
    assert again.replayed
    assert again.comment.id == first.comment.id
    assert Comment.select().count() == 1


def test_a_race_on_the_same_form_stores_once(post, monkeypatch):
    """Two workers pass the key lookup together; the unique key stops the second."""
    settings = default_settings(check_flood=False, check_duplicate=False)
    sent = submission(post)
    first = pipeline.submit(sent, settings, SECRET, NOW)
    real_by_key = store.by_key
    calls = []

    def by_key_missing_once(key):
        calls.append(key)
        return None if len(calls) == 1 else real_by_key(key)

    monkeypatch.setattr(store, "by_key", by_key_missing_once)
    again = pipeline.submit(sent, settings, SECRET, NOW)
    assert again.replayed and again.comment.id == first.comment.id
    assert len(calls) == 2
    assert Comment.select().count() == 1


def test_a_second_comment_too_soon_is_refused_and_not_stored(post):
    pipeline.submit(submission(post), default_settings(), SECRET, NOW)
    later = NOW + datetime.timedelta(seconds=5)
    with pytest.raises(TooManyComments) as caught:
        pipeline.submit(
            submission(post, comment="Another thought."),
            default_settings(),
            SECRET,
            later,
        )
    assert caught.value.retry_after == 10
    assert Comment.select().count() == 1


@pytest.mark.parametrize(
    "settings, second",
    [
        (default_settings(), {"comment": "Another thought."}),
        (
            default_settings(check_flood=False, rate_limit=1),
            {"comment": "Another thought.", "email": "other@example.org"},
        ),
    ],
)
def test_a_sender_going_too_fast_is_refused_before_the_costly_work(
    post, monkeypatch, content_checks, settings, second
):
    """Rendering and checking a comment built to be slow takes seconds: a
    flood of them is refused on the sender's history alone."""
    pipeline.submit(submission(post), settings, SECRET, NOW)
    rendered = []
    monkeypatch.setattr(pipeline.rendering, "render", rendered.append)
    later = NOW + datetime.timedelta(seconds=5)
    with pytest.raises(TooManyComments):
        pipeline.submit(submission(post, **second), settings, SECRET, later)
    assert len(content_checks.seen) == 1 and rendered == []


def test_the_same_form_again_within_the_flood_gap_gets_its_answer(post):
    sent = submission(post)
    first = pipeline.submit(sent, default_settings(), SECRET, NOW)
    later = NOW + datetime.timedelta(seconds=5)
    again = pipeline.submit(sent, default_settings(), SECRET, later)
    assert again.replayed and again.comment.id == first.comment.id


def test_an_approved_comment_refreshes_public_pages(app, post):
    generation = app.extensions["generation"]
    before = generation.current()
    pipeline.submit(submission(post), default_settings(), SECRET, NOW)
    assert generation.current() != before


def test_each_of_comments_in_quick_succession_refreshes_public_pages(app, post):
    generation = app.extensions["generation"]
    seen = [generation.current()]
    for number in range(5):
        sent = submission(post, ip=f"198.51.100.{number}", comment=f"Thought {number}")
        pipeline.submit(sent, default_settings(check_flood=False), SECRET, NOW)
        seen.append(generation.current())
    assert len(set(seen)) == len(seen)


@pytest.mark.parametrize(
    ("changes", "answer", "status"),
    [
        ({"homepage": "I am a robot"}, [], CommentStatus.SPAM),
        ({}, [Verdict("links", Outcome.HOLD, "3 links")], CommentStatus.PENDING),
    ],
)
def test_a_held_or_spam_comment_leaves_public_pages_alone(
    app, post, changes, answer, status, content_checks
):
    content_checks.answers.extend(answer)
    generation = app.extensions["generation"]
    before = generation.current()
    outcome = pipeline.submit(
        submission(post, **changes), default_settings(), SECRET, NOW
    )
    assert outcome.status is status
    assert generation.current() == before


def test_replies_are_threaded_on_submit(post):
    top = pipeline.submit(submission(post), default_settings(), SECRET, NOW).comment
    reply = pipeline.submit(
        submission(
            post,
            ip="198.51.100.1",
            email="bob@example.org",
            author="Bob",
            comment="A reply.",
            parent=str(top.id),
        ),
        default_settings(),
        SECRET,
        NOW,
    ).comment
    assert (reply.parent_id, reply.thread_id, reply.depth) == (top.id, top.id, 1)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"comments_open": False}, CommentsClosed),
        ({"date": NOW - datetime.timedelta(days=40)}, CommentsClosed),
        ({"status": PostStatus.DRAFT}, PostNotFound),
        ({"kind": "page"}, PostNotFound),
        ({"date": NOW + datetime.timedelta(days=1)}, PostNotFound),
    ],
)
def test_posts_that_take_no_comments(app, fields, error):
    from tests.factories import make_post

    closed = make_post(**fields)
    with pytest.raises(error):
        pipeline.submit(
            submission(closed), default_settings(close_after_days=30), SECRET, NOW
        )
    assert Comment.select().count() == 0


def test_a_missing_post(app):
    with pytest.raises(PostNotFound):
        pipeline.submit(Submission(4242, form(), IP), default_settings(), SECRET, NOW)


@pytest.mark.parametrize(
    "status", [CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.DELETED]
)
def test_a_reply_into_a_thread_taken_off_the_page_is_refused(status, history):
    """Its first comment out, the thread is not shown: a reply would vanish."""
    chain = _thread(history, 3)
    chain[0].status = status
    with pytest.raises(ValidationError) as caught:
        pipeline.place(chain[2].id, 1, history.comment, default_settings())
    assert "no longer available" in caught.value.errors["parent"]


def test_a_reply_past_the_deepest_level_skips_an_ancestor_not_shown(history):
    chain = _thread(history, 5)
    chain[3].status = CommentStatus.DELETED
    found = pipeline.place(chain[4].id, 1, history.comment, default_settings())
    assert found == (chain[2].id, chain[0].id, 3)


# submit() from several workers at once on PostgreSQL, where READ COMMITTED lets
# two transactions both read the history before either has inserted.

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's concurrent writers are what this test exercises "
    "(SQLite takes its write lock before reading the history)",
)


def _submit_at_once(app, monkeypatch, sent: list, settings) -> list:
    """Submit each in its own thread and connection, all at once; what each
    returned or raised. Every one lingers after the guards, before its insert."""
    run = pipeline.run

    def run_then_linger(*args):
        decision = run(*args)
        time.sleep(0.3)  # the others read the history meanwhile
        return decision

    monkeypatch.setattr(pipeline, "run", run_then_linger)
    start, results = threading.Barrier(len(sent)), [None] * len(sent)

    def send(index):
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            start.wait(timeout=10)
            try:
                results[index] = pipeline.submit(sent[index], settings, SECRET, NOW)
            except Exception as error:  # compared in the test's own thread
                results[index] = error
            db.database.close()

    senders = [threading.Thread(target=send, args=(i,)) for i in range(len(sent))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=30)
    return results


def _refused(results, kind) -> int:
    return sum(isinstance(result, kind) for result in results)


@needs_postgres
@pytest.mark.parametrize(
    "changes",
    [
        [{"ip": "198.51.100.1"}, {"ip": "198.51.100.2"}],  # one email
        [{"email": "a@example.org"}, {"email": "b@example.org"}],  # one address
    ],
)
def test_two_comments_from_one_sender_at_once_pass_the_flood_control_once(
    app, post, monkeypatch, changes
):
    sent = [
        submission(post, comment=f"Thought {n}.", **change)
        for n, change in enumerate(changes)
    ]
    results = _submit_at_once(app, monkeypatch, sent, default_settings())
    assert _refused(results, TooManyComments) == 1
    assert Comment.select().count() == 1


@needs_postgres
def test_comments_from_one_address_at_once_keep_to_the_rate_limit(
    app, post, monkeypatch
):
    sent = [
        submission(post, email=f"reader{n}@example.org", comment=f"Thought {n}.")
        for n in range(8)
    ]
    settings = default_settings(check_flood=False)
    results = _submit_at_once(app, monkeypatch, sent, settings)
    assert _refused(results, TooManyComments) == 3
    assert Comment.select().count() == settings["rate_limit"] == 5


@needs_postgres
def test_the_same_text_sent_twice_at_once_is_stored_once(app, post, monkeypatch):
    # Two forms, one author by name alone: no key, email or address in common.
    sent = [
        submission(post),
        submission(post, ip="198.51.100.9", email="ada@example.net"),
    ]
    results = _submit_at_once(
        app, monkeypatch, sent, default_settings(check_flood=False)
    )
    assert _refused(results, ValidationError) == 1
    assert Comment.select().count() == 1


@needs_postgres
@pytest.mark.parametrize("level", ["top", "reply"])
def test_a_reply_sent_while_its_parent_is_marked_spam_is_refused(
    app, post, monkeypatch, level
):
    """The moderator's decision is waited for and seen: a reply placed under a
    comment just taken out would show under spam, or vanish with its thread."""
    parent = make_comment(post)
    if level == "reply":
        parent = make_comment(post, parent=parent)
    decided, results = threading.Event(), []
    log = actions._log

    def log_then_linger(*args, **kwargs):
        log(*args, **kwargs)
        decided.set()
        time.sleep(0.5)  # the reply arrives meanwhile

    monkeypatch.setattr(actions, "_log", log_then_linger)

    def moderate():
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            actions.apply("spam", [parent.id], None)
            db.database.close()

    def reply():
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            assert decided.wait(timeout=10)
            sent = submission(post, comment="A reply.", parent=str(parent.id))
            try:
                pipeline.submit(sent, default_settings(), SECRET, NOW)
            except ValidationError as error:
                results.append(error)
            db.database.close()

    workers = [threading.Thread(target=moderate), threading.Thread(target=reply)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert len(results) == 1
    assert Comment.select().where(Comment.parent == parent.id).count() == 0
