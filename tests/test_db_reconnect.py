"""A worker whose PostgreSQL connection the server closed opens a new one."""

import psycopg2
import pytest
from peewee import OperationalError

from blog import db
from tests.conftest import POSTGRES_URL
from tests.factories import make_post


@pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL closing a connection is what this tests"
)
def test_pages_answer_again_after_the_database_server_closed_the_connection(
    app, client
):
    """A restart, a failover or an idle timeout ends the worker's connection;
    the request that finds out fails, the next ones are served again."""
    post = make_post(title="Still here")
    backend = db.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    with psycopg2.connect(POSTGRES_URL) as other:
        other.cursor().execute("SELECT pg_terminate_backend(%s)", [backend])
    other.close()
    with pytest.raises(OperationalError):  # the request that found out
        db.database.execute_sql("SELECT 1")
    assert client.get("/").status_code == 200
    assert client.get(post.url).status_code == 200
