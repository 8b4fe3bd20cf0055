"""The local blocklist: email hashes, hosts and IP hashes seen in confirmed spam."""

from ...db import write_transaction
from ...models import BlockedItem
from .features import host


def _items(comment) -> list[tuple[str, str]]:
    pairs = [
        ("email_hash", comment.email_hash),
        ("host", host(comment.author_url or "")),
        ("ip_hash", comment.ip_hash),
    ]
    return [(kind, value) for kind, value in pairs if value]


def block_comment(comment):
    """Remember where a confirmed spam comment came from."""
    reason = f"comment {comment.id} marked spam"
    with write_transaction():
        for kind, value in _items(comment):
            BlockedItem.insert(kind=kind, value=value, reason=reason).on_conflict(
                conflict_target=[BlockedItem.kind, BlockedItem.value],
                update={BlockedItem.reason: reason},
            ).execute()


def unblock_comment(comment):
    """A moderator said "not spam": forget where the comment came from."""
    with write_transaction():
        for kind, value in _items(comment):
            BlockedItem.delete().where(
                (BlockedItem.kind == kind) & (BlockedItem.value == value)
            ).execute()


def match(email_hash: str, url: str, ip_hash: str) -> str | None:
    """Why a comment's origin is blocked, or None."""
    pairs = [
        ("email_hash", email_hash),
        ("host", host(url or "")),
        ("ip_hash", ip_hash),
    ]
    for kind, value in pairs:
        if (
            value
            and BlockedItem.select()
            .where((BlockedItem.kind == kind) & (BlockedItem.value == value))
            .exists()
        ):
            return f"{kind.replace('_', ' ')} is on the blocklist"
    return None
