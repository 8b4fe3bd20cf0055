import datetime
import importlib

import pytest
from playhouse.migrations import Runner

from blog import db
from blog.comment_models import Comment, CommentStatus
from blog.comments import history as comment_history
from blog.comments import reading, retention, store
from blog.models import PostStatus, utcnow
from tests.factories import make_comment, make_post
from tests.queries import plan, statements

from .conftest import MemoryHistory

NOW = utcnow()
AGO = datetime.timedelta


@pytest.fixture
def post(app):
    return make_post()


def test_history_last_from_matches_address_or_email(post):
    make_comment(post, ip_hash="ip-a", email_hash="e-a", created_at=NOW - AGO(hours=2))
    make_comment(post, ip_hash="ip-b", email_hash="e-a", created_at=NOW - AGO(hours=1))
    make_comment(
        post, ip_hash="ip-a", email_hash="e-c", created_at=NOW - AGO(minutes=5)
    )
    history = comment_history.DatabaseHistory()
    assert history.last_from("ip-a", "e-x") == NOW - AGO(minutes=5)
    assert history.last_from("ip-x", "e-a") == NOW - AGO(hours=1)
    assert history.last_from("ip-a", "e-a") == NOW - AGO(minutes=5)
    assert history.last_from("ip-x", "e-x") is None
    assert history.last_from("", "") is None


def test_history_times_from_ip(post):
    for minutes in (30, 9, 3):
        make_comment(post, ip_hash="ip-a", created_at=NOW - AGO(minutes=minutes))
    make_comment(post, ip_hash="ip-b", created_at=NOW)
    times = comment_history.DatabaseHistory().times_from_ip(
        "ip-a", NOW - AGO(minutes=10)
    )
    assert times == [NOW - AGO(minutes=9), NOW - AGO(minutes=3)]


def test_history_same_text(post):
    other = make_post()
    make_comment(
        post, author_name="Ada", email_hash="e-a", ip_hash="ip-a", body="Same words."
    )
    make_comment(
        post, author_name="Bob", body="Deleted words.", status=CommentStatus.DELETED
    )
    history = comment_history.DatabaseHistory()
    assert history.has_same_text(post.id, "Ada", "e-other", "Same words.", "ip-x")
    assert history.has_same_text(post.id, "Other", "e-a", "Same words.", "ip-a")
    # The email alone, from elsewhere, would confirm a guess at Ada's email.
    assert not history.has_same_text(post.id, "Other", "e-a", "Same words.", "ip-x")
    assert not history.has_same_text(post.id, "Other", "e-x", "Same words.", "ip-a")
    assert not history.has_same_text(post.id, "Other", "e-other", "Same words.", "ip-a")
    assert not history.has_same_text(other.id, "Ada", "e-a", "Same words.", "ip-a")
    assert not history.has_same_text(post.id, "Ada", "e-a", "Other words.", "ip-a")
    assert not history.has_same_text(post.id, "Bob", "e-b", "Deleted words.", "")


def test_history_known_commenter(post):
    make_comment(post, author_name="Ada", email_hash="e-approved")
    make_comment(post, author_name="Ada", email_hash="e-pending", status="pending")
    history = comment_history.DatabaseHistory()
    assert history.known_commenter("Ada", "e-approved")
    assert not history.known_commenter("Mallory", "e-approved")
    assert not history.known_commenter("Ada", "e-pending")
    assert not history.known_commenter("Ada", "e-unknown")


def test_a_moderators_edit_keeps_the_same_text_check_right(post):
    comment = make_comment(post, author_name="Ada", email_hash="e-a", body="Old.")
    comment.body = "New words."
    comment.save()
    history = comment_history.DatabaseHistory()
    assert history.has_same_text(post.id, "Ada", "e-x", "New words.", "ip-x")
    assert not history.has_same_text(post.id, "Ada", "e-x", "Old.", "ip-x")


def test_the_digest_migration_fills_in_existing_comments(post):
    migration = importlib.import_module("migrations.0010_comment_body_digest")
    migrator = Runner(db.database.obj).migrator
    make_comment(post, author_name="Ada", email_hash="e-a", body="Kept words.")
    triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    before = db.database.execute_sql(triggers).fetchall() if db.is_sqlite() else []
    migration.down(migrator, db.database.obj)
    migration.up(migrator, db.database.obj)
    assert comment_history.DatabaseHistory().has_same_text(
        post.id, "Ada", "e-x", "Kept words.", "ip-x"
    )
    if db.is_sqlite():
        # The column is added in place: a rebuilt table loses its triggers.
        assert len(before) == 7
        assert db.database.execute_sql(triggers).fetchall() == before


