"""Related lists written by two workers at once, as PostgreSQL lets them."""

import threading

import pytest

from blog import db, related
from blog.term_models import RelatedCounts, RelatedPost
from tests.conftest import POSTGRES_URL
from tests.factories import make_post
from tests.test_related import WAL, WAL_AGAIN


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's concurrent writers are what this test exercises "
    "(SQLite has one writer at a time)",
)
def test_two_first_readers_of_a_post_both_get_its_related_posts(app, monkeypatch):
    """A post made public by its date passing has no list yet: the first
    readers' requests, arriving together, each write it, and none fails."""
    post = make_post("Write-ahead logging", WAL)
    make_post("Checkpoints", WAL_AGAIN)
    # As for a scheduled post whose time has just come: nobody scored it yet.
    RelatedPost.delete().execute()
    RelatedCounts.delete().execute()
    both_deleted = threading.Barrier(2)
    insert = related._insert

    def insert_together(fields, rows):
        if fields[0].model is RelatedPost:
            try:  # each has deleted the old list, neither has inserted yet
                both_deleted.wait(timeout=2)
            except threading.BrokenBarrierError:
                pass  # the other waits for this one's transaction to end
        insert(fields, rows)

    monkeypatch.setattr(related, "_insert", insert_together)
    found, failures = [], []

    def read():
        try:
            with app.app_context():
                db.database.connect(reuse_if_open=True)
                found.append([item.post.id for item in related.for_post(post)])
                db.database.close()
        except Exception as error:  # reported from the test's own thread
            failures.append(error)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=30)
    assert failures == []
    assert len(found) == 2 and found[0] == found[1] != []
