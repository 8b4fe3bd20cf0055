"""Undoing a moderator's action: state, lesson and blocklist exactly back."""

import datetime
import re
import threading
import time

import pytest

from blog.comment_models import BlockedItem, Comment, SpamLesson, SpamToken
from blog.comments import actions, undo
from blog.comments.spam import blocklist, classifier
from blog.models import AuditEntry, utcnow
from tests.admin.conftest import (
    at_once,
    linger_after,
    make_comment,
    offers_from_their_own_senders,
)
from tests.conftest import POSTGRES_URL
from tests.factories import make_post
from tests.queries import statements


@pytest.fixture
def post(app):
    return make_post(title="Commented")


@pytest.fixture
def moderator(browser_for):
    return browser_for("moderator")


def _world() -> tuple:
    """Everything an action may change, as plain values."""
    comments = list(
        Comment.select(
            Comment.id, Comment.status, Comment.previous_status, Comment.modified_at
        )
        .order_by(Comment.id)
        .tuples()
    )
    lessons = list(
        SpamLesson.select(
            SpamLesson.comment,
            SpamLesson.spam,
            SpamLesson.tokens,
            SpamLesson.learned_at,
        )
        .order_by(SpamLesson.comment)
        .tuples()
    )
    tokens = list(
        SpamToken.select(SpamToken.token, SpamToken.spam, SpamToken.ham)
        .order_by(SpamToken.token)
        .tuples()
    )
    blocks = list(
        BlockedItem.select(
            BlockedItem.kind,
            BlockedItem.value,
            BlockedItem.reason,
            BlockedItem.created_at,
        )
        .order_by(BlockedItem.kind, BlockedItem.value)
        .tuples()
    )
    return comments, lessons, tokens, blocks


def _learned_before(post):
    """A filter that already knows a few comments, and an older block."""
    for body in ("Buy cheap pills now", "Thanks, this helped me fix my router"):
        known = make_comment(post, "pending", body=body, author_email="o@example.com")
        classifier.learn_from_decision(known, spam=body.startswith("Buy"))
    BlockedItem.create(
        kind="host",
        value="reader.example.net",
        reason="comment 1 marked spam",
        created_at=utcnow() - datetime.timedelta(days=3),
    )


@pytest.mark.parametrize(
    "action, before",
    [
        ("spam", "pending"),
        ("spam", "approved"),
        ("spam", "deleted"),
        ("not_spam", "spam"),
        ("approve", "pending"),
        ("unapprove", "approved"),
        ("trash", "approved"),
        ("trash", "spam"),
        ("restore", "deleted"),
    ],
)
def test_undo_puts_everything_back_exactly(post, users, action, before):
    _learned_before(post)
    extra = {"previous_status": "approved"} if before == "deleted" else {}
    made = "pending" if before == "spam" else before
    comment = make_comment(post, made, body="Visit my shop today", **extra)
    if before == "spam":
        # Learned and blocked as a moderator's mark does.
        actions.apply("spam", [comment.id], users["admin"])
        assert SpamLesson.get(SpamLesson.comment == comment.id).spam
    was = _world()
    result = actions.apply(action, [comment.id], users["moderator"])
    assert result.done == [comment.id]
    assert _world() != was
    done = undo.undo(result.undo_id, users["moderator"])
    assert done.done == [comment.id]
    assert _world() == was
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.to_state) == ("comment.undo", before)


def test_undo_of_a_bulk_spam_lifts_only_the_blocks_it_wrote(post, users):
    _learned_before(post)
    same_sender = [make_comment(post, body=f"Offer number {n}") for n in range(3)]
    was = _world()
    result = actions.apply("spam", [c.id for c in same_sender], users["moderator"])
    assert blocklist.match(same_sender[0].email_hash, "", "")
    undo.undo(result.undo_id, users["moderator"])
    assert _world() == was
    # The host blocked three days ago by another comment is blocked still.
    assert BlockedItem.get(BlockedItem.kind == "host").reason == "comment 1 marked spam"