@pytest.mark.parametrize(
    ("query", "values", "index"),
    [
        (
            comment_history._KNOWN,
            ("e-a", "Ada", CommentStatus.APPROVED.value),
            "INDEX comment_email_hash_created_at (email_hash=?)",
        ),
        (
            comment_history._LAST_BY_EMAIL,
            ("e-a",),
            "COVERING INDEX comment_email_hash_created_at (email_hash=?)",
        ),
        (
            comment_history._LAST_BY_IP,
            ("ip-a",),
            "COVERING INDEX comment_ip_hash_created_at (ip_hash=?)",
        ),
        (
            comment_history._TIMES_FROM_IP,
            ("ip-a", NOW),
            "COVERING INDEX comment_ip_hash_created_at (ip_hash=? AND created_at>?)",
        ),
        (
            comment_history._SAME_TEXT,
            (1, "0123456789abcdef", "Same words.", "deleted", "e-a", "ip-a", "A"),
            "INDEX comment_post_id_body_digest (post_id=? AND body_digest=?)",
        ),
        (
            reading._BEFORE["newest"],
            (1, "approved", NOW, NOW, 7),
            "COVERING INDEX comment_post_id_status_parent_id_created_at"
            " (post_id=? AND status=? AND parent_id=? AND created_at>?)",
        ),
    ],
)
def test_history_and_threads_are_read_by_index_on_sqlite(
    own_sqlite, query, values, index
):
    """Never every approved comment, nor every comment of the post."""
    assert plan(*query.build(*values).sql()) == [f"SEARCH t1 USING {index}"]


@pytest.mark.parametrize("own_ids", [(), (7, 8)])
def test_a_pages_replies_are_read_by_the_thread_index_on_sqlite(own_sqlite, own_ids):
    """Never by walking every approved comment of the site in date order."""
    post = make_post()
    top = make_comment(post)
    make_comment(post, parent=top)
    with statements() as run:
        page = reading.threads(post, 1, 50, own_ids=own_ids)
    assert [len(node.children) for node in page.items] == [1]
    (replies,) = [
        plan(*statement) for statement in run if '"thread_id" IN' in statement[0]
    ]
    assert replies[0].startswith(
        "SEARCH t1 USING INDEX comment_thread_id (thread_id=?)"
    )


def test_database_and_memory_histories_agree(post):
    """The unit tests' MemoryHistory answers as the real one does."""
    memory = MemoryHistory()
    rows = [
        {"ip_hash": "ip-a", "email_hash": "e-a", "author_name": "A", "body": "x"},
        {"ip_hash": "ip-a", "email_hash": "e-b", "author_name": "B", "body": "y"},
        {
            "ip_hash": "ip-c",
            "email_hash": "e-b",
            "author_name": "B",
            "body": "z",
            "status": CommentStatus.SPAM,
        },
    ]
    for minutes, row in zip((20, 8, 1), rows, strict=True):
        moment = NOW - AGO(minutes=minutes)
        make_comment(post, created_at=moment, **row)
        memory.add(post_id=post.id, created_at=moment, **row)
    database = comment_history.DatabaseHistory()
    since = NOW - AGO(minutes=10)
    for ip, email in [("ip-a", "e-x"), ("ip-x", "e-b"), ("ip-x", "e-x")]:
        assert database.last_from(ip, email) == memory.last_from(ip, email)
    for ip in ("ip-a", "ip-c", "ip-x"):
        assert database.times_from_ip(ip, since) == memory.times_from_ip(ip, since)
    for args in [
        ("A", "e-x", "x", "ip-x"),
        ("Q", "e-b", "z", "ip-c"),
        ("Q", "e-b", "z", "ip-a"),
        ("A", "e-a", "y", "ip-a"),
    ]:
        assert database.has_same_text(post.id, *args) == memory.has_same_text(
            post.id, *args
        )
    for name, email in [("A", "e-a"), ("B", "e-a"), ("B", "e-b"), ("A", "e-x")]:
        assert database.known_commenter(name, email) == memory.known_commenter(
            name, email
        )


