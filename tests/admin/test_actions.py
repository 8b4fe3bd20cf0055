"""Moderation actions as plain functions: states, audit, classifier, blocklist."""

import datetime
import threading
import time
from itertools import pairwise

import pytest
from peewee import fn

from blog import db
from blog.comment_models import BlockedItem, Comment, SpamLesson, SpamToken
from blog.comments import actions
from blog.models import AuditEntry, utcnow
from tests.admin.conftest import at_once, linger_after, make_comment
from tests.conftest import POSTGRES_URL
from tests.factories import make_post
from tests.queries import statements


@pytest.fixture
def post(app):
    return make_post(title="Commented")


def _status(comment) -> str:
    return Comment.get_by_id(comment.id).status


def _tokens() -> tuple[int, int]:
    row = SpamToken.select(fn.SUM(SpamToken.spam), fn.SUM(SpamToken.ham)).tuples()
    spam, ham = row.get()
    return spam or 0, ham or 0


@pytest.mark.parametrize(
    "action, before, after",
    [
        ("approve", "pending", "approved"),
        ("unapprove", "approved", "pending"),
        ("spam", "pending", "spam"),
        ("spam", "approved", "spam"),
        ("not_spam", "spam", "approved"),
        ("trash", "pending", "deleted"),
        ("trash", "spam", "deleted"),
    ],
)
def test_each_action_moves_the_comment_and_is_audited(
    post, users, action, before, after
):
    comment = make_comment(post, before)
    result = actions.apply(action, [comment.id], users["moderator"])
    assert result.done == [comment.id]
    assert _status(comment) == after
    entry = AuditEntry.get(AuditEntry.object_id == comment.id)
    assert entry.action == f"comment.{action}"
    assert (entry.from_state, entry.to_state) == (before, after)
    assert entry.actor == "moderator"
    assert entry.user_id == users["moderator"].id


@pytest.mark.parametrize("before", ["pending", "approved", "spam"])
def test_restore_returns_to_the_state_before_the_trash(post, users, before):
    comment = make_comment(post, before)
    actions.apply("trash", [comment.id], users["moderator"])
    assert Comment.get_by_id(comment.id).previous_status == before
    actions.apply("restore", [comment.id], users["moderator"])
    restored = Comment.get_by_id(comment.id)
    assert (restored.status, restored.previous_status) == (before, "")


def test_delete_permanently_only_from_the_trash(post, users):
    kept, trashed = make_comment(post, "pending"), make_comment(post, "deleted")
    result = actions.apply("delete", [kept.id, trashed.id], users["moderator"])
    assert (result.done, result.skipped) == ([trashed.id], [kept.id])
    assert Comment.get_or_none(Comment.id == trashed.id) is None
    assert _status(kept) == "pending"
    entry = AuditEntry.get(AuditEntry.action == "comment.delete")
    assert (entry.object_id, entry.from_state, entry.to_state) == (
        trashed.id,
        "deleted",
        "",
    )


def test_a_mixed_selection_does_what_applies_and_says_so(post, users):
    pending, spam = make_comment(post, "pending"), make_comment(post, "spam")
    result = actions.apply("approve", [pending.id, spam.id], users["moderator"])
    assert result.done == [pending.id]
    assert result.skipped == [spam.id]
    assert result.summary() == (
        "Approve: 1 comment(s); 1 skipped (not in a state it applies to)"
    )


def test_an_unknown_action_is_refused(post, users):
    with pytest.raises(actions.ActionError):
        actions.apply("publish", [make_comment(post).id], users["moderator"])


def test_spam_teaches_the_classifier_and_blocks_the_sender(post, users):
    comment = make_comment(post, "pending", body="cheap pills buy now")
    spam, ham = _tokens()
    blocked = BlockedItem.select().count()
    actions.apply("spam", [comment.id], users["moderator"])
    assert _tokens()[0] > spam
    assert _tokens()[1] == ham
    assert BlockedItem.select().count() > blocked


def test_not_spam_teaches_the_classifier_and_unblocks_the_sender(post, users):
    comment = make_comment(post, "pending", body="a kind word about caching")
    actions.apply("spam", [comment.id], users["moderator"])
    blocked = BlockedItem.select().count()
    ham = _tokens()[1]
    actions.apply("not_spam", [comment.id], users["moderator"])
    assert _tokens()[1] > ham
    assert BlockedItem.select().count() < blocked
    assert _status(comment) == "approved"


