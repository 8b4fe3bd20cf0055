"""The blocklist: where confirmed spam came from, refused the next time.

A moderator marking a comment spam blocks its email hash, the host of its
website and its IP hash (not an address on the host itself or a private
network: a proxy's or a router's, shared by every reader behind it); "not
spam" lifts them again. A new comment from a
blocked email or address, or whose website or any link is on a blocked host
(or under it: blocking spam.example blocks shop.spam.example), goes to spam.

Hosts that everybody links to are never blocked, nor anything under them,
nor a public suffix (sites.py): one spammer's video channel, or a Wikipedia
page given as a website, must not send every video or Wikipedia link to the
spam folder, and no entry can catch every site under co.uk. Where the Public
Suffix List keeps sites apart (name.blogspot.com), one site is blocked, not
the others.
"""

import functools
import operator

from peewee import EXCLUDED

from ...comment_models import BlockedItem
from ...db import one_of, pack, write_transaction
from ...models import utcnow
from ...prepared import Prepared
from ..privacy import is_shared
from .features import host, link_host
from .sites import SUFFIXES, is_address, is_own_site

_BATCH = 200  # rows per statement: under SQLite's limit of bound variables
# No DNS name is longer, so no browser reaches a longer host; and each label
# of "www." written over a whole comment made a candidate: 16,000 of them,
# 500 MB in all, in one query.
MAX_HOST = 253
LABELS = {"email_hash": "email hash", "host": "host", "ip_hash": "IP hash"}


def _items(comment) -> list[tuple[str, str]]:
    website = host(comment.author_url or "")
    # A proxy's or a router's address is every reader's behind it.
    shared = is_shared(comment.ip_prefix or "")
    pairs = [
        ("email_hash", comment.email_hash),
        ("host", website if is_own_site(website) else ""),
        ("ip_hash", "" if shared else comment.ip_hash),
    ]
    return [(kind, value) for kind, value in pairs if value]


def reason(comment_id: int) -> str:
    """Why a spam mark of the comment blocked an entry."""
    return f"comment {comment_id} marked spam"


def block_comments(comments, now=None) -> int:
    """Block where confirmed spam comments came from, as of `now` (utcnow()
    if None), a few statements for them all: an entry several share ends as
    the last one's mark leaves it. The entries written."""
    written = {}
    for comment in comments:
        written.update((item, reason(comment.id)) for item in _items(comment))
    now = now or utcnow()
    # Sorted, so that concurrent marks lock the entries in one order.
    rows = [(kind, value, why, now) for (kind, value), why in sorted(written.items())]
    fields = [BlockedItem.kind, BlockedItem.value, BlockedItem.reason]
    with write_transaction():
        for start in range(0, len(rows), _BATCH):
            BlockedItem.insert_many(
                rows[start : start + _BATCH], [*fields, BlockedItem.created_at]
            ).on_conflict(
                conflict_target=[BlockedItem.kind, BlockedItem.value],
                # Blocked anew: an address block lasts from its latest spam.
                update={
                    BlockedItem.reason: EXCLUDED.reason,
                    BlockedItem.created_at: EXCLUDED.created_at,
                },
            ).execute()
    return len(rows)


def unblock_comments(comments) -> int:
    """A moderator said "not spam": lift the blocks each sender is caught by,
    a host's above its website's too, with one statement; the entries removed."""
    where = among(item for comment in comments for item in touched(comment, False))
    if where is None:
        return 0
    with write_transaction():
        return BlockedItem.delete().where(where).execute()


def among(items):
    """The condition an entry among these (kind, value) pairs meets; one
    parameter a kind, whatever their number. None for no pairs."""
    wanted = {}
    for kind, value in items:
        wanted.setdefault(kind, set()).add(value)
    conditions = [
        (BlockedItem.kind == kind) & one_of(BlockedItem.value, pack(sorted(values)))
        for kind, values in sorted(wanted.items())
    ]
    return functools.reduce(operator.or_, conditions) if conditions else None


def touched(comment, spam: bool) -> list[tuple[str, str]]:
    """The (kind, value) entries marking the comment spam (or not) writes."""
    if spam:
        return _items(comment)
    website = _hosts([comment.author_url or ""])
    items = [item for item in _items(comment) if item[0] != "host"]
    return items + [("host", name) for name in sorted(website)]


def forget_addresses(before) -> int:
    """Lift the address blocks made before `before`; how many.

    An address is kept no longer here than in the comments (ip_retention_days):
    by then it may be somebody else's, and the comment that could lift its
    block ("not spam") has forgotten it.
    """
    old = (BlockedItem.kind == "ip_hash") & (BlockedItem.created_at < before)
    return BlockedItem.delete().where(old).execute()


def _hosts(urls) -> set[str]:
    """The hosts of the urls and every domain above them up to the registrable
    one (shop.spam.example, spam.example; never a public suffix)."""
    found = set()
    for url in urls:
        name = link_host(url)
        if len(name) > MAX_HOST:
            continue
        if not name or is_address(name):
            found.add(name)
            continue
        site = SUFFIXES.privatesuffix(name)
        if site is None:
            continue
        labels = name.split(".")
        above = len(labels) - site.count(".")
        found.update(".".join(labels[i:]) for i in range(above))
    return found - {""}


# On every comment: one query, built once whatever the number of hosts.
_MATCH = Prepared(
    lambda email_hash, ip_hash, hosts: (
        BlockedItem.select(BlockedItem.kind, BlockedItem.value, BlockedItem.reason)
        .where(
            ((BlockedItem.kind == "email_hash") & (BlockedItem.value == email_hash))
            | ((BlockedItem.kind == "ip_hash") & (BlockedItem.value == ip_hash))
            | ((BlockedItem.kind == "host") & one_of(BlockedItem.value, hosts))
        )
        .order_by(BlockedItem.kind)
        .limit(1)
    )
)


def match(email_hash: str, url: str, ip_hash: str, links=()) -> str | None:
    """Why a comment's sender is blocked, or None; one query."""
    hosts = sorted(_hosts([url or "", *links]))
    if not (email_hash or ip_hash or hosts):
        return None
    # An empty hash stands for "none given": the blocklist never holds one.
    found = _MATCH.execute(email_hash or "", ip_hash or "", pack(hosts)).fetchone()
    if found is None:
        return None
    kind, value, reason = found
    shown = f" {value}" if kind == "host" else ""
    return f"{LABELS[kind]}{shown} is on the blocklist ({reason})"