@pytest.mark.parametrize(
    ("fields", "found"),
    [
        ({}, True),
        ({"kind": "page"}, False),
        ({"status": PostStatus.DRAFT}, False),
        ({"status": PostStatus.UNPUBLISHED}, False),
        ({"date": NOW + AGO(days=1)}, False),
    ],
)
def test_commentable_post(app, fields, found):
    post = make_post(**fields)
    assert (store.commentable_post(post.id, NOW) is not None) is found
    assert store.commentable_post(post.id + 1000, NOW) is None


def _ids(nodes):
    return [(node.comment.id, _ids(node.children)) for node in nodes]


def test_threads_nest_replies_under_their_parents(post):
    first = make_comment(post, created_at=NOW - AGO(hours=3))
    second = make_comment(post, created_at=NOW - AGO(hours=2))
    reply = make_comment(post, parent=first, created_at=NOW - AGO(hours=1))
    deeper = make_comment(post, parent=reply, created_at=NOW - AGO(minutes=30))
    later_reply = make_comment(post, parent=first, created_at=NOW - AGO(minutes=10))
    page = reading.threads(post, 1, 50)
    assert _ids(page.items) == [
        (first.id, [(reply.id, [(deeper.id, [])]), (later_reply.id, [])]),
        (second.id, []),
    ]
    assert page.total == 2


def test_threads_show_only_approved_comments_to_everybody(post):
    shown = make_comment(post)
    for status in ("pending", "spam", "rejected", "deleted"):
        make_comment(post, status=status)
        make_comment(post, parent=shown, status=status)
    assert _ids(reading.threads(post, 1, 50).items) == [(shown.id, [])]
    assert reading.approved_count(post) == 1


def test_threads_show_a_readers_own_pending_and_spam_comments_to_them(post):
    top = make_comment(post)
    mine = make_comment(post, parent=top, status=CommentStatus.PENDING)
    my_spam = make_comment(post, status=CommentStatus.SPAM)
    rejected = make_comment(post, status=CommentStatus.REJECTED)
    make_comment(post, status=CommentStatus.PENDING)  # somebody else's
    page = reading.threads(post, 1, 50, own_ids=[mine.id, my_spam.id, rejected.id])
    assert _ids(page.items) == [(top.id, [(mine.id, [])]), (my_spam.id, [])]
    assert page.items[0].children[0].awaiting
    assert page.items[1].awaiting
    assert not page.items[0].awaiting


def test_a_reply_whose_parent_is_hidden_moves_up_to_the_thread(post):
    top = make_comment(post)
    removed = make_comment(post, parent=top)
    orphan = make_comment(post, parent=removed)
    Comment.update(status=CommentStatus.SPAM).where(Comment.id == removed.id).execute()
    assert _ids(reading.threads(post, 1, 50).items) == [(top.id, [(orphan.id, [])])]


def test_replies_past_the_deepest_level_show_at_it_in_time_order(post):
    top = make_comment(post, created_at=NOW - AGO(hours=5))
    one = make_comment(post, parent=top, created_at=NOW - AGO(hours=4))
    two = make_comment(post, parent=one, created_at=NOW - AGO(hours=3))
    three = make_comment(post, parent=two, created_at=NOW - AGO(hours=2))
    later = make_comment(post, parent=one, created_at=NOW - AGO(hours=1))
    page = reading.threads(post, 1, 50, levels=2)
    assert _ids(page.items) == [
        (top.id, [(one.id, []), (two.id, []), (three.id, []), (later.id, [])])
    ]
    assert Comment.get_by_id(three.id).parent_id == two.id  # stored as it was


def test_replies_whose_parents_loop_show_under_their_thread(post):
    """No comment's parents should loop; if some do, the page still shows."""
    top = make_comment(post)
    first = make_comment(post, parent=top)
    second = make_comment(post, parent=first)
    Comment.update(parent=second).where(Comment.id == first.id).execute()
    page = reading.threads(post, 1, 50, levels=5)
    shown = _ids(page.items)
    assert shown in (
        [(top.id, [(first.id, [(second.id, [])])])],
        [(top.id, [(second.id, [(first.id, [])])])],
    )


def test_threads_paginate_by_top_level_comment(post):
    tops = [make_comment(post, created_at=NOW - AGO(minutes=60 - i)) for i in range(7)]
    for top in tops:
        make_comment(post, parent=top, created_at=NOW)
    first = reading.threads(post, 1, 5)
    second = reading.threads(post, 2, 5)
    assert [n.comment.id for n in first.items] == [t.id for t in tops[:5]]
    assert [n.comment.id for n in second.items] == [t.id for t in tops[5:]]
    assert all(len(n.children) == 1 for n in first.items + second.items)
    assert (first.pages, second.has_next) == (2, False)


