"""The database, bound late: SQLite by default, PostgreSQL by URL."""

import datetime
import functools
import hashlib
import itertools
import json
import os
import time
from collections import namedtuple
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from peewee import (
    SQL,
    BooleanField,
    DatabaseProxy,
    DateTimeField,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
    fn,
)

database = DatabaseProxy()

BUSY_SECONDS = 10  # how long a statement waits for another writer's lock
# Between a waiting writer's tries for the lock (seconds): the last one repeats.
WRITE_LOCK_PAUSES = (0.0001, 0.0002, 0.0005, 0.001, 0.002)

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    # FULL: an acknowledged comment survives a power cut, not only a crash.
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 1000 * BUSY_SECONDS,
    "cache_size": -32000,
    # A statement whose triggers write another table keeps a statement journal:
    # as a temporary file it cost each comment insert 70 us of file calls.
    "temp_store": "memory",
}


# Write transactions of one process between two checkpoints run after a response.
CHECKPOINT_EVERY = 20


class BusyError(Exception):
    """The database stayed locked through every retry."""


class Sqlite(SqliteDatabase):
    """SQLite whose write transactions wait for the lock in short steps.

    SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries, so
    under a stream of comments a worker that lost the lock a few times slept
    on while the lock, held under a millisecond a comment, was free: with
    four workers some waited 180 ms. BEGIN IMMEDIATE (write_transaction)
    tries again after WRITE_LOCK_PAUSES instead, for as long as any
    statement waits.
    """

    def begin(self, lock_type=None):
        if lock_type != "IMMEDIATE":
            return super().begin(lock_type)
        connection = self.connection()
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + BUSY_SECONDS
            for pause in itertools.chain(
                WRITE_LOCK_PAUSES, itertools.repeat(WRITE_LOCK_PAUSES[-1])
            ):
                try:
                    return super().begin(lock_type)
                except OperationalError as error:
                    if not _another_writer(error) or time.monotonic() > deadline:
                        raise
                time.sleep(pause)
        finally:
            connection.execute(f"PRAGMA busy_timeout = {1000 * BUSY_SECONDS}")


def _create_private(path: str):
    """Make a new database file readable by its owner alone: it holds
    commenters' emails and password hashes. SQLite gives its -wal and -shm
    files the same mode; an existing file is left as its owner set it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def connect_url(url: str):
    """Build a peewee database for a sqlite:/// or postgresql:// URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
        return Sqlite(path, pragmas=SQLITE_PRAGMAS, timeout=BUSY_SECONDS)
    if parsed.scheme in ("postgres", "postgresql"):
        # A writer waits for a row another holds as long as SQLite's would.
        options = [f"-c lock_timeout={BUSY_SECONDS}s"]
        schema = parse_qs(parsed.query).get("schema", [""])[0]
        if schema:  # ?schema=name keeps the tables apart (isolates test runs)
            options.append(f"-c search_path={schema}")
        return PostgresqlDatabase(
            parsed.path.lstrip("/"),
            user=parsed.username,
            password=parsed.password,
            host=parsed.hostname,
            port=parsed.port or 5432,
            options=" ".join(options),
        )
    raise ValueError(
        f"unsupported database URL {url!r}: use sqlite:/// or postgresql://"
    )


def init(url: str):
    """Bind the proxy to the database named by url and return it."""
    db = connect_url(url)
    database.initialize(db)
    return db


def connect():
    """Open this thread's connection, or a new one for one the server closed.

    A PostgreSQL restart, failover or idle timeout ends a worker's connection;
    psycopg2 marks it closed once a statement fails on it, but peewee would
    hand it out again to every later request (each a 500) until a restart.
    """
    if not database.is_closed() and getattr(database.connection(), "closed", 0):
        database.close()
    database.connect(reuse_if_open=True)


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def one_of(field, packed):
    """field IN a list given as one parameter (made by pack()).

    One SQL text serves lists of any length, so a Prepared query holding it
    is built once, not once per length.
    """
    if is_sqlite():
        return field.in_(SQL("(SELECT value FROM json_each(?))", [packed]))
    return field == SQL("ANY(%s)", [packed])


