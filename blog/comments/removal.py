"""Deleting comments for good, their replies kept in a consistent thread.

Each reply of a deleted comment takes its place: its parent becomes the
deleted comment's parent (the top level, if that was one), and it and every
reply under it get the thread (top-level ancestor) and depth that follow.
Left to the foreign keys (ON DELETE SET NULL), a reply kept a thread and a
depth that no longer held: the replies of a deleted top-level comment's reply
had no thread, so no page loaded them, and a reply of a deleted middle reply
kept its old thread, so page_of() and the next reply to it went by that one.
Depths only shrink: the configured maximum depth is for new replies
(pipeline.place), not for those already written.

This is done in the transaction that deletes, not by triggers: one statement
deletes a comment and its replies together (emptying the spam, a purge, a
privacy erase), and PostgreSQL refuses a BEFORE DELETE trigger that changes a
row its statement then deletes, while by AFTER DELETE the foreign key has
already forgotten whose reply a comment was. So every delete of comments goes
through remove(). Deleting a post takes all its comments, replies with them
(ON DELETE CASCADE): nothing is left to move.

The per-post counts follow by their own triggers (migration 0015): a reply
moved to the top level counts as a thread from then on.
"""

from collections import defaultdict

from ..comment_models import Comment
from ..db import locked


def remove(where) -> int:
    """Delete the comments matching `where`, their replies moved up; how many.

    The caller holds the write transaction. `where` must not depend on
    parent, thread or depth: those change before the delete.
    """
    moved = _new_parents(where)
    if moved:
        _rethread(moved, where)
    return Comment.delete().where(where).execute()


def _new_parents(where) -> dict[int, int | None]:
    """Each kept reply of a deleted comment, and its nearest kept ancestor."""
    doomed = Comment.select(Comment.id).where(where)
    replies = dict(_locked_replies(Comment.parent.in_(doomed) & ~where).tuples())
    # The parents of deleted comments, up the chain until a kept one: a
    # statement may delete a reply together with the comment it answers.
    above: dict[int, int | None] = {}
    wanted = set(replies.values())
    while wanted:
        found = dict(
            Comment.select(Comment.id, Comment.parent)
            .where(Comment.id.in_(wanted) & where)
            .tuples()
        )
        above.update(found)
        wanted = {ident for ident in found.values() if ident and ident not in above}

    def kept(ident: int | None) -> int | None:
        while ident in above:
            ident = above[ident]
        return ident

    return {reply: kept(parent) for reply, parent in replies.items()}


def _locked_replies(where):
    """The replies matching `where`, locked: a reply being written under one of
    them (pipeline.place share-locks its parent) is waited for, so the next
    level's read finds it and it moves too. Unlocked, on PostgreSQL it kept
    the depth its parent had before the move."""
    return locked(Comment.select(Comment.id, Comment.parent).where(where))


def _rethread(moved: dict[int, int | None], where) -> None:
    """Give the moved replies their new parents, and everything under them
    the thread and depth that follow."""
    parent_of = dict(moved)
    level = list(moved)
    while level:
        # A deleted reply's own kept replies are among `moved` already.
        below = _locked_replies(Comment.parent.in_(level) & ~where).tuples()
        level = []
        for ident, parent in below:
            parent_of[ident] = parent
            level.append(ident)
    outside = {p for p in parent_of.values() if p is not None and p not in parent_of}
    places = {
        ident: (thread, depth)
        for ident, thread, depth in Comment.select(
            Comment.id, Comment.thread, Comment.depth
        )
        .where(Comment.id.in_(outside))
        .tuples()
    }

    def place(ident: int) -> tuple[int | None, int]:
        if ident not in places:
            parent = parent_of[ident]
            if parent is None:
                places[ident] = (None, 0)
            else:
                thread, depth = place(parent)
                places[ident] = (thread or parent, depth + 1)
        return places[ident]

    # One statement for each new place: siblings move together.
    moves: dict[tuple, list[int]] = defaultdict(list)
    for ident, parent in parent_of.items():
        moves[(parent, *place(ident))].append(ident)
    for (parent, thread, depth), ids in moves.items():
        Comment.update(parent=parent, thread=thread, depth=depth).where(
            Comment.id.in_(ids)
        ).execute()