def test_threads_newest_first(post):
    old = make_comment(post, created_at=NOW - AGO(hours=2))
    new = make_comment(post, created_at=NOW - AGO(hours=1))
    reply_1 = make_comment(post, parent=old, created_at=NOW - AGO(minutes=50))
    reply_2 = make_comment(post, parent=old, created_at=NOW - AGO(minutes=40))
    page = reading.threads(post, 1, 50, order="newest")
    # Threads newest first; replies inside a thread still read as a conversation.
    assert _ids(page.items) == [
        (new.id, []),
        (old.id, [(reply_1.id, []), (reply_2.id, [])]),
    ]


def test_threads_cost_a_fixed_number_of_queries(post, app):
    for i in range(10):
        top = make_comment(post)
        for _ in range(3):
            make_comment(post, parent=top, body=f"reply {i}")
    with statements() as executed:
        page = reading.threads(post, 1, 50)
        sum(len(node.children) for node in page.items)
    assert len(page.items) == 10
    assert len(executed) == 3  # count, top-level page, every reply of the page


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_page_of(post, order):
    tops = [make_comment(post, created_at=NOW - AGO(minutes=60 - i)) for i in range(12)]
    reply = make_comment(post, parent=tops[7])
    expected = {"oldest": (1, 2, 3, 2), "newest": (3, 2, 1, 1)}[order]
    found = (
        reading.page_of(tops[0], 5, order),
        reading.page_of(tops[5], 5, order),
        reading.page_of(tops[11], 5, order),
        reading.page_of(reply, 5, order),
    )
    assert found == expected


def test_recent_approved_is_only_from_public_posts(post):
    draft = make_post(status=PostStatus.DRAFT)
    future = make_post(date=NOW + AGO(days=2))
    shown = make_comment(post, created_at=NOW - AGO(minutes=2))
    newer = make_comment(post, created_at=NOW - AGO(minutes=1))
    make_comment(post, status=CommentStatus.PENDING)
    make_comment(draft)
    make_comment(future)
    assert [c.id for c in reading.recent_approved(10)] == [newer.id, shown.id]
    assert [c.id for c in reading.recent_approved(1)] == [newer.id]
    assert [c.id for c in reading.recent_approved(10, make_post())] == []


def test_purge_ip_data_forgets_old_addresses_only(post):
    old = make_comment(post, created_at=NOW - AGO(days=31))
    recent = make_comment(post, created_at=NOW - AGO(days=29))
    assert retention.purge_ip_data(NOW, AGO(days=30)) == 1
    old, recent = Comment.get_by_id(old.id), Comment.get_by_id(recent.id)
    assert (old.ip_hash, old.ip_prefix) == ("", "")
    assert recent.ip_hash and recent.ip_prefix
    assert retention.purge_ip_data(NOW, AGO(days=30)) == 0


def test_old_addresses_are_forgotten_a_batch_at_a_time(post, monkeypatch):
    olds = [make_comment(post, created_at=NOW - AGO(days=40 + i)) for i in range(5)]
    recent = make_comment(post, created_at=NOW - AGO(days=1))
    assert retention.purge_ip_data(NOW, AGO(days=30), limit=2) == 2
    monkeypatch.setattr(retention, "PURGE_BATCH", 2)
    batches = []
    purge = retention.purge_ip_data

    def counted(now, keep):
        batches.append(purge(now, keep, limit=2))
        return batches[-1]

    monkeypatch.setattr(retention, "purge_ip_data", counted)
    assert retention.forget_old_addresses(NOW, AGO(days=30)) == 3
    assert batches == [2, 1]
    assert all(Comment.get_by_id(c.id).ip_hash == "" for c in olds)
    assert Comment.get_by_id(recent.id).ip_hash


def test_the_purge_reads_only_comments_that_still_have_an_address(own_sqlite):
    """Not every comment past the retention: those are mostly purged already."""
    with statements() as run:
        retention.purge_ip_data(NOW, AGO(days=30))
    (purge,) = [plan(*statement) for statement in run]
    assert any(
        "COVERING INDEX comment_ip_hash_created_at (ip_hash>?)" in step
        for step in purge
    ), purge


def test_ip_retention_never_undercuts_the_rate_window():
    from .conftest import default_settings

    assert retention.ip_retention(default_settings()) == AGO(days=30)
    zero = default_settings(ip_retention_days=0, rate_window_minutes=10)
    assert retention.ip_retention(zero) == AGO(minutes=10)
