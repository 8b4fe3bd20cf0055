"""Spam defences: each check returns a Verdict with a reason and maybe a score.

guards.py holds the checks that need the request (honeypot, form age, flood,
rate, duplicate); content.py the checks that need only the comment's own
fields (links, keywords, blocklist, the learning classifier), which
`blog spam evaluate` runs exactly as live comments do.
"""

from dataclasses import asdict, dataclass
from enum import StrEnum


class Outcome(StrEnum):
    PASS = "pass"  # nothing wrong found
    HOLD = "hold"  # send to the moderation queue
    SPAM = "spam"  # send to the spam folder


@dataclass(frozen=True)
class Verdict:
    check: str
    outcome: Outcome
    reason: str
    score: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def strongest(verdicts) -> Outcome:
    """SPAM beats HOLD beats PASS."""
    outcomes = {verdict.outcome for verdict in verdicts}
    for outcome in (Outcome.SPAM, Outcome.HOLD):
        if outcome in outcomes:
            return outcome
    return Outcome.PASS