def test_a_block_three_comments_share_is_taken_back_step_by_step(post, users):
    """Each comment's step holds the entry as the one before it left it."""
    first, middle, last = [make_comment(post, body=f"Offer {n}") for n in range(3)]
    started = utcnow()
    result = actions.apply("spam", [first.id, middle.id, last.id], users["moderator"])
    marked = BlockedItem.get(BlockedItem.kind == "email_hash").created_at
    actions.edit(middle.id, users["admin"], "Edited text", {"max_comment_length": 99})
    done = undo.undo(result.undo_id, users["moderator"])
    assert (done.done, done.changed) == ([last.id, first.id], [middle.id])
    # As the middle comment's mark left them: the first's is under it, and
    # the first comment's step finds them written since.
    for kind in ("email_hash", "host", "ip_hash"):
        entry = BlockedItem.get(BlockedItem.kind == kind)
        assert entry.reason == f"comment {middle.id} marked spam"
        assert started <= entry.created_at <= marked


def test_a_comment_changed_since_is_left_as_it_is(post, users):
    first, second = make_comment(post), make_comment(post, body="Another one")
    result = actions.apply("spam", [first.id, second.id], users["moderator"])
    # Another moderator changes their mind about one of them meanwhile.
    actions.apply("not_spam", [second.id], users["admin"])
    done = undo.undo(result.undo_id, users["moderator"])
    assert (done.done, done.changed) == ([first.id], [second.id])
    assert Comment.get_by_id(first.id).status == "pending"
    assert Comment.get_by_id(second.id).status == "approved"
    assert SpamLesson.get(SpamLesson.comment == second.id).spam is False
    assert "1 left as they are" in done.summary("Spam")


def test_a_comment_edited_since_is_left_as_it_is(post, users):
    comment = make_comment(post)
    result = actions.apply("spam", [comment.id], users["moderator"])
    actions.edit(comment.id, users["admin"], "Edited text", {"max_comment_length": 99})
    done = undo.undo(result.undo_id, users["moderator"])
    assert done.changed == [comment.id]
    assert Comment.get_by_id(comment.id).status == "spam"


def test_an_undo_is_done_once_and_only_by_its_moderator(post, users):
    comment = make_comment(post)
    result = actions.apply("trash", [comment.id], users["moderator"])
    with pytest.raises(undo.UndoError):
        undo.undo(result.undo_id, users["admin"])
    undo.undo(result.undo_id, users["moderator"])
    with pytest.raises(undo.UndoError):
        undo.undo(result.undo_id, users["moderator"])


def test_an_old_undo_is_forgotten(post, users):
    comment = make_comment(post)
    result = actions.apply("trash", [comment.id], users["moderator"])
    later = utcnow() - undo.UNDO_FOR - datetime.timedelta(seconds=1)
    undo.ModerationUndo.update(created_at=later).execute()
    with pytest.raises(undo.UndoError):
        undo.undo(result.undo_id, users["moderator"])
    actions.apply("restore", [comment.id], users["moderator"])
    assert undo.ModerationUndo.select().count() == 1


def test_delete_for_good_offers_no_undo(post, users):
    comment = make_comment(post, "deleted")
    assert actions.apply("delete", [comment.id], users["moderator"]).undo_id is None


def _undo_form(page: str) -> tuple[str, str]:
    form = re.search(r'<form method="post" action="([^"]+)" class="undo">', page)
    assert form, page
    nxt = re.search(r'class="undo">.*?name="next" value="([^"]*)"', page, re.S)
    return form.group(1), nxt.group(1)


def test_the_undo_button_after_an_action_works_without_javascript(app, moderator, post):
    comment = make_comment(post, "approved", body="A reader's kind words")
    reader = app.test_client()
    assert "A reader's kind words" in reader.get(post.url).get_data(as_text=True)
    response = moderator.post(
        "/admin/comments/act",
        {"row_action": f"spam:{comment.id}", "status": "approved"},
        page="/admin/comments/?status=approved",
    )
    page = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Spam: 1 comment(s)" in page
    action, back = _undo_form(page)
    assert "A reader's kind words" not in reader.get(post.url).get_data(as_text=True)
    # Without its CSRF token the undo is refused.
    refused = moderator.post_raw(action, data={"next": back})
    assert refused.status_code == 400
    assert Comment.get_by_id(comment.id).status == "spam"
    response = moderator.post(action, {"next": back})
    assert response.status_code == 302
    assert response.headers["Location"] == back
    assert Comment.get_by_id(comment.id).status == "approved"
    assert not BlockedItem.select().exists()
    # The cached post page shows the comment again.
    assert "A reader's kind words" in reader.get(post.url).get_data(as_text=True)
    page = moderator.get(back).get_data(as_text=True)
    assert "Undone: Spam on 1 comment(s)" in page
    assert 'class="undo"' not in page
    again = moderator.post(action, {"next": back})
    page = moderator.get(again.headers["Location"]).get_data(as_text=True)
    assert "can no longer be undone" in page


