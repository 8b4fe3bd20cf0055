"""Step 2a: the checks that need the request and the comment history.

Each guard is `guard(attempt, settings, history, now) -> Verdict | None`
(None when its switch is off). The decoy field and the form's age mark a
comment as spam but store it, so a robot learns nothing from the reply;
flood and rate refuse it with TooManyComments (HTTP 429, Retry-After) and a
duplicate is refused with a message on the form. The history is a small
query object (the store's Comment table in production, a list in tests),
so every guard is checked without an app and without sleeping.
"""

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..validate import BODY, ValidationError
from . import Outcome, Verdict


class History(Protocol):
    """What the guards and the policy ask about earlier comments."""

    def last_from(self, ip_hash: str, email_hash: str) -> datetime.datetime | None:
        """When the newest comment from this address or email was made."""

    def times_from_ip(
        self, ip_hash: str, since: datetime.datetime
    ) -> list[datetime.datetime]:
        """When each comment from this address since `since` was made, oldest first."""

    def has_same_text(
        self, post_id: int, author_name: str, email_hash: str, body: str, ip_hash: str
    ) -> bool:
        """Whether this author already left this text on this post.

        By name, or by email only from the same address: the email alone
        would let anyone confirm a guess at whose email wrote a shown comment.
        """

    def known_commenter(self, author_name: str, email_hash: str) -> bool:
        """Whether a reader's comment with this name and email was approved."""


class TooManyComments(Exception):
    """A commenter is going too fast: answer 429 with Retry-After."""

    def __init__(self, retry_after: int, message: str):
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


@dataclass(frozen=True)
class Attempt:
    """What the guards look at: privacy has run, so no raw email or address."""

    post_id: int
    author_name: str
    email_hash: str
    ip_hash: str
    body: str
    honeypot: str
    form_age: float  # seconds between serving the form and receiving it


def honeypot(attempt: Attempt, settings: Mapping, history, now) -> Verdict | None:
    if not settings["check_honeypot"]:
        return None
    if attempt.honeypot.strip():
        return Verdict("honeypot", Outcome.SPAM, "the hidden decoy field was filled")
    return Verdict("honeypot", Outcome.PASS, "the decoy field is empty")


def form_age(attempt: Attempt, settings: Mapping, history, now) -> Verdict | None:
    if not settings["check_form_age"]:
        return None
    age, least = attempt.form_age, settings["min_form_seconds"]
    if age < least:
        reason = f"sent {age:.1f} s after the form was served (minimum {least} s)"
        return Verdict("form_age", Outcome.SPAM, reason, score=age)
    reason = f"sent {age:.0f} s after the form was served"
    return Verdict("form_age", Outcome.PASS, reason, score=age)


def flood(attempt: Attempt, settings: Mapping, history, now) -> Verdict | None:
    if not settings["check_flood"]:
        return None
    gap = datetime.timedelta(seconds=settings["flood_seconds"])
    last = history.last_from(attempt.ip_hash, attempt.email_hash)
    if last is not None and now - last < gap:
        raise TooManyComments(
            _seconds(last + gap - now),
            "You are posting comments too quickly. Please wait a moment.",
        )
    return Verdict("flood", Outcome.PASS, "no comment from this commenter just before")


def rate(attempt: Attempt, settings: Mapping, history, now) -> Verdict | None:
    if not settings["check_rate"] or not attempt.ip_hash:
        return None
    window = datetime.timedelta(minutes=settings["rate_window_minutes"])
    times = history.times_from_ip(attempt.ip_hash, now - window)
    limit = settings["rate_limit"]
    if len(times) >= limit:
        # The window opens again when enough of the oldest comments leave it.
        frees_at = times[len(times) - limit] + window
        raise TooManyComments(
            _seconds(frees_at - now),
            f"You have posted {limit} comments in a short time. Please wait.",
        )
    reason = f"{len(times)} comment(s) from this address in the window of {limit}"
    return Verdict("rate", Outcome.PASS, reason, score=float(len(times)))


def duplicate(attempt: Attempt, settings: Mapping, history, now) -> Verdict | None:
    if not settings["check_duplicate"]:
        return None
    if history.has_same_text(
        attempt.post_id,
        attempt.author_name,
        attempt.email_hash,
        attempt.body,
        attempt.ip_hash,
    ):
        raise ValidationError(
            {BODY: "You have already posted this comment here."}, status=409
        )
    return Verdict("duplicate", Outcome.PASS, "not posted here before")


def _seconds(delta: datetime.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


GUARDS = (honeypot, form_age, flood, rate, duplicate)


def too_fast(attempt: Attempt, settings: Mapping, history, now) -> None:
    """The refusals of a sender going too fast, alone: they need no more
    than the sender's address and email, so they can be asked first."""
    flood(attempt, settings, history, now)
    rate(attempt, settings, history, now)


def run(attempt: Attempt, settings: Mapping, history, now) -> list[Verdict]:
    """Every guard in order; the refusals raise."""
    verdicts = (guard(attempt, settings, history, now) for guard in GUARDS)
    return [verdict for verdict in verdicts if verdict is not None]
