"""The learning content filter: naive Bayes over a comment's tokens.

Each comment becomes a set of tokens (features.tokens: words, word pairs, link
hosts, shape marks, the commenter's name, email domain and website host). The
filter keeps, per token, in how many spam and how many ham comments it was
seen, plus the two document totals; the spam probability of a comment is the
Bernoulli naive Bayes log-odds over the tokens it has seen before, squashed by
a logistic with SCALE so that the settings' thresholds read as probabilities.

The counts live in the database (SpamToken), shared by every worker; scoring
reads only the comment's own tokens with one query. A MemoryStore with the
same interface holds the shipped default model and serves evaluation.
"""

import gzip
import json
import math
from pathlib import Path

from peewee import chunked

from ...db import write_transaction
from ...models import SpamLesson, SpamToken
from .features import tokens as comment_tokens

DEFAULT_MODEL = Path(__file__).with_name("default_model.json.gz")
# The document totals are kept as one more token row.
TOTALS = "__documents__"
SMOOTHING = 0.5
# log-odds / SCALE goes through the logistic: 0.9 means log-odds of about 8.8.
SCALE = 4.0
# Character n-grams multiply the rows read per comment for little gain here.
KINDS = ("w", "b", "u", "m", "n", "e", "f")


def features(fields: dict) -> list[str]:
    return [t for t in comment_tokens(fields) if t.split(":", 1)[0] in KINDS]


class MemoryStore:
    """Token counts in a dict: the default model, evaluation, tests."""

    def __init__(self, counts=None):
        self.counts = {token: list(pair) for token, pair in (counts or {}).items()}

    def get(self, tokens) -> dict:
        return {t: tuple(self.counts[t]) for t in tokens if t in self.counts}

    def add(self, tokens, spam: bool, delta: int):
        for token in tokens:
            pair = self.counts.setdefault(token, [0, 0])
            pair[spam] = max(0, pair[spam] + delta)

    def copy(self) -> "MemoryStore":
        return MemoryStore(self.counts)

    def dump(self) -> dict:
        return {token: pair for token, pair in self.counts.items() if any(pair)}


class DatabaseStore:
    """Token counts in SpamToken rows, (ham, spam) per token."""

    def get(self, tokens) -> dict:
        found = {}
        for batch in chunked(list(tokens), 500):
            rows = SpamToken.select().where(SpamToken.token.in_(batch)).tuples()
            found.update({token: (ham, spam) for token, spam, ham in rows})
        return found

    def add(self, tokens, spam: bool, delta: int):
        column = SpamToken.spam if spam else SpamToken.ham
        other = "ham" if spam else "spam"
        rows = [{"token": t, column.name: max(delta, 0), other: 0} for t in tokens]
        for batch in chunked(rows, 200):
            SpamToken.insert_many(batch).on_conflict(
                conflict_target=[SpamToken.token],
                update={column: _floor_zero(column + delta)},
            ).execute()


def _floor_zero(expression):
    from peewee import Case

    return Case(None, [(expression < 0, 0)], expression)


class Classifier:
    def __init__(self, store):
        self.store = store

    def probability(self, fields: dict) -> float | None:
        """How likely the comment is spam, from 0 to 1; None before any learning."""
        tokens = features(fields)
        counts = self.store.get(tokens + [TOTALS])
        ham_docs, spam_docs = counts.pop(TOTALS, (0, 0))
        if not ham_docs or not spam_docs:
            return None
        log_odds = math.log(spam_docs / ham_docs)
        for ham, spam in counts.values():
            log_odds += math.log((spam + SMOOTHING) / (spam_docs + 2 * SMOOTHING))
            log_odds -= math.log((ham + SMOOTHING) / (ham_docs + 2 * SMOOTHING))
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, log_odds / SCALE))))

    def learn(self, fields: dict, spam: bool, delta: int = 1):
        """Count (delta=1) or uncount (delta=-1) one labelled comment."""
        self.store.add(set(features(fields)) | {TOTALS}, spam, delta)


def load_default() -> MemoryStore:
    with gzip.open(DEFAULT_MODEL, "rt", encoding="utf-8") as handle:
        return MemoryStore(json.load(handle)["counts"])


def live() -> Classifier:
    return Classifier(DatabaseStore())


def seed_from_default():
    """Fill an empty SpamToken table from the shipped default model."""
    if SpamToken.select().exists():
        return 0
    rows = [
        {"token": token, "ham": ham, "spam": spam}
        for token, (ham, spam) in load_default().counts.items()
    ]
    with write_transaction():
        for batch in chunked(rows, 500):
            SpamToken.insert_many(batch).execute()
    return len(rows)


def comment_fields(comment) -> dict:
    return {
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body": comment.body,
    }


def learn_from_decision(comment, spam: bool):
    """Learn a moderator's decision at once; once per comment, flipping if needed."""
    classifier = live()
    fields = comment_fields(comment)
    with write_transaction():
        lesson = SpamLesson.get_or_none(SpamLesson.comment == comment.id)
        if lesson is not None and lesson.spam == spam:
            return
        if lesson is not None:
            classifier.learn(fields, lesson.spam, -1)
            lesson.spam = spam
            lesson.save()
        else:
            SpamLesson.create(comment=comment.id, spam=spam)
        classifier.learn(fields, spam, 1)