def test_nothing_done_offers_no_undo(moderator, post):
    comment = make_comment(post, "pending")
    response = moderator.post(
        "/admin/comments/act", {"row_action": f"restore:{comment.id}"}
    )
    page = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Restore: 0 comment(s); 1 skipped" in page
    assert 'class="undo"' not in page


@pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL's concurrent writers are what it exercises"
)
@pytest.mark.parametrize("first", ["undo", "not_spam"])
def test_an_undo_and_another_moderators_decision_at_once(
    app, post, users, monkeypatch, first
):
    """Whichever comes second is judged on what the first left: never both."""
    comment = make_comment(post)
    marked = actions.apply("spam", [comment.id], users["moderator"])
    started = threading.Event()
    real_restore = undo._restore

    def slow_restore(*args):
        real_restore(*args)
        started.set()
        time.sleep(0.5)  # the other moderator's request arrives meanwhile

    monkeypatch.setattr(undo, "_restore", slow_restore)
    decided = linger_after(monkeypatch, "not_spam")
    run_undo = lambda: undo.undo(marked.undo_id, users["moderator"])  # noqa: E731
    not_spam = lambda: actions.apply("not_spam", [comment.id], users["admin"])  # noqa: E731
    if first == "undo":
        failures = at_once(app, run_undo, not_spam, started)
        expected = ("pending", None)
    else:
        failures = at_once(app, not_spam, run_undo, decided)
        expected = ("approved", False)
    assert failures == []
    lesson = SpamLesson.get_or_none(SpamLesson.comment == comment.id)
    status = Comment.get_by_id(comment.id).status
    assert (status, lesson and lesson.spam) == expected
    assert not BlockedItem.select().exists()


def test_a_privacy_erase_forgets_the_undos_of_its_comments(post, users):
    from blog import privacy_tools

    theirs = make_comment(post, author_email="jo@example.org")
    other = make_comment(post, author_email="someone@example.org")
    mine = actions.apply("spam", [theirs.id], users["moderator"]).undo_id
    kept = actions.apply("spam", [other.id], users["moderator"]).undo_id
    privacy_tools.erase("jo@example.org", "test secret key")
    remaining = [record.id for record in undo.ModerationUndo.select()]
    assert remaining == [kept] and mine != kept


def test_the_purge_forgets_old_undos_on_a_quiet_site(post, users):
    comment = make_comment(post)
    actions.apply("trash", [comment.id], users["moderator"])
    later = utcnow() - undo.UNDO_FOR - datetime.timedelta(seconds=1)
    undo.ModerationUndo.update(created_at=later).execute()
    actions.purge(30)
    assert not undo.ModerationUndo.select().exists()


def _spam_and_undo_reads(post, users, count: int) -> list:
    """The SELECT statements of a bulk spam mark and its undo over `count` comments,
    each from its own sender, half of them learned as good before."""
    comments = offers_from_their_own_senders(post, count)
    ids = [comment.id for comment in comments]
    with statements() as run:
        result = actions.apply("spam", ids, users["moderator"])
        done = undo.undo(result.undo_id, users["moderator"])
    assert sorted(done.done) == ids
    return [sql for sql, _ in run if sql.lstrip().upper().startswith("SELECT")]


def test_a_bulk_spam_and_its_undo_read_in_a_bounded_number_of_queries(post, users):
    """Not a few reads a comment: 50 comments are read as 10 are."""
    few = _spam_and_undo_reads(post, users, 10)
    Comment.delete().execute()
    BlockedItem.delete().execute()
    many = _spam_and_undo_reads(post, users, 50)
    assert len(many) == len(few) < 20, (len(few), len(many))