def locked(query):
    """The query, its rows locked until the transaction ends (FOR UPDATE).

    Another writer's decision on them is waited for and read, not overwritten.
    SQLite has nothing to add: its write transaction locks the database at BEGIN.
    """
    return query if is_sqlite() else query.for_update()


def shared(query):
    """The query, its rows share-locked until the transaction ends (FOR SHARE).

    Nobody changes them meanwhile, and a change under way is waited for and
    read; other transactions still read and share-lock them, as the comment
    count triggers do. SQLite's write transaction locks the database at BEGIN.
    """
    return query if is_sqlite() else query.for_update("FOR SHARE")


def serialise(*names: str):
    """Hold these names until the transaction ends: another transaction
    serialising one of them waits here for it.

    For a check of rows that may not exist yet (a commenter's earlier
    comments), which FOR UPDATE cannot lock. SQLite has nothing to add: its
    write transaction locks the database at BEGIN.
    """
    if is_sqlite():
        return
    # In one order, so two transactions never each hold what the other waits for.
    keys = sorted({_lock_key(name) for name in names})
    database.execute_sql(
        "SELECT pg_advisory_xact_lock(key) FROM unnest(%s::bigint[]) AS key", [keys]
    )


def _lock_key(name: str) -> int:
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def unselective(condition):
    """Tell SQLite's planner that nearly every row passes this condition.

    Without statistics it guesses an equality or a range to be selective and
    may walk an index of it in place of a better one. PostgreSQL has them.
    """
    return fn.likelihood(condition, SQL("0.99")) if is_sqlite() else condition


def pack(values) -> str | list:
    """values as the one parameter one_of() takes on this database."""
    return json.dumps(list(values)) if is_sqlite() else list(values)


class _Writes:
    """This process's write transactions since its last checkpoint."""

    count = 0


@contextmanager
def write_transaction():
    """A write transaction that takes SQLite's write lock up front.

    Taking the lock at BEGIN (IMMEDIATE) means a busy database is seen at the
    start, where Sqlite.begin waits for it, never half-way through.
    """
    _Writes.count += 1
    if is_sqlite():
        with database.atomic("IMMEDIATE") as txn:
            yield txn
    else:
        with database.atomic() as txn:
            yield txn


def checkpoint_due() -> bool:
    return _Writes.count >= CHECKPOINT_EVERY and is_sqlite()


def checkpoint():
    """Copy the WAL's pages into the database file, blocking nobody (PASSIVE).

    The app runs it after a response has gone out, every CHECKPOINT_EVERY
    writes. Left to SQLite, the commit that takes the WAL past 1,000 pages
    copies them inside its own request: about one comment in sixty waited
    1-2 ms more. SQLite's own checkpoint stays on for writes outside requests.
    """
    _Writes.count = 0
    if is_sqlite():
        database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")


def retrying(action, attempts: int = 5, pause: float = 0.05):
    """Run action() in a write transaction, again while another writer is in the way.

    Gives up (BusyError) once it has waited BUSY_SECONDS in all: a lock that
    outlasted a whole busy timeout (a long import, say) is answered "busy"
    at once, within a server worker's timeout, not waited for five times.
    """
    started = time.monotonic()
    for attempt in range(attempts):
        try:
            with write_transaction():
                return action()
        except OperationalError as error:
            if not _another_writer(error):
                raise
            if time.monotonic() - started >= BUSY_SECONDS:
                break
            time.sleep(pause * (2**attempt))
    raise BusyError("The site is busy right now; please try again in a moment.")


def _another_writer(error: OperationalError) -> bool:
    """SQLite's lock held past the busy timeout; on PostgreSQL a row lock held
    past lock_timeout (SQLSTATE 55P03), or one of two writers that waited on
    each other undone (class 40: a deadlock)."""
    code = getattr(getattr(error, "orig", None), "pgcode", None)
    if code:
        return code.startswith("40") or code == "55P03"
    return "locked" in str(error) or "busy" in str(error)


