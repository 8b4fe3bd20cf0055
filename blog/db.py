"""The database, bound late: SQLite by default, PostgreSQL by URL."""

import hashlib
import itertools
import json
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from peewee import (
    SQL,
    DatabaseProxy,
    InterfaceError,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
    fn,
)

database = DatabaseProxy()

BUSY_SECONDS = 10  # how long a statement waits for another writer's lock
BUSY_MESSAGE = "The site is busy right now; please try again in a moment."
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


_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)


class ConnectionLost(BusyError):
    """The database server ended the connection (a restart, a failover, an
    idle timeout): answered as busy, a reader's comment given back to send
    again, and the next request opens another connection (connect())."""


class Postgres(PostgresqlDatabase):
    """PostgreSQL that gets over a connection the server ended.

    A read outside a transaction is read again on a new connection, and a
    transaction begins on one. Inside a transaction the work is lost with
    the connection, and whether a COMMIT went through is unknown: that is
    ConnectionLost, never run twice. Nothing is rolled back on a lost
    connection; trying would hide the loss behind an error of its own.
    """

    def _lost(self) -> bool:
        return bool(getattr(self._state.conn, "closed", 0))

    def execute_sql(self, sql, params=None):
        try:
            return super().execute_sql(sql, params)
        except (OperationalError, InterfaceError) as error:
            if not self._lost():
                raise
            if self.transaction_depth() or not _READ.match(sql):
                raise ConnectionLost(BUSY_MESSAGE) from error
        self._reconnect()
        return super().execute_sql(sql, params)

    def begin(self, *args, **kwargs):
        try:
            return super().begin(*args, **kwargs)
        except (OperationalError, InterfaceError):
            if not self._lost():
                raise
        # Nothing was done yet: the transaction begins on a new connection.
        self._reconnect()
        return super().begin(*args, **kwargs)

    def _reconnect(self):
        self.close()
        self.connect()

    def commit(self):
        try:
            return super().commit()
        except (OperationalError, InterfaceError) as error:
            if self._lost():
                raise ConnectionLost(BUSY_MESSAGE) from error
            raise

    def rollback(self):
        if not self._lost():
            super().rollback()


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
        return Postgres(
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
    raise BusyError(BUSY_MESSAGE)


def _another_writer(error: OperationalError) -> bool:
    """SQLite's lock held past the busy timeout; on PostgreSQL a row lock held
    past lock_timeout (SQLSTATE 55P03), or one of two writers that waited on
    each other undone (class 40: a deadlock)."""
    code = getattr(getattr(error, "orig", None), "pgcode", None)
    if code:
        return code.startswith("40") or code == "55P03"
    return "locked" in str(error) or "busy" in str(error)
