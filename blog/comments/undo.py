"""Undo: a moderator's action on comments taken back exactly, for a while.

Each action (actions.apply) writes, in its own transaction, what it changed
for each comment: its status, previous status and modified time, its spam
lesson (label and the very tokens counted), and the blocklist entries a spam
or not-spam mark writes, each as it was before and after. Undoing puts back
the "before" of whatever still reads as the action left it, in the reverse
order: the classifier takes back the tokens the action taught and learns
again those it took back, a block the mark added goes, one it renewed gets
its old reason and date, one "not spam" lifted comes back.

A comment somebody changed since (another moderator's action, an edit, a
privacy erase) is skipped, not overwritten: the undo would otherwise undo
their work too. So is a block another spam mark has written since.

"Delete permanently" is not undone: it is only offered from the trash, the
step that can be. An undo is kept UNDO_FOR, then forgotten: it holds hashed
addresses, which are not kept longer than the moderator needs.
"""

import datetime
import json
from dataclasses import dataclass, field

from .. import audit, publishing
from ..comment_models import BlockedItem, Comment, ModerationUndo, SpamLesson
from ..db import locked, one_of, pack, retrying
from ..models import User, utcnow
from .spam import blocklist, classifier

UNDO_FOR = datetime.timedelta(minutes=15)


class UndoError(ValueError):
    """Nothing to undo; the message says why."""


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _comment_state(comment: Comment) -> dict:
    return {
        "status": comment.status,
        "previous_status": comment.previous_status or "",
        "modified_at": _moment(comment.modified_at),
    }


def _lesson_state(record: SpamLesson) -> dict:
    return {
        "spam": record.spam,
        "tokens": record.tokens,
        "learned_at": _moment(record.learned_at),
    }


def _lessons(comment_ids) -> dict[int, dict]:
    """The comments' spam lessons by comment id; one query."""
    ids = list(comment_ids)
    if not ids:
        return {}
    query = SpamLesson.select().where(one_of(SpamLesson.comment, pack(ids)))
    return {record.comment_id: _lesson_state(record) for record in query}


def _blocks(pairs) -> dict[tuple[str, str], dict]:
    """The blocklist entries among these (kind, value) pairs; one query."""
    where = blocklist.among(pairs)
    if where is None:
        return {}
    return {
        (row.kind, row.value): {
            "reason": row.reason,
            "created_at": _moment(row.created_at),
        }
        for row in BlockedItem.select().where(where)
    }


def _pairs(steps) -> list[tuple[str, str]]:
    return [(b["kind"], b["value"]) for step in steps for b in step["blocks"]]


class Recorder:
    """Collects, inside an action's transaction, what it changes.

    Read in a few queries for the whole selection, not a few per comment:
    before(comments) ahead of the action, after(comments) once it is done.
    """

    def __init__(self, action: str, now: datetime.datetime):
        self.action = action
        self.now = now  # when a spam mark writes its blocks
        self.steps: list[dict] = []

    def before(self, comments: list[Comment]):
        marks = self.action in ("spam", "not_spam")
        lessons = _lessons(comment.id for comment in comments)
        self.steps = [
            {
                "id": comment.id,
                "before": _comment_state(comment),
                "lesson_before": lessons.get(comment.id),
                "blocks": [
                    {"kind": kind, "value": value}
                    for kind, value in (
                        blocklist.touched(comment, spam=self.action == "spam")
                        if marks
                        else []
                    )
                ],
            }
            for comment in comments
        ]
        blocks = _blocks(_pairs(self.steps))
        for step in self.steps:
            for block in step["blocks"]:
                block["before"] = blocks.get((block["kind"], block["value"]))

    def after(self, comments: list[Comment]):
        lessons = _lessons(comment.id for comment in comments)
        blocks = _blocks(_pairs(self.steps))
        # An entry several comments of the selection share was written by each
        # in turn: each step holds what the one before it wrote.
        last = {}
        for step, comment in zip(self.steps, comments, strict=True):
            step["after"] = _comment_state(comment)
            step["lesson_after"] = lessons.get(comment.id)
            for block in step["blocks"]:
                pair = (block["kind"], block["value"])
                if pair in last:
                    writer, earlier = last[pair]
                    earlier["after"] = block["before"] = self._written(writer)
                block["after"] = blocks.get(pair)
                last[pair] = (comment.id, block)

    def _written(self, comment_id: int) -> dict | None:
        """The entry this action's mark of a comment left."""
        if self.action == "not_spam":
            return None
        return {"reason": blocklist.reason(comment_id), "created_at": _moment(self.now)}

    def save(self, user: User | None) -> int | None:
        """Keep the steps; the undo's id, None when nothing changed."""
        if not self.steps or user is None:
            return None
        forget_expired()
        return ModerationUndo.create(
            user=user, action=self.action, steps=json.dumps(self.steps)
        ).id


def forget_expired(now: datetime.datetime | None = None) -> int:
    return (
        ModerationUndo.delete()
        .where(ModerationUndo.created_at < (now or utcnow()) - UNDO_FOR)
        .execute()
    )


