"""The learning spam filter: naive Bayes evidence over counts every worker shares.

For each token (features.py) the database keeps how much spam and how much
ham it was seen in (SpamToken); the row TOTALS keeps how much of each was
learned. A comment counts COMMENT_WEIGHT there and a text message of the SMS
corpus one: five thousand private messages must not outvote the comments'
own words. (Counted alike, the messages made every word common on YouTube,
"video", "views", "song", look like spam, because the ham they add never
says them.)

A token's evidence is log P(token | spam) - log P(token | ham), smoothed by
SMOOTHING. A comment's score adds three parts:

- its words, word pairs and first and last words: their evidence summed and
  divided by the square root of how many there are, plus DILUTION. Tokens of
  one text are far from independent, and a long honest comment must not pile
  small leanings up into a verdict; DILUTION keeps the few tokens of a very
  short one from speaking nearly undivided. Words never seen count in the
  divisor, so a comment about things the filter never met says little either
  way; a word never seen speaks through its stem if the stem was seen.
- its links and sender (link count, link hosts, email domain, website
  host): SENDER_SHARE of their evidence, not diluted by the text's length.
- the prior, PRIOR_WEIGHT times log(spam learned / ham learned), only while
  ham outweighs spam: a filter that learned mostly ham is more careful, but
  one that learned mostly spam is not made bolder, since an unknown comment
  must not go to spam because the site receives a lot of it.

Divided by SCALE, the score goes through the logistic, so the settings'
thresholds read as probabilities. Spam, beyond that, needs one token that is
STRONG evidence on its own: a score piled up of mild leanings, or of words
and links the filter's corpora never met in honest comments, holds at most.
Scoring reads only the comment's own tokens, with one query.

Learning adds a comment's weight to each of its tokens in its class,
unlearning takes it back, so a moderator's change of mind is exact: the
tokens learned from each moderated comment are kept with its SpamLesson to be
taken back later.

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

from peewee import chunked

from ...comment_models import Comment, SpamLesson, SpamModelVersion, SpamToken
from ...db import locked, one_of, pack, write_transaction
from ...models import utcnow
from ...schema import missing
from . import features
from .stores import Changes, DatabaseStore, MemoryStore

TOTALS = "#docs"  # its spam/ham counts are how much of each was learned
# Chosen on the development runs (`python -m blog.comments.spam.evaluate
# --sweep`: pairs of YouTube files and 70/30 splits of other seeds), see the README.
COMMENT_WEIGHT = 40  # a comment weighs as much as this many text messages
WEIGHTS = {"comment": COMMENT_WEIGHT, "text message": 1}
SMOOTHING = 5.0  # added to every count: an eighth of a comment
DILUTION = 2.0  # added to a text's token count in the divisor √(n + DILUTION)
SENDER_SHARE = 0.5
PRIOR_WEIGHT = 3.0
SENDER_KINDS = frozenset("muef")  # link count, link hosts, email domain, website host
SCALE = 0.8  # of least log loss on the development runs
# A token seen ten times as often in spam as in ham, the least that sends to spam.
STRONG = math.log(10)
DEFAULT_MODEL = Path(__file__).with_name("default_model.json.gz")


def judge(counts: dict, tokens) -> tuple[float, float] | None:
    """Spam log-odds of a comment's tokens and the strongest spam evidence of
    one of them (0 if none leans spam); None until both classes are learned."""
    spam_docs, ham_docs = counts.get(TOTALS, (0, 0))
    if spam_docs <= 0 or ham_docs <= 0:
        return None
    spam_total = math.log(spam_docs + 2 * SMOOTHING)
    ham_total = math.log(ham_docs + 2 * SMOOTHING)

    def evidence(row) -> float:
        spam, ham = row
        spam_share = math.log(spam + SMOOTHING) - spam_total
        return spam_share - math.log(ham + SMOOTHING) + ham_total

    text, words, sender, strongest = 0.0, 0, 0.0, 0.0
    for token in tokens:
        kind = token[0]
        if kind == "p":
            continue  # a stem speaks only for its word, below
        row = counts.get(token)
        if row is None and kind == "w":
            row = counts.get(features.stem(token))
        found = evidence(row) if row else 0.0
        strongest = max(strongest, found)
        if kind in SENDER_KINDS:
            sender += found
        else:
            words += 1
            text += found
    prior = min(0.0, math.log(spam_docs / ham_docs))
    text /= math.sqrt(words + DILUTION)
    return text + SENDER_SHARE * sender + PRIOR_WEIGHT * prior, strongest


def probability(score: float) -> float:
    return 1 / (1 + math.exp(-max(-500.0, min(500.0, score / SCALE))))


def lesson(example) -> tuple[list[str], bool, int]:
    """What learning a labelled corpus example counts: tokens, label, weight."""
    return features.tokens(example.as_comment()), example.spam, WEIGHTS[example.medium]


def _campaign(tokens: list[str]) -> tuple:
    words = [token for token in tokens if token.startswith("w:")]
    return tuple(words[:6]) if len(words) >= 6 else tuple(tokens)


class Classifier:
    """Scores and learns comments against one store of token counts."""

    def __init__(self, store):
        self.store = store

    def probability(self, fields: dict) -> float | None:
        """How likely a comment is spam, 0 to 1; None before any spam and ham."""
        judged = self.judge(fields)
        return None if judged is None else judged[0]

    def judge(self, fields: dict) -> tuple[float, bool] | None:
        """The spam probability, and whether one token alone is STRONG evidence."""
        tokens = features.tokens(fields)
        judged = judge(self.store.counts([*tokens, TOTALS]), tokens)
        if judged is None:
            return None
        return probability(judged[0]), judged[1] >= STRONG

    def learn(self, fields: dict, spam: bool, delta: int = 1):
        """Count (delta=1) or take back (delta=-1) one labelled comment."""
        self.learn_tokens(features.tokens(fields), spam, delta)

    def learn_tokens(self, tokens, spam: bool, delta: int = 1):
        """Count or take back the tokens of one comment, at a comment's weight."""
        if delta == 1:
            one = (COMMENT_WEIGHT, 0) if spam else (0, COMMENT_WEIGHT)
            self.store.add({token: one for token in [*tokens, TOTALS]})
        elif delta == -1:
            self.store.subtract([*tokens, TOTALS], spam, COMMENT_WEIGHT)
        else:
            raise ValueError(f"delta must be 1 or -1, not {delta!r}")

    def learn_in_order(self, lessons):
        """learn_tokens for each (tokens, spam, delta) in turn, written at once:
        the same counts, and the model's version changed once."""
        changes = Changes()
        for tokens, spam, delta in lessons:
            if delta not in (1, -1):
                raise ValueError(f"delta must be 1 or -1, not {delta!r}")
            learn = changes.add if delta == 1 else changes.subtract
            learn([*tokens, TOTALS], spam, COMMENT_WEIGHT)
        self.store.apply(changes)

    def train(self, examples) -> Counter:
        """Learn labelled corpus examples; how many of each class it took."""
        return self.learn_many(lesson(example) for example in examples)

    def learn_many(self, lessons) -> Counter:
        """Learn (tokens, spam, weight) lessons with one write.

        Copies of one message (a spam campaign, a forwarded joke) are learned
        once, told apart by their first six distinct words: a hundred pastes
        of one spam must not outweigh everything else the filter knows.
        """
        seen, totals, learned = set(), {}, Counter()
        for tokens, spam, weight in lessons:
            key = (_campaign(tokens), spam)
            if key in seen:
                continue
            seen.add(key)
            learned["spam" if spam else "ham"] += 1
            column = 0 if spam else 1
            for token in [*tokens, TOTALS]:
                totals.setdefault(token, [0, 0])[column] += weight
        self.store.add(totals)
        return learned


