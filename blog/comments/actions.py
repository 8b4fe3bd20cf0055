"""What a moderator does to comments, one or many at a time.

    approve     pending → approved; the classifier learns the comment as good
    unapprove   approved → pending
    spam        pending, approved or trash → spam; the classifier learns the
                comment as spam and the blocklist takes its sender
    not_spam    spam → approved; the classifier learns it as good and the
                blocklist lets its sender go. Approved rather than pending: the
                moderator has just read it and judged it fit for the site, and
                "unapprove" is one key away if it should wait.
    trash       pending, approved or spam → trash (status "deleted"), keeping
                the status it had in `previous_status`
    restore     trash → the status before the trash (pending if unknown)
    delete      trash → gone for good; only from the trash. Its replies stay,
                moved up to its place (removal.remove)
    reply       a comment by the signed-in user, approved at once, threaded
                under the comment as a reader's reply is (pipeline.place);
                replying to a pending comment approves it
    edit        new body text, masked and rendered as a reader's comment is (an
                imported comment's as HTML, as its import rendered it);
                a comment the classifier learned is learned again as it now reads

Taking a thread's approved first comment out (unapprove, spam, trash) takes
its approved replies off the page with it; the summary says how many.

Each call is one transaction that also writes the audit log and the
classifier's lessons, then makes every worker render public pages afresh.
Comments whose status an action does not start from are skipped, not failed,
so "approve" over a mixed selection approves what it can and says so.
"""

import datetime
from dataclasses import dataclass, field

from peewee import Value

from .. import audit, publishing
from ..audit import RECEIVED
from ..comment_models import Comment, CommentStatus, SpamLesson
from ..db import locked, one_of, pack, retrying
from ..models import AuditEntry, User, utcnow
from . import pipeline, privacy, removal, rendering, undo, validate
from .history import DatabaseHistory
from .spam import blocklist, classifier

TRASH = CommentStatus.DELETED
LIVE = {CommentStatus.PENDING, CommentStatus.APPROVED}
AUDIT_FIELDS = [
    AuditEntry.at,
    AuditEntry.user,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.from_state,
    AuditEntry.to_state,
    AuditEntry.detail,
]


class ActionError(ValueError):
    """An action that cannot be done; the message, a sentence, says why."""


@dataclass(frozen=True)
class Rule:
    sources: frozenset
    target: str | None  # None: gone for good
    label: str


RULES = {
    "approve": Rule(frozenset({CommentStatus.PENDING}), "approved", "Approve"),
    "unapprove": Rule(frozenset({CommentStatus.APPROVED}), "pending", "Unapprove"),
    "spam": Rule(frozenset(LIVE | {TRASH}), "spam", "Spam"),
    "not_spam": Rule(frozenset({CommentStatus.SPAM}), "approved", "Not spam"),
    "trash": Rule(frozenset(LIVE | {CommentStatus.SPAM}), TRASH, "Trash"),
    "restore": Rule(frozenset({TRASH}), "", "Restore"),
    "delete": Rule(frozenset({TRASH}), None, "Delete permanently"),
}


@dataclass
class Result:
    action: str
    done: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    # Approved replies whose thread's top comment this took off or put back on
    # the page: readers see a thread only under its approved top comment.
    replies_hidden: int = 0
    replies_shown: int = 0
    # Listed ids no comment has: deleted for good meanwhile, by somebody else.
    gone: list[int] = field(default_factory=list)
    undo_id: int | None = None

    def summary(self) -> str:
        text = f"{RULES[self.action].label}: {len(self.done)} comment(s)"
        if self.skipped:
            text += f"; {len(self.skipped)} skipped (not in a state it applies to)"
        if self.gone:
            text += f"; {len(self.gone)} already deleted for good by someone else"
        if self.replies_hidden:
            text += (
                f"; {_replies(self.replies_hidden)} in those threads no longer show:"
                " a thread shows only under its approved first comment"
            )
        if self.replies_shown:
            text += f"; {_replies(self.replies_shown)} in those threads show again"
        return text


def _replies(count: int) -> str:
    return f"{count} approved {'reply' if count == 1 else 'replies'}"


