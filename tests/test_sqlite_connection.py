"""What every SQLite connection of the app is set to: durable, and cheap to write."""

from blog import db


def test_a_connection_is_durable_and_keeps_temporary_data_in_memory(own_sqlite):
    pragma = {
        name: db.database.execute_sql(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "temp_store")
    }
    # synchronous 2 is FULL: an acknowledged comment survives a power cut.
    # temp_store 2 is MEMORY: statement journals are no files.
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "temp_store": 2,
    }