def live() -> Classifier:
    """The classifier every worker shares, on the database."""
    return Classifier(DatabaseStore())


# The columns of a comment the classifier learns from.
LEARNED_FROM = (
    Comment.id,
    Comment.author_name,
    Comment.author_email,
    Comment.author_url,
    Comment.body,
)


def comment_fields(comment) -> dict:
    return {
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body": comment.body,
    }


def learn_from_decision(comment, spam: bool) -> bool:
    """Learn a moderator's decision on a comment; False if it was known already.

    Learning again (the other label, or the same after an edit) takes the
    first lesson back, so the counts hold each moderated comment once, with
    its latest label and its text as it stands, as rebuild() would count it.
    """
    return learn_from_decisions([comment], spam) == 1


def learn_from_decisions(comments, spam: bool) -> int:
    """learn_from_decision for each comment, in id order, their rows locked;
    how many were learned.

    The lessons are read by one query, written by one, and their counts by
    one statement of each kind (Changes): the model's version changes once.
    """
    comments = sorted({c.id: c for c in comments}.values(), key=lambda c: c.id)
    ids = pack(comment.id for comment in comments)
    with write_transaction():
        locked(
            Comment.select(Comment.id)
            .where(one_of(Comment.id, ids))
            .order_by(Comment.id)
        ).execute()
        lessons = SpamLesson.select().where(one_of(SpamLesson.comment, ids))
        records = {record.comment_id: record for record in lessons}
        steps, rows = [], []
        for comment in comments:
            tokens = features.tokens(comment_fields(comment))
            learned = json.dumps(tokens)
            record = records.get(comment.id)
            if record is not None and (record.spam, record.tokens) == (spam, learned):
                continue
            if record is not None:
                steps.append((json.loads(record.tokens), record.spam, -1))
            steps.append((tokens, spam, 1))
            rows.append((comment.id, spam, learned, utcnow()))
        live().learn_in_order(steps)
        save_lessons(rows)
        return len(rows)


