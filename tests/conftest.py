"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL on request)."""

import os
import re
import shutil
from pathlib import Path

import pytest

from blog import create_app, db
from blog.cli import apply_migrations
from blog.schema import MODELS

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("BLOG_TEST_POSTGRES", "")


def unavailable(message: str):
    """Something a test needs is missing: CI must have it, elsewhere skip saying why."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def shared_data(relative: str) -> Path:
    """A file or folder of ../shared/data."""
    path = SHARED_DATA / relative
    if not path.exists():
        unavailable(f"shared test data {path} is missing")
    return path


def pytest_report_header(config):
    if POSTGRES_URL:
        return f"database: PostgreSQL at {POSTGRES_URL}"
    return "database: SQLite (set BLOG_TEST_POSTGRES=postgresql://... for PostgreSQL)"


@pytest.fixture(scope="session")
def postgres_schema():
    """A schema of this test process, migrated once; tests then empty its tables.

    One schema per process lets test runs (and xdist workers) share the server.
    """
    if not POSTGRES_URL:
        yield None
        return
    schema = f"test_{os.getpid()}"
    admin = db.connect_url(POSTGRES_URL)
    admin.connect()
    admin.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}schema={schema}"
    db.init(url)
    apply_migrations()
    db.database.close()
    yield url
    admin.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.close()


def _empty_postgres():
    tables = ", ".join(f'"{model._meta.table_name}"' for model in MODELS)
    db.database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def own_sqlite(tmp_path, migrated_sqlite):
    """An app on a migrated SQLite database of its own, in both passes.

    For what only SQLite has: its query plans (it has no statistics to go by,
    so the queries are written to steer it) and its WAL. Yields (app, path).
    """
    path = tmp_path / "own.sqlite3"
    _copy_private(migrated_sqlite, path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "own-instance"),
            "DATABASE_URL": f"sqlite:///{path}",
        }
    )
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        yield app, path
        db.database.close()


@pytest.fixture
def content_dir(tmp_path):
    """A copy of the sample content, safe to change."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite database migrated once for this process: each test's starts as
    a copy of it (migrating afresh cost every test 0.1-0.4 s)."""
    path = tmp_path_factory.mktemp("migrated") / "blog.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "INSTANCE_PATH": str(path.parent / "instance"),
            "DATABASE_URL": f"sqlite:///{path}",
        }
    )
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        apply_migrations()
        # All in the file itself: a copy of it alone is the whole database.
        db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.database.close()
    return path.read_bytes()


def _copy_private(data: bytes, path: Path):
    """Write a database file readable by its owner alone, as blog.db makes one."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


@pytest.fixture
def make_app(tmp_path, postgres_schema, request):
    """Build an app with extra configuration; the database starts empty and migrated."""
    made = []
    migrated = None if postgres_schema else request.getfixturevalue("migrated_sqlite")
    sqlite_url = f"sqlite:///{tmp_path}/blog.sqlite3"

    def make(**config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": postgres_schema or sqlite_url,
            "CONTENT_DIR": str(tmp_path / "content"),
            "MEDIA_DIR": str(tmp_path / "instance" / "media"),
        }
        settings.update(config)
        copied = (
            not (made or postgres_schema) and settings["DATABASE_URL"] == sqlite_url
        )
        if copied:
            _copy_private(migrated, tmp_path / "blog.sqlite3")
        app = create_app(settings)
        if not made:
            with app.app_context():
                db.database.connect(reuse_if_open=True)
                if postgres_schema:
                    _empty_postgres()
                elif not copied:
                    apply_migrations()
        made.append(app)
        return app

    yield make
    if not db.database.is_closed():
        db.database.close()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(html: str) -> str:
    """The CSRF token a browser would send back, read from a form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if not match:
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)