def apply(action: str, comment_ids, user: User | None) -> Result:
    """Do `action` to every listed comment it applies to, in one transaction."""
    rule = RULES.get(action)
    if rule is None:
        raise ActionError(f"Unknown action {action!r}.")
    ids = sorted({int(i) for i in comment_ids})

    def run() -> Result:
        result = Result(action)
        out, back = [], []
        now = utcnow()
        recorder = undo.Recorder(action, now)
        # Locked in id order: a moderator deciding at the same moment is
        # waited for, and its outcome is what this action starts from.
        query = Comment.select().where(Comment.id.in_(ids)).order_by(Comment.id)
        found = list(locked(query))
        todo = [comment for comment in found if comment.status in rule.sources]
        result.skipped = [c.id for c in found if c.status not in rule.sources]
        if rule.target is not None:
            recorder.before(todo)
        for comment in todo:
            was_shown = comment.status == CommentStatus.APPROVED
            _transition(comment, action, rule, user)
            result.done.append(comment.id)
            if comment.parent_id is None and rule.target is not None:
                shown = comment.status == CommentStatus.APPROVED
                if shown != was_shown:
                    (back if shown else out).append(comment.id)
        _learn(action, todo)
        _mark(action, todo, now)
        if rule.target is not None:
            recorder.after(todo)
        # Counted once every comment has changed: a selection may hold replies too.
        result.replies_hidden = _approved_replies(out)
        result.replies_shown = _approved_replies(back)
        result.gone = sorted(set(ids) - {comment.id for comment in found})
        result.undo_id = recorder.save(user)
        return result

    result = retrying(run) if ids else Result(action)
    if result.done:
        publishing.invalidate_comments()
    return result


def _approved_replies(thread_ids: list[int]) -> int:
    if not thread_ids:
        return 0
    return (
        Comment.select()
        .where(
            Comment.thread.in_(thread_ids)
            & Comment.parent.is_null(False)
            & (Comment.status == CommentStatus.APPROVED)
        )
        .count()
    )


def _transition(comment: Comment, action: str, rule: Rule, user):
    """Move one comment; the classifier and the blocklist learn apart."""
    before = comment.status
    if rule.target is None:
        removal.remove(Comment.id == comment.id)
    else:
        comment.status = rule.target or comment.previous_status or "pending"
        comment.previous_status = before if rule.target == TRASH else ""
        comment.modified_at = utcnow()
        # Only what changed: the search index is kept by triggers on the text.
        comment.save(
            only=[Comment.status, Comment.previous_status, Comment.modified_at]
        )
    if rule.target is None:
        _log(action, user, comment.id, before, "", RECEIVED + str(comment.created_at))
    else:
        _log(action, user, comment.id, before, comment.status)


# The label each action teaches the classifier. A held comment a moderator
# approves is the ham this site receives.
LESSONS = {"spam": True, "not_spam": False, "approve": False}


def _learn(action: str, comments: list[Comment]):
    if action in LESSONS and comments:
        classifier.learn_from_decisions(comments, spam=LESSONS[action])


def _mark(action: str, comments: list[Comment], now):
    """Block the senders of spam, or let those of "not spam" go."""
    if action == "spam":
        blocklist.block_comments(comments, now)
    elif action == "not_spam":
        blocklist.unblock_comments(comments)


def _log(action, user, comment_id, before, after, detail=""):
    audit.record(
        f"comment.{action}",
        user,
        object_type="comment",
        object_id=comment_id,
        from_state=before,
        to_state=after or "",
        detail=detail,
    )


def reply(comment_id: int, user: User, body: str, secret: str, settings) -> Comment:
    """Publish the user's reply under a comment, threaded as a reader's would be.

    Contacts typed into it are masked as in a reader's comment: the promise is
    about every comment, and a contact meant to be public belongs in a post.
    """
    body = _text(body, settings)

    def run() -> Comment:
        parent = locked(Comment.select().where(Comment.id == comment_id)).first()
        if parent is None or parent.status not in LIVE:
            raise ActionError("Only a pending or approved comment can be answered.")
        if parent.status == CommentStatus.PENDING:
            _transition(parent, "approve", RULES["approve"], user)
            _learn("approve", [parent])
        try:
            parent_id, thread_id, depth = pipeline.place(
                parent.id,
                parent.post_id,
                DatabaseHistory(lock=True).comment,
                settings,
            )
        except pipeline.ValidationError as error:
            raise ActionError(
                "Its thread's first comment is not approved, so readers would not "
                "see the reply: approve that one first."
            ) from error
        sent = _sent_just_now(user, parent_id, body)
        if sent is not None:
            return sent  # the form sent twice (a double click, a reload)
        created = Comment.create(
            post=parent.post_id,
            parent=parent_id,
            thread=thread_id,
            depth=depth,
            author_name=user.name,
            author_email=user.email,
            email_hash=privacy.hash_email(user.email, secret),
            user=user,
            body=body,
            body_html=rendering.render(body),
            status=CommentStatus.APPROVED,
        )
        _log("reply", user, created.id, "", created.status, f"reply to #{parent.id}")
        return created

    created = retrying(run)
    publishing.invalidate_comments()
    return created