def save_lessons(rows):
    """Write (comment id, spam, tokens JSON, learned at) lessons, new or not."""
    fields = [
        SpamLesson.comment,
        SpamLesson.spam,
        SpamLesson.tokens,
        SpamLesson.learned_at,
    ]
    for batch in chunked(rows, 100):  # 400 bound values: under SQLite's limit
        SpamLesson.insert_many(batch, fields).on_conflict(
            conflict_target=[SpamLesson.comment],
            preserve=[SpamLesson.spam, SpamLesson.tokens, SpamLesson.learned_at],
        ).execute()


SENDER_TOKENS = ("e:", "f:")  # the commenter's email domain and website host


def forget_senders(comment_ids) -> int:
    """Take the commenters' own tokens (email domain, website host, hashed
    too when long) out of these comments' lessons and the counts;
    the lessons changed.

    For a privacy erase: nothing of the person stays in the model, and the
    rest of each lesson can still be taken back exactly.
    """
    store, changed = DatabaseStore(), 0
    with write_transaction():
        # As learn_from_decisions does, in id order as the moderators' actions
        # do: a decision under way is waited for, and its lesson is the one changed.
        comments = Comment.select(Comment.id).where(Comment.id.in_(comment_ids))
        locked(comments.order_by(Comment.id)).execute()
        lessons = SpamLesson.select(SpamLesson, Comment).join(Comment)
        for record in lessons.where(SpamLesson.comment.in_(comment_ids)):
            tokens = json.loads(record.tokens)
            own = set(features.sender_tokens(comment_fields(record.comment)))
            theirs = [t for t in tokens if t.startswith(SENDER_TOKENS) or t in own]
            if theirs:
                store.subtract(theirs, record.spam, COMMENT_WEIGHT)
                record.tokens = json.dumps([t for t in tokens if t not in theirs])
                record.save()
                changed += 1
    return changed


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


def rebuild(path: Path | None = None) -> int:
    """Start the live model again: the default model plus every moderator decision.

    For an upgrade that changes the features: counts made by the old ones
    would be scored by the new. Each decision is relearned from its comment
    as it stands now; the number of decisions relearned is returned.
    """
    # Migration 0008 of a database older than 0011 finds no model version
    # table: this code cannot write there yet, and the last features migration
    # relearns the model once it can. Of comments it reads only the columns
    # learned from: one added after that migration (0032) would stop it.
    if missing([SpamToken, SpamModelVersion, SpamLesson, *LEARNED_FROM]):
        return 0
    classifier = live()
    with write_transaction():
        SpamToken.delete().execute()
        DatabaseStore().add(load_default(path).rows)
        lessons = SpamLesson.select(SpamLesson, *LEARNED_FROM).join(Comment)
        for lesson in lessons:
            tokens = features.tokens(comment_fields(lesson.comment))
            classifier.learn_tokens(tokens, lesson.spam)
            lesson.tokens = json.dumps(tokens)
            lesson.save()
    return len(lessons)
