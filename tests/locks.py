"""A lock another connection holds, for tests of what a busy database answers."""

import threading
from contextlib import contextmanager

from blog import db


@contextmanager
def held_elsewhere(app, transaction, take):
    """Run take() in transaction() on another thread's connection and keep it
    open, with its locks, until the block ends."""
    holding, done = threading.Event(), threading.Event()

    def holder():
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            with transaction():
                take()
                holding.set()
                done.wait(timeout=30)
            db.database.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        yield
    finally:
        done.set()
        thread.join(timeout=30)
