"""Helpers for the pipeline's unit tests: settings, a clock and an in-memory history."""

import datetime
import itertools
from dataclasses import dataclass, field

import pytest

from blog.comment_models import CommentStatus
from blog.comments import settings as _discussion  # noqa: F401 - defines the keys
from blog.settings import DEFINITIONS

NOW = datetime.datetime(2025, 6, 1, 12, 0, 0)


def default_settings(**changes) -> dict:
    values = {key: definition.default for key, definition in DEFINITIONS.items()}
    values.update(changes)
    return values


@dataclass
class Past:
    """One earlier comment, with only what the history is asked about."""

    id: int
    post_id: int = 1
    author_name: str = "Someone"
    email_hash: str = "e-someone"
    ip_hash: str = "ip-someone"
    body: str = "An earlier comment."
    status: str = CommentStatus.APPROVED
    created_at: datetime.datetime = NOW - datetime.timedelta(days=1)
    parent_id: int | None = None
    thread_id: int | None = None
    depth: int = 0
    user_id: int | None = None


@dataclass
class MemoryHistory:
    """guards.History over a list, for tests that need no database."""

    comments: list[Past] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add(self, **values) -> Past:
        past = Past(id=next(self._ids), **values)
        self.comments.append(past)
        return past

    def last_from(self, ip_hash, email_hash):
        times = [
            c.created_at
            for c in self.comments
            if (ip_hash and c.ip_hash == ip_hash)
            or (email_hash and c.email_hash == email_hash)
        ]
        return max(times, default=None)

    def times_from_ip(self, ip_hash, since):
        return sorted(
            c.created_at
            for c in self.comments
            if c.ip_hash == ip_hash and c.created_at >= since
        )

    def has_same_text(self, post_id, author_name, email_hash, body, ip_hash):
        return any(
            c.post_id == post_id
            and c.body == body
            and (
                c.author_name == author_name
                or (c.email_hash == email_hash and c.ip_hash == ip_hash)
            )
            and c.status != CommentStatus.DELETED
            for c in self.comments
        )

    def known_commenter(self, author_name, email_hash):
        return any(
            c.email_hash == email_hash
            and c.author_name == author_name
            and c.user_id is None
            and c.status == CommentStatus.APPROVED
            for c in self.comments
        )

    def comment(self, comment_id):
        return next((c for c in self.comments if c.id == comment_id), None)


@pytest.fixture
def history() -> MemoryHistory:
    return MemoryHistory()


@pytest.fixture
def settings() -> dict:
    return default_settings()
