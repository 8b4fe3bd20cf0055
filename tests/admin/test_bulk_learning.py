"""A bulk decision's learning: written at once, with the counts one at a time gives."""

import random
import sqlite3

import pytest

from blog import db
from blog.comment_models import Comment, SpamLesson, SpamModelVersion, SpamToken
from blog.comments import actions, undo
from blog.comments.spam import classifier
from blog.comments.spam.classifier import COMMENT_WEIGHT as W
from blog.comments.spam.classifier import TOTALS, Classifier, DatabaseStore
from tests.admin.conftest import offers_from_their_own_senders
from tests.factories import make_post
from tests.queries import statements

WORDS = [f"w:{word}" for word in "alpha beta gamma delta epsilon".split()]
CLASSIFIER_TABLES = ('"spam_token"', '"spam_model_version"', '"spam_lesson"')


@pytest.fixture
def post(app):
    return make_post(title="Commented")


def _rows() -> dict:
    rows = SpamToken.select(SpamToken.token, SpamToken.spam, SpamToken.ham).tuples()
    return {token: (spam, ham) for token, spam, ham in rows}


def _seed(rows: dict):
    SpamToken.delete().execute()
    DatabaseStore().add(rows)


def _lessons(rng: random.Random) -> list:
    """Counted and taken back in any order, on few tokens: counts reach zero."""
    return [
        (rng.sample(WORDS, rng.randint(1, 4)), rng.random() < 0.5, rng.choice([1, -1]))
        for _ in range(rng.randint(1, 12))
    ]


@pytest.mark.parametrize("seed", range(40))
def test_lessons_written_at_once_leave_the_counts_of_one_at_a_time(app, seed):
    """Taking back stops at zero, seeded rows hold other weights than W: the
    order of additions and subtractions matters, and is kept."""
    rng = random.Random(seed)
    start = {t: (rng.choice([0, 7, W, 3 * W]), rng.choice([5, W, 55])) for t in WORDS}
    start[TOTALS] = (10 * W, 12 * W)
    one_at_a_time, at_once, run, version = _both_ways(start, _lessons(rng))
    assert at_once == one_at_a_time
    assert SpamModelVersion.get_by_id(1).version != version
    assert sum('"spam_model_version"' in sql for sql, _ in run) == 1


def _both_ways(start: dict, lessons: list) -> tuple:
    """The counts left by learning the lessons one at a time and at once, each
    from start; the statements of learning them at once, and the model
    version before it."""
    model = Classifier(DatabaseStore())
    _seed(start)
    for tokens, spam, delta in lessons:
        model.learn_tokens(tokens, spam, delta)
    one_at_a_time = _rows()
    _seed(start)
    version = SpamModelVersion.get_by_id(1).version
    with statements() as run:
        model.learn_in_order(lessons)
    return one_at_a_time, _rows(), run, version


@pytest.fixture
def old_sqlite_limit(app):
    """SQLite before 3.32 bound at most 999 values to a statement."""
    if not db.is_sqlite():
        yield
        return
    connection = db.database.connection()
    limit = connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield
    connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)


def test_more_tokens_than_one_statement_takes_are_written_in_batches(
    old_sqlite_limit,
):
    many = [f"w:word{n}" for n in range(700)]
    start = {token: (n % 3 * 20, n % 5 * 20) for n, token in enumerate(many)}
    lessons = [(many, False, -1), (many[::2], True, -1), (many, True, 1)]
    one_at_a_time, at_once, run, _ = _both_ways(start, lessons)
    assert at_once == one_at_a_time
    clamps = [sql for sql, _ in run if sql.startswith('UPDATE "spam_token"')]
    assert len(clamps) > 2


def _learned_comments(post, count: int) -> list[int]:
    """Each its own sender; every other one learned as good, every third
    learned as spam before a privacy erase took its sender's tokens out."""
    comments = offers_from_their_own_senders(post, count)
    for comment in comments[1::6]:
        classifier.learn_from_decision(comment, spam=True)
    classifier.forget_senders([comment.id for comment in comments[1::6]])
    return [comment.id for comment in comments]


def _classifier_statements(post, users, count: int, undone: bool) -> list[str]:
    ids = _learned_comments(post, count)
    moderator = users["moderator"]
    result = actions.apply("spam", ids, moderator)
    with statements() as run:
        if undone:
            assert undo.undo(result.undo_id, moderator).done == ids[::-1]
        else:
            actions.apply("not_spam", ids, moderator)
    return [sql for sql, _ in run if any(table in sql for table in CLASSIFIER_TABLES)]


@pytest.mark.parametrize("undone", [False, True], ids=["not spam", "undo"])
def test_a_bulk_decision_learns_in_as_many_statements_for_50_comments_as_for_10(
    post, users, undone
):
    """Not an upsert, a subtraction, a new model version and a lesson a comment."""
    few = _classifier_statements(post, users, 10, undone)
    many = _classifier_statements(post, users, 50, undone)
    assert len(many) == len(few) < 12, (len(few), len(many))


def test_a_bulk_decision_leaves_the_counts_and_lessons_of_one_at_a_time(post, users):
    """Fresh comments, flipped ones, ones learned before an erase, one unchanged."""
    ids = _learned_comments(post, 12)
    classifier.learn_from_decision(Comment.get_by_id(ids[3]), spam=True)
    rows, lessons = _rows(), _lesson_rows()
    for comment_id in ids:
        classifier.learn_from_decision(Comment.get_by_id(comment_id), spam=True)
    one_at_a_time = _rows(), _lesson_rows()
    SpamToken.delete().execute()
    DatabaseStore().add(rows)
    SpamLesson.delete().execute()
    SpamLesson.insert_many(lessons.values()).execute()
    assert (
        classifier.learn_from_decisions(
            [Comment.get_by_id(comment_id) for comment_id in ids], spam=True
        )
        == len(ids) - 1
    )
    assert (_rows(), _lesson_rows()) == one_at_a_time


def _lesson_rows() -> dict:
    query = SpamLesson.select(
        SpamLesson.comment, SpamLesson.spam, SpamLesson.tokens
    ).dicts()
    return {row["comment"]: row for row in query}
