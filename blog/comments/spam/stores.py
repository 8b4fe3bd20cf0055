"""Where the classifier's token counts live: a dict, or the database.

A MemoryStore holds the shipped default model and `blog spam evaluate`'s
copies; the DatabaseStore is the live model every worker shares, with the
counts each worker has read kept while the model's version holds.
"""

import secrets

from peewee import EXCLUDED, Case, chunked

from ...comment_models import SpamModelVersion, SpamToken
from ...db import database, one_of, pack
from ...prepared import Prepared

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

    def subtract(self, tokens, spam: bool, weight: int):
        column = 0 if spam else 1
        for token in tokens:
            row = self.rows.get(token)
            if row and row[column] > 0:
                row[column] = max(0, row[column] - weight)
                if row == [0, 0]:
                    del self.rows[token]

    def copy(self) -> "MemoryStore":
        return MemoryStore(self.rows)

    def dump(self) -> dict:
        return {token: tuple(pair) for token, pair in self.rows.items()}


class Changes:
    """Counts added and taken back (stopping at zero), in order, for one write.

    Per token and column, any such sequence leaves max(0, count - taken) +
    added (counts are never below zero): adding w then leaves
    max(0, count - taken) + (added + w); taking w back leaves
    max(0, count - taken) + (added - w) when added >= w, else
    max(0, count - (taken + w - added)) + 0. So a bulk decision writes one
    subtraction and one addition per token, with exactly the counts its
    lessons one at a time would leave.
    """

    def __init__(self):
        self.taken: dict[str, list[int]] = {}
        self.added: dict[str, list[int]] = {}
        # Their rows go once both counts are zero, as a subtraction leaves them.
        self.subtracted: set[str] = set()

    def add(self, tokens, spam: bool, weight: int):
        column = 0 if spam else 1
        for token in set(tokens):
            self.added.setdefault(token, [0, 0])[column] += weight

    def subtract(self, tokens, spam: bool, weight: int):
        column = 0 if spam else 1
        for token in set(tokens):
            added = self.added.setdefault(token, [0, 0])
            if added[column] >= weight:
                added[column] -= weight
            else:
                taken = self.taken.setdefault(token, [0, 0])
                taken[column] += weight - added[column]
                added[column] = 0
        self.subtracted.update(tokens)

    def tokens(self) -> set[str]:
        return self.added.keys() | self.taken.keys()


# On every comment: built once (peewee took 1 ms to build it, SQLite 0.1 ms to run it).
_COUNTS = Prepared(
    lambda tokens: SpamToken.select(
        SpamToken.token, SpamToken.spam, SpamToken.ham
    ).where(one_of(SpamToken.token, tokens))
)
_VERSION = Prepared(
    lambda: SpamModelVersion.select(SpamModelVersion.version).where(
        SpamModelVersion.id == 1
    )
)
CACHED_TOKENS = 200_000  # tens of MB a worker at most; then it starts again


class _Kept:
    """Token counts this process has read, good while the model's version holds.

    After a write by any other worker SQLite reads every page afresh, and a
    comment's sixty-odd token counts cost 0.3 ms, the version's row 0.02 ms.
    A token the model lacks is kept as None.
    """

    database = None
    version = None
    rows: dict = {}

    @classmethod
    def counts(cls, tokens) -> dict:
        version = _VERSION.scalar()
        if (
            version is None
            or version != cls.version
            or database.obj is not cls.database
            or len(cls.rows) > CACHED_TOKENS
        ):
            cls.database, cls.version, cls.rows = database.obj, version, {}
        missing = [token for token in tokens if token not in cls.rows]
        found = {}
        if missing:
            rows = _COUNTS.execute(pack(missing)).fetchall()
            found = {token: (spam, ham) for token, spam, ham in rows}
            if version is not None:
                cls.rows.update((token, found.get(token)) for token in missing)
        known = ((token, found.get(token) or cls.rows.get(token)) for token in tokens)
        return {token: row for token, row in known if row is not None}


def _changed():
    """Give the model a new version: every worker drops the counts it kept."""
    SpamModelVersion.insert(id=1, version=secrets.randbits(31)).on_conflict(
        conflict_target=[SpamModelVersion.id], preserve=[SpamModelVersion.version]
    ).execute()


def _adding(rows):
    fields = [SpamToken.token, SpamToken.spam, SpamToken.ham]
    return SpamToken.insert_many(rows, fields).on_conflict(
        conflict_target=[SpamToken.token],
        update={
            SpamToken.spam: SpamToken.spam + EXCLUDED.spam,
            SpamToken.ham: SpamToken.ham + EXCLUDED.ham,
        },
    )


# A full batch, built once: peewee took 18 ms to build one, and seeding the
# default model (`blog init`, every features migration) runs 225 of them.
_ADD_BATCH = Prepared(
    lambda *values: _adding([values[i : i + 3] for i in range(0, len(values), 3)])
)


class DatabaseStore:
    """Token counts in the SpamToken table, shared by every worker."""

    def counts(self, tokens) -> dict:
        return _Kept.counts(tokens)

    def add(self, deltas):
        self._add(deltas)
        _changed()

    def _add(self, deltas):
        # Sorted, so that concurrent learners lock rows in one order.
        rows = sorted((token, *pair) for token, pair in deltas.items())
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            if len(batch) == _BATCH:
                _ADD_BATCH.execute(*(value for row in batch for value in row))
            else:
                _adding(batch).execute()

    def subtract(self, tokens, spam: bool, weight: int):
        column = SpamToken.spam if spam else SpamToken.ham
        # Stops at zero: rows seeded from an older model hold other weights.
        less = Case(None, [(column > weight, column - weight)], 0)
        tokens = sorted(tokens)
        for start in range(0, len(tokens), _BATCH):
            batch = SpamToken.token.in_(tokens[start : start + _BATCH])
            SpamToken.update({column: less}).where(batch & (column > 0)).execute()
            empty = (SpamToken.spam == 0) & (SpamToken.ham == 0)
            SpamToken.delete().where(batch & empty).execute()
        _changed()

    def apply(self, changes: Changes):
        """Take back, then add, each token's counts; the model changes once."""
        if not changes.tokens():
            return
        for index, column in enumerate((SpamToken.spam, SpamToken.ham)):
            taken = sorted((t, pair[index]) for t, pair in changes.taken.items())
            taken = [(token, weight) for token, weight in taken if weight]
            # Four bound values a token: its name and weight, written twice.
            for batch in chunked(taken, _BATCH // 2):
                weight = Case(SpamToken.token, batch)
                less = Case(None, [(column > weight, column - weight)], 0)
                tokens = one_of(SpamToken.token, pack(token for token, _ in batch))
                SpamToken.update({column: less}).where(tokens & (column > 0)).execute()
        self._add({token: pair for token, pair in changes.added.items() if any(pair)})
        if changes.subtracted:
            empty = (SpamToken.spam == 0) & (SpamToken.ham == 0)
            subtracted = one_of(SpamToken.token, pack(sorted(changes.subtracted)))
            SpamToken.delete().where(subtracted & empty).execute()
        _changed()
