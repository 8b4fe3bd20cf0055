"""The learning spam filter: naive Bayes over token counts every worker shares.

For each token (features.py) the database keeps in how many spam and in how
many ham comments it was seen (SpamToken); the row TOTALS keeps how many of
each were learned. A comment's spam log-odds is the prior plus, for each of
its tokens seen before, log P(token | spam) - log P(token | ham) with a little
additive smoothing. Words never seen count a little toward ham: an honest
comment talks about its post, whose words a filter trained elsewhere has not
met, while spam is the same everywhere. Scoring reads only the comment's own
tokens, with one query; the log-odds divided by SCALE go through the
logistic, so the settings' thresholds read as probabilities.

Learning adds one to each of a comment's tokens in its class, unlearning takes
it back, so a moderator's change of mind is exact: the tokens learned from
each moderated comment are kept with its SpamLesson to be taken back later.

The same code runs on a MemoryStore: the shipped default model
(default_model.json.gz, built by build_default.py) loads into one without a
database, and `blog spam evaluate` trains a copy of it.
"""

import functools
import gzip
import json
import math
from collections import Counter
from pathlib import Path

from peewee import EXCLUDED

from ...db import is_sqlite, write_transaction
from ...models import Comment, SpamLesson, SpamToken, utcnow
from . import features

TOTALS = "#docs"  # its spam/ham counts are the numbers of comments learned
# Chosen on pairs of corpora (train on one, test on another), see the README.
SMOOTHING = 0.03  # added to every count: small, so tokens seen in one class speak
UNSEEN = 0.5  # log-odds toward ham for each word or word pair never seen
# Log-odds are over-confident (tokens are far from independent): divided by
# SCALE they fit the development pairs best (least log loss): 0.8 is 4 to 1.
SCALE = 11.0
DEFAULT_MODEL = Path(__file__).with_name("default_model.json.gz")
_BATCH = 300  # rows per statement: under SQLite's limit of bound variables


class MemoryStore:
    """Token counts in a dict: the default model, evaluation, tests."""

    def __init__(self, rows=None):
        self.rows = {token: list(pair) for token, pair in (rows or {}).items()}

    def counts(self, tokens) -> dict:
        return {t: tuple(self.rows[t]) for t in tokens if t in self.rows}

    def add(self, deltas):
        for token, (spam, ham) in deltas.items():
            row = self.rows.setdefault(token, [0, 0])
            row[0] += spam
            row[1] += ham

    def subtract(self, tokens, spam: bool):
        column = 0 if spam else 1
        for token in tokens:
            row = self.rows.get(token)
            if row and row[column] > 0:
                row[column] -= 1
                if row == [0, 0]:
                    del self.rows[token]

    def copy(self) -> "MemoryStore":
        return MemoryStore(self.rows)

    def dump(self) -> dict:
        return {token: tuple(pair) for token, pair in self.rows.items()}


class DatabaseStore:
    """Token counts in the SpamToken table, shared by every worker."""

    def counts(self, tokens) -> dict:
        query = SpamToken.select(SpamToken.token, SpamToken.spam, SpamToken.ham)
        rows = query.where(SpamToken.token.in_(list(tokens))).tuples()
        return {token: (spam, ham) for token, spam, ham in rows}

    def add(self, deltas):
        # Sorted, so that concurrent learners lock rows in one order.
        rows = sorted((token, *pair) for token, pair in deltas.items())
        fields = [SpamToken.token, SpamToken.spam, SpamToken.ham]
        for start in range(0, len(rows), _BATCH):
            SpamToken.insert_many(rows[start : start + _BATCH], fields).on_conflict(
                conflict_target=[SpamToken.token],
                update={
                    SpamToken.spam: SpamToken.spam + EXCLUDED.spam,
                    SpamToken.ham: SpamToken.ham + EXCLUDED.ham,
                },
            ).execute()

    def subtract(self, tokens, spam: bool):
        column = SpamToken.spam if spam else SpamToken.ham
        tokens = sorted(tokens)
        for start in range(0, len(tokens), _BATCH):
            batch = SpamToken.token.in_(tokens[start : start + _BATCH])
            SpamToken.update({column: column - 1}).where(batch & (column > 0)).execute()
            empty = (SpamToken.spam == 0) & (SpamToken.ham == 0)
            SpamToken.delete().where(batch & empty).execute()


def log_odds(counts: dict, tokens) -> float | None:
    """Spam log-odds of a comment's tokens; None until both classes are learned."""
    spam_docs, ham_docs = counts.get(TOTALS, (0, 0))
    if spam_docs <= 0 or ham_docs <= 0:
        return None
    score = math.log(spam_docs / ham_docs)
    spam_total = math.log(spam_docs + 2 * SMOOTHING)
    ham_total = math.log(ham_docs + 2 * SMOOTHING)
    for token in tokens:
        spam, ham = counts.get(token, (0, 0))
        if spam or ham:
            score += math.log(spam + SMOOTHING) - spam_total
            score -= math.log(ham + SMOOTHING) - ham_total
        elif token[0] in "wb":
            score -= UNSEEN
    return score