@pytest.mark.parametrize("action, written", [("spam", 150), ("not_spam", 0)])
def test_a_bulk_mark_writes_the_blocklist_in_one_statement(
    post, users, action, written
):
    """Not three statements a comment: 50 senders in one."""
    comments = [
        make_comment(
            post,
            author_email=f"sender{n}@example.com",
            author_url=f"https://shop{n}.example.net/",
            ip_hash=f"ip-{n}",
        )
        for n in range(50)
    ]
    ids = [comment.id for comment in comments]
    if action == "not_spam":
        actions.apply("spam", ids, users["admin"])
    with statements() as run:
        assert actions.apply(action, ids, users["moderator"]).done == ids
    writes = [
        sql.split()[0]
        for sql, _ in run
        if sql.startswith(('INSERT INTO "blocked_item"', 'DELETE FROM "blocked_item"'))
    ]
    assert writes == ["INSERT" if action == "spam" else "DELETE"]
    assert BlockedItem.select().count() == written


def test_approve_teaches_the_classifier_and_trash_does_not(post, users):
    comment = make_comment(post, "pending", body="great post thanks")
    before = _tokens()
    actions.apply("approve", [comment.id], users["moderator"])
    learned = _tokens()
    assert learned[0] == before[0] and learned[1] > before[1]
    lesson = SpamLesson.get(SpamLesson.comment == comment.id)
    assert lesson.spam is False
    # Unapproved and approved again: still learned once.
    actions.apply("unapprove", [comment.id], users["moderator"])
    actions.apply("approve", [comment.id], users["moderator"])
    actions.apply("trash", [comment.id], users["moderator"])
    assert _tokens() == learned


def test_reply_is_published_at_once_and_threaded(app, post, users):
    parent = make_comment(post, "pending")
    settings = app.extensions["settings"].all()
    reply = actions.reply(parent.id, users["moderator"], "Thanks!", "key", settings)
    assert (reply.status, reply.parent_id, reply.thread_id, reply.depth) == (
        "approved",
        parent.id,
        parent.id,
        1,
    )
    assert (reply.author_name, reply.user_id) == ("moderator", users["moderator"].id)
    assert reply.body_html.strip() == "<p>Thanks!</p>"
    # Answering a pending comment approves it.
    assert _status(parent) == "approved"
    logged = {e.action for e in AuditEntry.select()}
    assert logged == {"comment.approve", "comment.reply"}


def test_reply_refuses_spam_and_empty_text(app, post, users):
    settings = app.extensions["settings"].all()
    spam = make_comment(post, "spam")
    with pytest.raises(actions.ActionError):
        actions.reply(spam.id, users["moderator"], "Hi", "key", settings)
    with pytest.raises(actions.ActionError):
        actions.reply(make_comment(post).id, users["moderator"], "  ", "key", settings)


def test_edit_renders_the_body_as_a_readers_comment(app, post, users):
    comment = make_comment(post, "approved")
    settings = app.extensions["settings"].all()
    text = "Now with <b>html</b> and *stars*"
    actions.edit(comment.id, users["moderator"], text, settings)
    edited = Comment.get_by_id(comment.id)
    assert edited.body_html.strip() == (
        "<p>Now with &lt;b&gt;html&lt;/b&gt; and <em>stars</em></p>"
    )
    entry = AuditEntry.get(AuditEntry.action == "comment.edit")
    assert entry.object_id == comment.id


def test_an_edited_comment_is_counted_by_the_filter_as_it_now_reads(
    app, post, users, tmp_path
):
    """A link the moderator edits out of an approved comment is no longer
    learned as good: the counts are those a rebuild would make."""
    from blog.comments.spam import classifier

    empty = tmp_path / "empty.json.gz"
    classifier.save(classifier.MemoryStore(), empty)
    comment = make_comment(post, body="Great read, see http://pills.example/buy")
    actions.apply("approve", [comment.id], users["moderator"])
    settings = app.extensions["settings"].all()
    actions.edit(comment.id, users["moderator"], "Great read, thank you.", settings)

    def counts() -> dict:
        return {row.token: (row.spam, row.ham) for row in SpamToken.select()}

    live = counts()
    assert "u:pills.example" not in live and "w:thank" in live
    classifier.rebuild(empty)
    assert counts() == live


def test_empty_spam_deletes_only_spam_and_logs_each(post, users):
    spam = [make_comment(post, "spam") for _ in range(3)]
    kept = make_comment(post, "pending")
    assert actions.empty_spam(users["moderator"]) == 3
    assert [c.id for c in Comment.select()] == [kept.id]
    entries = AuditEntry.select().where(AuditEntry.action == "comment.empty_spam")
    assert sorted(e.object_id for e in entries) == sorted(c.id for c in spam)
    assert {(e.from_state, e.actor) for e in entries} == {("spam", "moderator")}


