"""Identicons: a small symmetric picture per commenter, drawn here.

No Gravatar and no third-party request: a reader's browser never tells
another site which posts it reads, and a commenter's email never leaves
this one. The picture's name is a keyed hash of the comment's email_hash,
so the stored hash itself (used for matching) is never published, and the
SVG is a pure function of that name: the route needs no database.
"""

import hashlib
import hmac
import re
from functools import lru_cache

NAME_LENGTH = 20
NAME = re.compile(rf"[0-9a-f]{{{NAME_LENGTH}}}")
GRID = 5
CELL = 8
BACKGROUND = "#f2f0eb"


# A post page names up to a page of commenters, again on every render.
@lru_cache(maxsize=4096)
def name_for(email_hash: str, key: str) -> str:
    """The public name of a commenter's identicon."""
    message = f"identicon:{email_hash}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:NAME_LENGTH]


def _colour(digest: bytes) -> str:
    hue = int.from_bytes(digest[:2], "big") % 360
    saturation = 45 + digest[2] % 20
    lightness = 40 + digest[3] % 15
    return f"hsl({hue}, {saturation}%, {lightness}%)"


def _cells(digest: bytes) -> list[tuple[int, int]]:
    """Filled cells of the left half and middle, mirrored to the right."""
    half = (GRID + 1) // 2
    filled = []
    for column in range(half):
        for row in range(GRID):
            if digest[4 + column * GRID + row] % 2 == 0:
                filled.append((column, row))
                if column != GRID - 1 - column:
                    filled.append((GRID - 1 - column, row))
    return filled


def svg(name: str) -> str:
    """The SVG picture for an identicon name."""
    digest = hashlib.sha256(name.encode()).digest()
    size = GRID * CELL
    rects = "".join(
        f'<rect x="{x * CELL}" y="{y * CELL}" width="{CELL}" height="{CELL}"/>'
        for x, y in sorted(_cells(digest))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" role="img" aria-hidden="true">'
        f'<rect width="{size}" height="{size}" fill="{BACKGROUND}"/>'
        f'<g fill="{_colour(digest)}">{rects}</g></svg>'
    )