def probability(score: float) -> float:
    return 1 / (1 + math.exp(-max(-500.0, min(500.0, score / SCALE))))


def lesson(example) -> tuple[list[str], bool]:
    """What learning a labelled corpus example counts: its tokens and label."""
    return features.tokens(example.as_comment()), example.spam


def _campaign(tokens: list[str]) -> tuple:
    words = [token for token in tokens if token.startswith("w:")]
    return tuple(words[:6]) if len(words) >= 6 else tuple(tokens)


class Classifier:
    """Scores and learns comments against one store of token counts."""

    def __init__(self, store):
        self.store = store

    def probability(self, fields: dict) -> float | None:
        """How likely a comment is spam, 0 to 1; None before any spam and ham."""
        tokens = features.tokens(fields)
        score = log_odds(self.store.counts([*tokens, TOTALS]), tokens)
        return None if score is None else probability(score)

    def learn(self, fields: dict, spam: bool, delta: int = 1):
        """Count (delta=1) or take back (delta=-1) one labelled comment."""
        self.learn_tokens(features.tokens(fields), spam, delta)

    def learn_tokens(self, tokens, spam: bool, delta: int = 1):
        if delta == 1:
            one = (1, 0) if spam else (0, 1)
            self.store.add({token: one for token in [*tokens, TOTALS]})
        elif delta == -1:
            self.store.subtract([*tokens, TOTALS], spam)
        else:
            raise ValueError(f"delta must be 1 or -1, not {delta!r}")

    def train(self, examples) -> Counter:
        """Learn labelled corpus examples; how many of each class it took."""
        return self.learn_many(lesson(example) for example in examples)

    def learn_many(self, lessons) -> Counter:
        """Learn (tokens, spam) pairs with one write.

        Copies of one message (a spam campaign, a forwarded joke) are learned
        once, told apart by their first six distinct words: a hundred pastes
        of one spam must not outweigh everything else the filter knows.
        """
        seen, totals, learned = set(), {}, Counter()
        for tokens, spam in lessons:
            key = (_campaign(tokens), spam)
            if key in seen:
                continue
            seen.add(key)
            learned["spam" if spam else "ham"] += 1
            column = 0 if spam else 1
            for token in [*tokens, TOTALS]:
                totals.setdefault(token, [0, 0])[column] += 1
        self.store.add(totals)
        return learned


def live() -> Classifier:
    """The classifier every worker shares, on the database."""
    return Classifier(DatabaseStore())


def comment_fields(comment) -> dict:
    return {
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body": comment.body,
    }


def learn_from_decision(comment, spam: bool) -> bool:
    """Learn a moderator's decision on a comment; False if it was known already.

    Learning the other label for a comment takes the first one back, so the
    counts hold each moderated comment once, with its latest label, even if
    the comment was edited in between.
    """
    classifier = live()
    with write_transaction():
        _lock(comment)
        record = SpamLesson.get_or_none(SpamLesson.comment == comment.id)
        if record is not None and record.spam == spam:
            return False
        if record is None:
            record = SpamLesson(comment=comment.id)
        else:
            classifier.learn_tokens(json.loads(record.tokens), record.spam, -1)
        tokens = features.tokens(comment_fields(comment))
        classifier.learn_tokens(tokens, spam)
        record.spam = spam
        record.tokens = json.dumps(tokens)
        record.learned_at = utcnow()
        record.save()
    return True


def _lock(comment):
    """One learner per comment at a time on PostgreSQL (SQLite has one writer)."""
    if not is_sqlite():
        query = Comment.select(Comment.id).where(Comment.id == comment.id)
        query.for_update().execute()


@functools.cache
def _default_rows(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        model = json.load(file)
    if model.get("features") != features.FEATURES_VERSION:
        raise ValueError(
            f"{path} holds features version {model.get('features')}, this code "
            f"makes version {features.FEATURES_VERSION}: rebuild it with "
            "`python -m blog.comments.spam.build_default`"
        )
    return model["tokens"]


def load_default(path: Path | None = None) -> MemoryStore:
    """A fresh copy of the shipped default model; no database needed."""
    return MemoryStore(_default_rows(Path(path or DEFAULT_MODEL)))


def save(store: MemoryStore, path: Path):
    """Write a model file; the same counts always give the same bytes."""
    model = {"features": features.FEATURES_VERSION, "tokens": store.rows}
    text = json.dumps(model, sort_keys=True, separators=(",", ":"))
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as out:
        out.write(text.encode())


def seed_from_default(path: Path | None = None) -> int:
    """Fill an empty SpamToken table from the default model; the rows added."""
    rows = load_default(path).rows
    with write_transaction():
        if SpamToken.select().exists():
            return 0
        DatabaseStore().add(rows)
    return len(rows)
