"""What the `blog` command's modules share: the site's settings, and files
written whole or not at all."""

import os
from contextlib import contextmanager
from pathlib import Path

from flask import current_app


def site_settings():
    return current_app.extensions["settings"]


@contextmanager
def replacing(path):
    """A text file written beside `path` that takes its place once complete.

    An export that fails half way (the database gone, the disk full) leaves
    the previous export as it was, not a truncated one.
    """
    draft = Path(f"{path}.part")
    try:
        with open(draft, "w", encoding="utf-8") as stream:
            yield stream
        os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)
