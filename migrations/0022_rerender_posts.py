"""Posts' stored renderings made again with this version's renderer.

This version rendered differently (table alignment as classes, an anchor for
a heading that slugifies to nothing, the text of HTML posts with entities
decoded and of the author's HTML blocks, relative media links in the author's
HTML). 0023 renders every post again with a later renderer still, so this one
leaves the work to it instead of doing it twice.
"""


def up(migrator, db):
    """Done by 0023_rerender_posts."""


def down(migrator, db):
    """Nothing to undo."""
