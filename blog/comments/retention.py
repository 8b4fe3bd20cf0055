"""How long the addresses of commenters are kept, and forgetting them after."""

import datetime
from functools import partial

from .. import db
from ..comment_models import Comment
from ..models import SIGN_IN_WINDOW, LoginAttempt
from . import undo
from .spam import blocklist

PURGE_BATCH = 500


def purge_ip_data(
    now: datetime.datetime, keep: datetime.timedelta, limit: int = PURGE_BATCH
) -> int:
    """Forget the hashed and truncated addresses of up to `limit` comments
    older than keep; how many.

    Found by the (ip_hash, created_at) index among the comments that still
    have an address, so a purged past is never read again.
    """
    due = (
        Comment.select(Comment.id)
        .where((Comment.ip_hash > "") & db.unselective(Comment.created_at < now - keep))
        .limit(limit)
    )
    return Comment.update(ip_hash="", ip_prefix="").where(Comment.id.in_(due)).execute()


def forget_old_addresses(now: datetime.datetime, keep: datetime.timedelta) -> int:
    """Every address past keep, a batch a transaction: other writers go between;
    then the blocklist's addresses blocked before keep, and the other rows
    holding address hashes once they are of no use: expired undos, failed
    sign-ins (a site where only readers come runs nothing else that would).

    The first run after importing years of comments meets many at once: in
    one transaction, 90,000 of them held SQLite's write lock for 1.7 s.
    """
    total = 0
    while True:
        done = db.retrying(partial(purge_ip_data, now, keep))
        total += done
        if done < PURGE_BATCH:
            db.retrying(partial(blocklist.forget_addresses, now - keep))
            db.retrying(partial(_forget_other_addresses, now))
            return total


def _forget_other_addresses(now: datetime.datetime):
    """Rows that hold address hashes and are of no use any more."""
    undo.forget_expired(now)
    # Past the sign-in limit's window a failed attempt is never read again.
    LoginAttempt.delete().where(LoginAttempt.at < now - SIGN_IN_WINDOW).execute()


def ip_retention(settings) -> datetime.timedelta:
    """How long addresses are kept: never shorter than the rate and flood checks."""
    return max(
        datetime.timedelta(days=settings["ip_retention_days"]),
        datetime.timedelta(minutes=settings["rate_window_minutes"]),
        datetime.timedelta(seconds=settings["flood_seconds"]),
    )