RESENT_WITHIN = datetime.timedelta(minutes=1)


def _sent_just_now(user: User, parent_id, body: str) -> Comment | None:
    return Comment.get_or_none(
        (Comment.user == user)
        & (Comment.parent == parent_id)
        & (Comment.body == body)
        & (Comment.created_at >= utcnow() - RESENT_WITHIN)
    )


def _text(body: str, settings) -> str:
    """A moderator's text held to a reader's rules, contacts masked."""
    try:
        text = validate.comment_text(body, settings["max_comment_length"])
    except validate.ValidationError as error:
        raise ActionError(" ".join(error.errors.values())) from error
    return privacy.mask_contacts(text)


def edit(comment_id: int, user: User, body: str, settings) -> Comment:
    """Change a comment's text; checked, masked and rendered as a reader's is."""
    body = _text(body, settings)

    def run() -> Comment:
        # Locked: the whole row is saved, status too, over no other decision.
        comment = locked(Comment.select().where(Comment.id == comment_id)).first()
        if comment is None:
            raise ActionError("There is no such comment.")
        comment.body = body
        # In the body's own format: an imported comment's source is HTML.
        comment.body_html = rendering.render(body, comment.body_format)
        comment.modified_at = utcnow()
        comment.save()
        lesson = SpamLesson.get_or_none(SpamLesson.comment == comment.id)
        if lesson is not None:
            # The filter counts the text readers now see, not the one replaced.
            classifier.learn_from_decision(comment, lesson.spam)
        _log("edit", user, comment.id, comment.status, comment.status, "body edited")
        return comment

    comment = retrying(run)
    publishing.invalidate_comments()
    return comment


def _remove(where, action: str, user: User | None) -> int:
    """Delete the comments matching `where`, with an audit entry for each."""

    def run() -> int:
        # Named by id once locked: a comment that matches `where` only after the
        # entries are written (spam arriving meanwhile) is neither logged nor
        # deleted, and one another moderator is changing is waited for.
        found = locked(Comment.select(Comment.id).where(where))
        where_found = one_of(Comment.id, pack(comment.id for comment in found))
        doomed = Comment.select(
            Value(utcnow()),
            Value(user.id if user else None),
            Value(user.name if user else "system"),
            Value(f"comment.{action}"),
            Value("comment"),
            Comment.id,
            Comment.status,
            Value(""),
            Value(RECEIVED).concat(Comment.created_at),
        ).where(where_found)
        AuditEntry.insert_from(doomed, AUDIT_FIELDS).execute()
        return removal.remove(where_found)

    removed = retrying(run)
    if removed:
        # The replies of a thread taken off the page moved into its place:
        # readers see them now, as after "delete".
        publishing.invalidate_comments()
    return removed


def empty_spam(user: User | None, seen_at: datetime.datetime | None = None) -> int:
    """Delete the comments in the spam folder; return how many.

    With seen_at, only those there when the moderator was shown the folder:
    spam arriving meanwhile, perhaps a reader's comment misjudged, waits to
    be seen (as WordPress's "Empty Spam" does).
    """
    where = Comment.status == CommentStatus.SPAM
    if seen_at is not None:
        where &= Comment.modified_at <= seen_at
    return _remove(where, "empty_spam", user)


def purge(retention_days: int, now: datetime.datetime | None = None) -> int:
    """Delete spam and trash left alone longer than retention_days."""
    undo.forget_expired()
    cutoff = (now or utcnow()) - datetime.timedelta(days=retention_days)
    where = Comment.status.in_([CommentStatus.SPAM, TRASH]) & (
        Comment.modified_at < cutoff
    )
    if not Comment.select().where(where).exists():
        return 0
    return _remove(where, "purge", None)