def test_purge_removes_old_spam_and_trash_only(post):
    old = utcnow() - datetime.timedelta(days=31)
    stale = [
        make_comment(post, "spam", modified_at=old),
        make_comment(post, "deleted", modified_at=old),
    ]
    fresh = make_comment(post, "spam")
    approved = make_comment(post, "approved", modified_at=old)
    assert actions.purge(30) == 2
    remaining = {c.id for c in Comment.select()}
    assert remaining == {fresh.id, approved.id}
    purged = AuditEntry.select().where(AuditEntry.action == "comment.purge")
    assert {e.object_id for e in purged} == {c.id for c in stale}
    assert actions.purge(30) == 0


def test_actions_invalidate_the_page_cache(app, post, users):
    comment = make_comment(post, "pending")
    generation = app.extensions["generation"].current()
    actions.apply("approve", [comment.id], users["moderator"])
    assert app.extensions["generation"].current() != generation


@pytest.mark.parametrize(
    "typed",
    [
        "write to jane@example.com",
        "write to jane&#64;example.com",
        "call +44 20 7946 0958",
    ],
)
def test_moderators_text_is_masked_like_a_readers(app, post, users, typed):
    settings = app.extensions["settings"].all()
    comment = make_comment(post, "approved")
    reply = actions.reply(comment.id, users["moderator"], typed, "key", settings)
    actions.edit(comment.id, users["moderator"], typed, settings)
    edited = Comment.get_by_id(comment.id)
    for stored in (reply, edited):
        for text in (stored.body, stored.body_html):
            assert "jane" not in text and "7946" not in text
            assert "hidden]" in text


def test_taking_a_thread_off_the_page_says_its_replies_go_with_it(post, users):
    root = make_comment(post, "approved")
    reply = make_comment(post, "approved", parent=root, thread=root)
    make_comment(post, "approved", parent=reply, thread=root)
    make_comment(post, "pending", parent=root, thread=root)
    moderator = users["moderator"]
    trashed = actions.apply("trash", [root.id], moderator)
    assert trashed.replies_hidden == 2
    assert trashed.summary() == (
        "Trash: 1 comment(s); 2 approved replies in those threads no longer show:"
        " a thread shows only under its approved first comment"
    )
    assert actions.apply("restore", [root.id], moderator).summary() == (
        "Restore: 1 comment(s); 2 approved replies in those threads show again"
    )
    # Replies taken out with their thread are not counted as left behind.
    both = actions.apply("unapprove", [root.id, reply.id], moderator)
    assert (both.replies_hidden, both.replies_shown) == (1, 0)
    # Nor does a reply's own change count as its thread's.
    assert actions.apply("approve", [reply.id], moderator).replies_shown == 0


def test_a_reply_into_a_thread_off_the_page_is_refused_with_a_reason(app, post, users):
    settings = app.extensions["settings"].all()
    root = make_comment(post, "deleted")
    reply = make_comment(post, "pending", parent=root, thread=root, depth=1)
    with pytest.raises(actions.ActionError, match="approve that one first"):
        actions.reply(reply.id, users["moderator"], "Hello", "key", settings)
    assert Comment.select().count() == 2
    assert _status(reply) == "pending"  # the approval before it undone too


@pytest.mark.parametrize(
    "text, message",
    [
        ("  ", "Comment is required."),
        ("bell \x07 here", "control characters"),
        ("x" * 70_000, "at most 65,525 characters"),
    ],
)
def test_a_moderators_text_is_held_to_a_readers_rules(app, post, users, text, message):
    settings = app.extensions["settings"].all()
    comment = make_comment(post, "approved", body="Kept as it was.")
    with pytest.raises(actions.ActionError, match=message):
        actions.edit(comment.id, users["moderator"], text, settings)
    with pytest.raises(actions.ActionError, match=message):
        actions.reply(comment.id, users["moderator"], text, "key", settings)
    assert Comment.get_by_id(comment.id).body == "Kept as it was."
    assert Comment.select().count() == 1


def test_a_reply_sent_twice_is_published_once(app, post, users):
    settings = app.extensions["settings"].all()
    comment = make_comment(post, "approved")
    first = actions.reply(comment.id, users["moderator"], "Thanks!", "key", settings)
    again = actions.reply(comment.id, users["moderator"], "Thanks!", "key", settings)
    assert first.id == again.id
    assert Comment.select().count() == 2


needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's concurrent writers are what this test exercises "
    "(SQLite takes its write lock before reading)",
)


@needs_postgres
@pytest.mark.parametrize(
    "first, second, status, previous, blocked",
    [
        ("spam", "approve", "spam", "", 3),
        ("spam", "trash", "deleted", "spam", 3),
        ("approve", "spam", "spam", "", 3),
    ],
)
def test_two_moderators_deciding_at_once_act_on_the_status_left_by_the_first(
    app, post, users, monkeypatch, first, second, status, previous, blocked
):
    """The second decision waits for the first and is judged on what it left:
    an approve after a spam mark is skipped, not applied to a comment whose
    sender the blocklist already holds."""
    comment = make_comment(post, "pending")
    decided = linger_after(monkeypatch, first)
    moderator = users["moderator"]
    failures = at_once(
        app,
        lambda: actions.apply(first, [comment.id], moderator),
        lambda: actions.apply(second, [comment.id], moderator),
        decided,
    )
    assert failures == []
    stored = Comment.get_by_id(comment.id)
    assert (stored.status, stored.previous_status) == (status, previous)
    assert SpamLesson.get(SpamLesson.comment == comment.id).spam
    assert BlockedItem.select().count() == blocked
    trail = [
        (e.from_state, e.to_state) for e in AuditEntry.select().order_by(AuditEntry.id)
    ]
    assert trail[0][0] == "pending" and trail[-1][1] == status
    assert all(done[1] == then[0] for done, then in pairwise(trail))


@needs_postgres
def test_an_edit_while_another_moderator_marks_spam_keeps_the_spam_mark(
    app, post, users, monkeypatch
):
    comment = make_comment(post, "pending")
    editing = threading.Event()
    render = actions.rendering.render

    def render_slowly(body, body_format):
        editing.set()
        time.sleep(0.5)  # the spam mark arrives meanwhile
        return render(body, body_format)

    monkeypatch.setattr(actions.rendering, "render", render_slowly)
    settings = app.extensions["settings"].all()
    failures = at_once(
        app,
        lambda: actions.edit(comment.id, users["admin"], "Edited.", settings),
        lambda: actions.apply("spam", [comment.id], users["moderator"]),
        editing,
    )
    assert failures == []
    stored = Comment.get_by_id(comment.id)
    assert (stored.status, stored.body) == ("spam", "Edited.")


@needs_postgres
def test_a_reply_while_another_moderator_takes_its_thread_out_is_refused(
    app, post, users, monkeypatch
):
    """The thread's first comment is read after the other decision, not before:
    the reply would go, approved, into a thread readers no longer see."""
    root = make_comment(post, "approved")
    comment = make_comment(post, "approved", parent=root, thread=root, depth=1)
    decided = linger_after(monkeypatch, "spam")
    settings = app.extensions["settings"].all()
    failures = at_once(
        app,
        lambda: actions.apply("spam", [root.id], users["moderator"]),
        lambda: actions.reply(comment.id, users["admin"], "Hi", "key", settings),
        decided,
    )
    assert [type(failure) for failure in failures] == [actions.ActionError]
    assert Comment.select().count() == 2


@needs_postgres
def test_spam_arriving_while_the_spam_folder_is_emptied_is_kept_or_logged(
    app, post, users, monkeypatch
):
    """Every comment the emptying deletes has its audit entry: one that arrives
    between the entries and the delete is left for the next time."""
    make_comment(post, "spam")
    remove = actions.removal.remove

    def arrive():
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            make_comment(post, "spam")  # committed: another worker's request
            db.database.close()

    def spam_arrives_then_remove(where):
        arrival = threading.Thread(target=arrive)
        arrival.start()
        arrival.join(timeout=10)
        return remove(where)

    monkeypatch.setattr(actions.removal, "remove", spam_arrives_then_remove)
    assert actions.empty_spam(users["moderator"]) == 1
    logged = AuditEntry.select().where(AuditEntry.action == "comment.empty_spam")
    assert logged.count() == 1
    assert Comment.select().count() == 1


def test_comments_deleted_meanwhile_are_counted_in_the_summary(post, users):
    kept, doomed = make_comment(post), make_comment(post, "deleted")
    # Another moderator deletes one for good while this one's page is open.
    actions.apply("delete", [doomed.id], users["admin"])
    result = actions.apply("spam", [kept.id, doomed.id], users["moderator"])
    assert (result.done, result.skipped, result.gone) == ([kept.id], [], [doomed.id])
    assert result.summary() == (
        "Spam: 1 comment(s); 1 already deleted for good by someone else"
    )
