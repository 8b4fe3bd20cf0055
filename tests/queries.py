"""What a piece of code asks the database: its statements and SQLite's plans."""

from contextlib import contextmanager

from blog import db


@contextmanager
def statements():
    """Every statement run inside the block, with its parameters."""
    seen = []
    original = db.database.obj.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.database.obj.execute_sql = recording
    try:
        yield seen
    finally:
        del db.database.obj.execute_sql


def plan(sql, params) -> list[str]:
    """SQLite's plan for a statement, a line a step."""
    rows = db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return [row[-1] for row in rows]


@contextmanager
def built():
    """A context for each statement peewee builds inside the block."""
    seen = []
    original = db.database.obj.get_sql_context

    def recording(*args, **kwargs):
        context = original(*args, **kwargs)
        seen.append(context)
        return context

    db.database.obj.get_sql_context = recording
    try:
        yield seen
    finally:
        del db.database.obj.get_sql_context
