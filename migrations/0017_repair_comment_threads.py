"""Put back in their threads the replies earlier deletes left astray.

Before comments/removal.py, deleting a comment for good left its replies to
the foreign keys (ON DELETE SET NULL): a reply of a deleted top-level comment
became top level but kept its depth, and its own replies lost their thread,
so no page loaded them; a reply of a deleted middle reply lost its parent but
kept the thread it was no longer shown in. This repairs both, once: a
comment with no parent but a thread goes back under that thread's top-level
comment (the nearest ancestor still known), and every comment's thread and
depth are worked out again from its parents. Comments already in order are
not written. The per-post counts follow by their triggers (migration 0015).

Written in SQL of its own, not with the models: a migration must not change
when the models do.
"""

from collections import defaultdict

_BATCH = 500  # ids per UPDATE: under SQLite's limit of bound variables


def up(migrator, db):
    rows = db.execute_sql("SELECT id, parent_id, thread_id, depth FROM comment")
    stored = {ident: (parent, thread, depth) for ident, parent, thread, depth in rows}
    parent_of = {
        ident: thread if parent is None and thread in stored else parent
        for ident, (parent, thread, _) in stored.items()
    }
    places: dict[int, tuple[int | None, int]] = {}

    def place(ident: int):
        # Up the parents iteratively (an imported thread may be deep), then
        # back down; a parent that is gone or loops back makes a top level.
        chain = []
        while ident not in places:
            parent = parent_of[ident]
            if parent is None or parent not in stored or parent in (ident, *chain):
                places[ident] = (None, 0)
            else:
                chain.append(ident)
                ident = parent
        for child in reversed(chain):
            thread, depth = places[parent_of[child]]
            places[child] = (thread or parent_of[child], depth + 1)

    moves = defaultdict(list)
    for ident, (parent, thread, depth) in stored.items():
        place(ident)
        new_thread, new_depth = places[ident]
        new_parent = parent_of[ident] if new_depth else None
        if (new_parent, new_thread, new_depth) != (parent, thread, depth):
            moves[(new_parent, new_thread, new_depth)].append(ident)
    p = db.param
    for (parent, thread, depth), ids in moves.items():
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            db.execute_sql(
                f"UPDATE comment SET parent_id = {p}, thread_id = {p}, depth = {p}"
                f" WHERE id IN ({', '.join([p] * len(batch))})",
                [parent, thread, depth, *batch],
            )


def down(migrator, db):
    """Nothing to undo: the broken places are not worth restoring."""
