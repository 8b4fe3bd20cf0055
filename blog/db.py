"""The database, bound late: SQLite by default, PostgreSQL by URL."""

import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from peewee import (
    DatabaseProxy,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
)

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    # FULL: an acknowledged comment survives a power cut, not only a crash.
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "cache_size": -32000,
}


class BusyError(Exception):
    """The database stayed locked through every retry."""


def connect_url(url: str):
    """Build a peewee database for a sqlite:/// or postgresql:// URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)
    if parsed.scheme in ("postgres", "postgresql"):
        schema = parse_qs(parsed.query).get("schema", [""])[0]
        # ?schema=name keeps the tables in one schema (used to isolate test runs).
        options = {"options": f"-c search_path={schema}"} if schema else {}
        return PostgresqlDatabase(
            parsed.path.lstrip("/"),
            user=parsed.username,
            password=parsed.password,
            host=parsed.hostname,
            port=parsed.port or 5432,
            **options,
        )
    raise ValueError(
        f"unsupported database URL {url!r}: use sqlite:/// or postgresql://"
    )


def init(url: str):
    """Bind the proxy to the database named by url and return it."""
    db = connect_url(url)
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


@contextmanager
def write_transaction():
    """A write transaction that takes SQLite's write lock up front.

    Taking the lock at BEGIN (IMMEDIATE) means a busy database is seen at the
    start, where the busy timeout waits for it, never half-way through.
    """
    if is_sqlite():
        with database.atomic("IMMEDIATE") as txn:
            yield txn
    else:
        with database.atomic() as txn:
            yield txn


def retrying(action, attempts: int = 5, pause: float = 0.05):
    """Run action() in a write transaction, retrying while the database is locked."""
    for attempt in range(attempts):
        try:
            with write_transaction():
                return action()
        except OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            time.sleep(pause * (2**attempt))
    raise BusyError("the database is busy; try again")