class Prepared:
    """A query peewee builds once per kind of database, then runs with new values.

    Building a query costs peewee about 0.4 ms and running it costs SQLite
    about 0.01 ms, so the queries of every page view and comment are built
    once. build(*values) binds the values given in order, each once, as those
    very objects; anything else it binds is a constant of the query (so a
    constant bound before a value must not be that very object).
    """

    def __init__(self, build):
        self.build = build
        self.built: dict[type, tuple[str, list]] = {}

    def _statement(self, values) -> tuple[str, list]:
        kind = type(database.obj)
        if kind not in self.built:
            sql, bound = self.build(*values).sql()
            self.built[kind] = sql, _slots(bound, values)
        sql, slots = self.built[kind]
        return sql, [const if slot is None else values[slot] for slot, const in slots]

    def execute(self, *values):
        return database.execute_sql(*self._statement(values))

    def scalar(self, *values):
        row = self.execute(*values).fetchone()
        return row[0] if row else None

    def models(self, model, *values) -> list:
        """The rows as instances of model, columns converted as peewee would."""
        sql, params = self._statement(values)
        return list(model.raw(sql, *params))

    def records(self, model, *values) -> list:
        """The rows as named tuples of model's columns: read-only, and about
        five times cheaper to make than model instances (1.3 ms for 50 rows)."""
        cursor = self.execute(*values)
        names = tuple(column[0] for column in cursor.description)
        record, conversions = _record_type(model, names)
        records = []
        for row in cursor.fetchall():
            if conversions:
                row = list(row)
                for index, convert in conversions:
                    if row[index] is not None:
                        row[index] = convert(row[index])
            records.append(record._make(row))
        return records


class PreparedInsert:
    """An INSERT of one row of model, built once; unset columns take their defaults."""

    def __init__(self, model):
        self.columns = [f for f in model._meta.sorted_fields if not f.primary_key]
        self.query = Prepared(
            lambda *row: model.insert(dict(zip(self.columns, row, strict=True)))
        )

    def __call__(self, **values) -> int:
        """Insert the row; its new id."""
        row = [
            values[field.name]
            if field.name in values
            else field.default()
            if callable(field.default)
            else field.default
            for field in self.columns
        ]
        cursor = self.query.execute(*row)
        return cursor.lastrowid if is_sqlite() else cursor.fetchone()[0]


@functools.cache
def _record_type(model, names: tuple):
    """A named tuple type for these columns, and (index, converter) pairs."""
    fields = model._meta.columns
    conversions = []
    for index, name in enumerate(names):
        field = fields.get(name)
        # SQLite hands these back as text and 0/1; the rest come back as stored.
        if isinstance(field, DateTimeField):
            conversions.append((index, _datetime))
        elif isinstance(field, BooleanField):
            conversions.append((index, bool))
    record = namedtuple(f"{model.__name__}Record", names)
    # A model's record_mixin lends it properties (a post's url, say).
    mixin = getattr(model, "record_mixin", None)
    if mixin is not None:
        record = type(record.__name__, (mixin, record), {"__slots__": ()})
    return record, tuple(conversions)


def _datetime(value):
    return (
        value
        if isinstance(value, datetime.datetime)
        else datetime.datetime.fromisoformat(value)
    )


def _slots(bound: list, values: tuple) -> list[tuple[int | None, object]]:
    """For each bound parameter: the index of the value it is, or None and a constant.

    The values must be bound in order, each once, as the very objects given.
    """
    slots, following = [], 0
    for param in bound:
        if following < len(values) and param is values[following]:
            slots.append((following, None))
            following += 1
        else:
            slots.append((None, param))
    if following != len(values):
        raise ValueError(f"build() did not bind each value once, in order: {bound!r}")
    return slots