def forget(comment_ids) -> int:
    """Drop the undos touching these comments (a privacy erase): they hold
    the sender's hashes and tokens, which must not outlive the erase."""
    wanted = set(comment_ids)
    doomed = [
        record.id
        for record in ModerationUndo.select(ModerationUndo.id, ModerationUndo.steps)
        if wanted & {step["id"] for step in json.loads(record.steps)}
    ]
    if not doomed:
        return 0
    return ModerationUndo.delete().where(ModerationUndo.id.in_(doomed)).execute()


@dataclass
class Undone:
    action: str
    done: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)

    def summary(self, label: str) -> str:
        text = f"Undone: {label} on {len(self.done)} comment(s)"
        if self.changed:
            text += f"; {len(self.changed)} left as they are: changed since, or gone"
        return text


def undo(undo_id: int, user: User) -> Undone:
    """Take back the user's action `undo_id`, once; UndoError if it cannot be."""

    def run() -> Undone:
        fresh = ModerationUndo.created_at >= utcnow() - UNDO_FOR
        record = locked(
            ModerationUndo.select().where(
                (ModerationUndo.id == undo_id) & (ModerationUndo.user == user) & fresh
            )
        ).first()
        if record is None:
            raise UndoError(
                "That action can no longer be undone: it was undone already, "
                "or it is too long ago."
            )
        record.delete_instance()
        steps = json.loads(record.steps)
        # Locked in id order as actions.apply does; undone in reverse.
        query = Comment.select().where(Comment.id.in_([s["id"] for s in steps]))
        current = {c.id: c for c in locked(query.order_by(Comment.id))}
        lessons = _lessons(current.keys())
        blocks = _blocks(_pairs(steps))  # kept as the undo writes them
        result, learning = Undone(record.action), _Relearning()
        for step in reversed(steps):
            comment = current.get(step["id"])
            if comment is None or not _as_left(comment, step, lessons):
                result.changed.append(step["id"])
                continue
            _restore(comment, step, user, record.action, blocks, learning)
            result.done.append(comment.id)
        learning.write()
        return result

    result = retrying(run)
    if result.done:
        publishing.invalidate_comments()
    return result


def _same_lesson(one: dict | None, other: dict | None) -> bool:
    if one is None or other is None:
        return one is other
    return (one["spam"], one["tokens"]) == (other["spam"], other["tokens"])


def _as_left(comment: Comment, step: dict, lessons: dict) -> bool:
    return _comment_state(comment) == step["after"] and _same_lesson(
        lessons.get(comment.id), step["lesson_after"]
    )


def _restore(comment, step: dict, user: User, action: str, blocks: dict, learning):
    after = comment.status
    before = step["before"]
    comment.status = before["status"]
    comment.previous_status = before["previous_status"]
    comment.modified_at = _parse(before["modified_at"])
    comment.save(only=[Comment.status, Comment.previous_status, Comment.modified_at])
    _restore_lesson(comment.id, step["lesson_after"], step["lesson_before"], learning)
    # In the order the mark wrote them, as concurrent marks lock them.
    for block in step["blocks"]:
        _restore_block(block, blocks)
    audit.record(
        "comment.undo",
        user,
        object_type="comment",
        object_id=comment.id,
        from_state=after,
        to_state=comment.status,
        detail=f"undid {action}",
    )


@dataclass
class _Relearning:
    """The lessons an undo puts back, written for all its comments at once."""

    counts: list = field(default_factory=list)  # (tokens, spam, delta) in order
    forgotten: list[int] = field(default_factory=list)  # comment ids
    lessons: list[tuple] = field(default_factory=list)  # rows put back

    def write(self):
        classifier.live().learn_in_order(self.counts)
        if self.forgotten:
            gone = one_of(SpamLesson.comment, pack(self.forgotten))
            SpamLesson.delete().where(gone).execute()
        classifier.save_lessons(self.lessons)


def _restore_lesson(comment_id: int, now, before, learning: _Relearning):
    if _same_lesson(now, before):
        return
    if now is not None:
        learning.counts.append((json.loads(now["tokens"]), now["spam"], -1))
    if before is None:
        learning.forgotten.append(comment_id)
        return
    learning.counts.append((json.loads(before["tokens"]), before["spam"], 1))
    learned_at = _parse(before["learned_at"])
    learning.lessons.append((comment_id, before["spam"], before["tokens"], learned_at))


def _restore_block(block: dict, blocks: dict):
    kind, value, before = block["kind"], block["value"], block["before"]
    if blocks.get((kind, value)) != block["after"]:
        return  # written again since, by another mark: that one stands
    blocks[kind, value] = before
    where = (BlockedItem.kind == kind) & (BlockedItem.value == value)
    if before is None:
        BlockedItem.delete().where(where).execute()
        return
    values = {
        BlockedItem.reason: before["reason"],
        BlockedItem.created_at: _parse(before["created_at"]),
    }
    if block["after"] is None:
        BlockedItem.insert(
            {BlockedItem.kind: kind, BlockedItem.value: value, **values}
        ).execute()
    else:
        BlockedItem.update(values).where(where).execute()
