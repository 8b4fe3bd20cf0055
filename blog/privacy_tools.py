"""A person's data, by email address: export it all, or erase it.

Comments are found by their raw email and by its keyed hash (the hash stays
when a site forgets raw emails). Erasing anonymises the name, email, website
and IP data of every comment (and the website in its checks' reasons), clears
the email of any account, drops the blocklist entries made from that email,
those comments' addresses or their websites, and takes the email domain and
website host out of what the spam filter learned from those comments. The
comment text stays, unless the person asked for it to go too (others'
replies to it then stay, moved up in their threads). An imported
comment's WordPress ID is noted either way, so a new import skips it even
after the comment is deleted (a spam purge deletes an anonymised one too).
Both are written to the audit log under the email's hash, never the address
itself.
"""

import datetime
from dataclasses import dataclass

from peewee import chunked, fn

from . import audit, publishing
from .comment_models import BlockedItem, Comment, ErasedComment
from .comments import privacy, queue, removal, undo
from .comments.spam import classifier, features
from .db import retrying
from .models import User, utcnow

ANONYMOUS = "Anonymous"


class PrivacyError(ValueError):
    """An email address that cannot be looked up."""


def normalise(email: str) -> str:
    email = email.strip()
    shown = len(email) <= 254 and email.isprintable()
    if email and "@" not in email and shown:
        # As typed, case kept: the admin sees which of their entries it was.
        raise PrivacyError(f"“{email}” is not an email address (it has no @)")
    if "@" not in email or not shown:
        raise PrivacyError("give one email address")
    return email.lower()


def _comments(email: str, key: str):
    email_hash = privacy.hash_email(email, key)
    return Comment.select().where(
        (fn.LOWER(Comment.author_email) == email) | (Comment.email_hash == email_hash)
    )


def _blocked(email: str, key: str, comments):
    hashes = [privacy.hash_email(email, key)]
    ip_hashes = list({c.ip_hash for c in comments if c.ip_hash})
    hosts = list(_hosts(comments))
    return BlockedItem.select().where(
        ((BlockedItem.kind == "email_hash") & BlockedItem.value.in_(hashes))
        | ((BlockedItem.kind == "ip_hash") & BlockedItem.value.in_(ip_hashes))
        | ((BlockedItem.kind == "host") & BlockedItem.value.in_(hosts))
    )


def _hosts(comments) -> set[str]:
    """The hosts of the commenter's websites."""
    return {features.host(c.author_url) for c in comments if c.author_url} - {""}


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _comment_data(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "post": {"title": comment.post.title, "url": comment.post.url},
        "in_reply_to": comment.parent_id,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body": comment.body,
        "kind": comment.kind,
        "status": comment.status,
        # What the spam checks decided about the person's comment, and why.
        "spam_score": comment.spam_score,
        "checks": queue.verdicts(comment),
        "created_at": _iso(comment.created_at),
        "modified_at": _iso(comment.modified_at),
        "email_hash": comment.email_hash,
        "ip_hash": comment.ip_hash,
        "ip_prefix": comment.ip_prefix,
    }


def export(email: str, key: str, user: User | None = None) -> dict:
    """Everything the site holds about an email address, as JSON-ready data."""
    email = normalise(email)
    comments = list(_comments(email, key).order_by(Comment.created_at))
    accounts = User.select().where(fn.LOWER(User.email) == email)
    data = {
        "email": email,
        "exported_at": _iso(utcnow()),
        "comments": [_comment_data(comment) for comment in comments],
        "accounts": [
            {
                "username": account.username,
                "display_name": account.display_name,
                "email": account.email,
                "role": account.role,
                "created_at": _iso(account.created_at),
            }
            for account in accounts
        ],
        "blocklist": [
            {"kind": item.kind, "value": item.value, "reason": item.reason}
            for item in _blocked(email, key, comments)
        ],
    }
    retrying(lambda: _log("privacy.export", user, email, key, len(comments)))
    return data


@dataclass
class Erased:
    comments: int = 0
    deleted: int = 0
    accounts: int = 0
    blocklist: int = 0


def erase(
    email: str, key: str, user: User | None = None, delete_comments: bool = False
) -> Erased:
    """Anonymise (or delete) every trace of an email address; return the counts."""
    email = normalise(email)

    def run() -> Erased:
        found = list(_comments(email, key))
        ids = [c.id for c in found]
        blocked = [item.id for item in _blocked(email, key, found)]
        classifier.forget_senders(ids)
        undo.forget(ids)
        result = Erased(
            blocklist=BlockedItem.delete().where(BlockedItem.id.in_(blocked)).execute(),
            accounts=User.update(email="")
            .where(fn.LOWER(User.email) == email)
            .execute(),
        )
        # Noted either way: an anonymised spam comment is purged in time.
        _keep_deleted(found)
        if delete_comments:
            result.deleted = removal.remove(Comment.id.in_(ids))
        else:
            result.comments = _anonymise(found)
        _log("privacy.erase", user, email, key, len(ids), delete_comments)
        return result

    result = retrying(run)
    publishing.invalidate_comments()
    return result


def _keep_deleted(comments: list[Comment]):
    """Note the WordPress IDs of imported comments, which a new import skips."""
    rows = [{"wp_id": c.wp_id} for c in comments if c.wp_id is not None]
    for batch in chunked(rows, 500):
        ErasedComment.insert_many(batch).on_conflict_ignore().execute()


def _anonymise(comments: list[Comment]) -> int:
    ids = [comment.id for comment in comments]
    count = (
        Comment.update(
            author_name=ANONYMOUS,
            author_email="",
            email_hash="",
            author_url="",
            ip_hash="",
            ip_prefix="",
            modified_at=utcnow(),
        )
        .where(Comment.id.in_(ids))
        .execute()
    )
    # The checks' reasons may name the website ("host x is on the blocklist").
    hosts = _hosts(comments)
    for comment in comments:
        verdicts = comment.verdicts or ""
        for host in hosts:
            verdicts = verdicts.replace(host, "[website erased]")
        if verdicts != comment.verdicts:
            Comment.update(verdicts=verdicts).where(Comment.id == comment.id).execute()
    return count


def _log(action, user, email, key, count, deleted=False):
    what = "deleted" if deleted else "found"
    audit.record(
        action,
        user,
        object_type="email",
        detail=f"email hash {privacy.hash_email(email, key)[:16]}: "
        f"{count} comment(s) {what}",
    )
