"""Run the steps of a comment, then store it: submit() is the whole path.

    prepare   validate the form, read the form token, apply privacy, refuse
              a sender going too fast (flood, rate), render the body, run the
              content checks (no lock held)
    run       the guards against the history, threading, the policy
    store     one write transaction holds run + insert, so two workers never
              both accept what only one may (flood, rate, duplicate, replay)

Every step leaves a Verdict; they are stored with the comment as JSON for
the moderator to read.
"""

import datetime
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from peewee import IntegrityError

from .. import db, publishing
from ..comment_models import Comment, CommentStatus
from ..models import Post, text_digest, utcnow
from . import moderation, privacy, rendering, store, tokens, validate
from .history import DatabaseHistory
from .spam import Verdict, guards, staff
from .spam.content import content_verdicts
from .validate import FORM, PARENT, CommentsClosed, PostNotFound, ValidationError


@dataclass(frozen=True)
class Submission:
    """A comment as the view received it: the raw form and the sender's address."""

    post_id: int
    form: Mapping[str, str] | Iterable[tuple[str, str]]
    ip: str
    user_id: int | None = None  # the signed-in user sending it, if any


@dataclass(frozen=True)
class Draft:
    """A comment that passed validation and privacy, before the write transaction."""

    post_id: int
    fields: validate.Fields
    private: privacy.Private
    body_html: str
    form_age: float
    key: str
    checks: list[Verdict]


@dataclass(frozen=True)
class Decision:
    status: CommentStatus
    parent_id: int | None
    thread_id: int | None
    depth: int
    verdicts: list[Verdict] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """What became of a submission."""

    comment: Comment
    post: Post
    remember: bool
    replayed: bool = False  # the same form had already been stored

    @property
    def status(self) -> CommentStatus:
        return CommentStatus(self.comment.status)


def submit(
    submission: Submission,
    settings: Mapping,
    secret: str,
    now: datetime.datetime | None = None,
) -> Outcome:
    """Validate, check and store one comment in one transaction."""
    now = now or utcnow()
    post = store.commentable_post(submission.post_id, now)
    if post is None:
        raise PostNotFound("There is no post here to comment on.")
    if moderation.is_closed(post, settings, now):
        raise CommentsClosed("Comments are closed on this post.")
    draft = prepare(submission, settings, secret, now, DatabaseHistory())
    try:
        comment, replayed = db.retrying(lambda: _record(draft, settings, now))
    except IntegrityError:
        # Another worker stored the same form between our look and our insert.
        comment, replayed = store.by_key(draft.key), True
        if comment is None:
            raise
    if comment.status == CommentStatus.APPROVED and not replayed:
        publishing.invalidate_comments()
    return Outcome(comment, post, draft.fields.remember, replayed)


def prepare(
    submission: Submission,
    settings: Mapping,
    secret: str,
    now: datetime.datetime,
    history=None,
) -> Draft:
    """Everything that needs no lock. Given the history, a sender going too
    fast is refused before the costly part: rendering and checking a comment
    built to be slow takes a worker seconds, a 429 a few queries."""
    fields = validate.clean(submission.form, settings["max_comment_length"])
    token = _read_token(fields.token, secret, submission.post_id, settings, now)
    private = privacy.protect(fields.body, fields.author_email, submission.ip, secret)
    key = idempotency_key(token, submission.post_id, fields, private, secret)
    if history is not None:
        _refuse_if_too_fast(
            _attempt(submission.post_id, fields, private, token.age(now)),
            key,
            settings,
            history,
            now,
        )
    checks = content_verdicts(
        {
            "author_name": fields.author_name,
            "author_email": fields.author_email,
            "author_url": fields.author_url,
            "body": private.body,
            "email_hash": private.email_hash,
            "ip_hash": private.ip_hash,
        },
        settings,
        staff=functools.partial(staff.live, secret, submission.user_id),
    )
    return Draft(
        post_id=submission.post_id,
        fields=fields,
        private=private,
        body_html=rendering.render(private.body),
        form_age=token.age(now),
        key=key,
        checks=list(checks),
    )


def _refuse_if_too_fast(attempt, key: str, settings: Mapping, history, now):
    """Flood and rate, asked early and without a lock (the write transaction
    asks again); a replay of a form already stored gets its answer there."""
    try:
        guards.too_fast(attempt, settings, history, now)
    except guards.TooManyComments:
        if store.by_key(key) is None:
            raise


def _read_token(value, secret, post_id, settings, now) -> tokens.FormToken:
    max_age = datetime.timedelta(hours=settings["max_form_hours"])
    try:
        return tokens.read(value, secret, post_id, now, max_age)
    except tokens.TokenExpired as error:
        raise ValidationError(
            {FORM: "This form has expired. Please send your comment again."}, 400
        ) from error
    except tokens.TokenError as error:
        raise ValidationError(
            {FORM: "This form could not be checked. Please send it again."}, 400
        ) from error


def idempotency_key(token, post_id, fields, private, secret) -> str:
    """The same form sent twice has the same key; two readers never share one.

    A cached page gives every reader the same token, so the key also covers
    what the reader wrote and who they are: their address too, since the rest
    is public but the email, and a replay's answer (the earlier comment)
    would confirm a guess at the email of whoever sent it.
    """
    parts = [
        token.nonce,
        str(post_id),
        private.ip_hash,
        private.email_hash,
        fields.author_name,
        fields.author_url,
        str(fields.parent_id or ""),
        private.body,
    ]
    message = "\x00".join(parts).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _record(draft: Draft, settings: Mapping, now) -> tuple[Comment, bool]:
    db.serialise(*_senders(draft))
    existing = store.by_key(draft.key)
    if existing is not None:
        return existing, True
    decision = run(draft, settings, DatabaseHistory(lock=True), now)
    return _save(draft, decision, now), False


def _senders(draft: Draft) -> list[str]:
    """What the guards count a comment's history by: its address, its email and
    its text on the post (the duplicate check's author may be a name alone)."""
    private = draft.private
    senders = [key for key in (private.ip_hash, private.email_hash) if key]
    return [f"comment text {draft.post_id} {text_digest(private.body)}"] + [
        f"comment sender {key}" for key in senders
    ]


def run(draft: Draft, settings: Mapping, history, now) -> Decision:
    """The guards, threading and policy: pure given the history and the clock."""
    attempt = _attempt(draft.post_id, draft.fields, draft.private, draft.form_age)
    verdicts = [draft.private.verdict]
    verdicts += guards.run(attempt, settings, history, now)
    verdicts += draft.checks
    parent_id, thread_id, depth = place(
        draft.fields.parent_id, draft.post_id, history.comment, settings
    )
    known = settings["require_approved_before"] and history.known_commenter(
        draft.fields.author_name, draft.private.email_hash
    )
    status, policy = moderation.decide(verdicts, settings, known)
    return Decision(status, parent_id, thread_id, depth, verdicts + [policy])


def _attempt(post_id: int, fields, private, form_age: float) -> guards.Attempt:
    return guards.Attempt(
        post_id=post_id,
        author_name=fields.author_name,
        email_hash=private.email_hash,
        ip_hash=private.ip_hash,
        body=private.body,
        honeypot=fields.honeypot,
        form_age=form_age,
    )


def place(
    parent_id: int | None,
    post_id: int,
    lookup: Callable[[int], Comment | None],
    settings: Mapping,
) -> tuple[int | None, int | None, int]:
    """Where a reply goes: (parent, thread, depth), within thread_depth levels.

    Depth 0 is a top-level comment, so thread_depth levels run from 0 to
    thread_depth - 1; a reply deeper than that attaches to the deepest
    allowed ancestor instead, one readers see. A comment in a thread whose
    first comment is not approved is not shown, so it takes no replies.
    """
    if parent_id is None:
        return None, None, 0
    parent = lookup(parent_id)
    if not is_shown(parent, post_id, lookup):
        raise ValidationError(
            {PARENT: "The comment you replied to is no longer available."}, 400
        )
    deepest = settings["thread_depth"] - 1
    while parent is not None and (parent.depth >= deepest or not _approved(parent)):
        parent = lookup(parent.parent_id) if parent.parent_id else None
    if parent is None:
        return None, None, 0
    return parent.id, parent.thread_id or parent.id, parent.depth + 1


def is_shown(comment, post_id: int, lookup: Callable) -> bool:
    """Whether readers of this post see the comment: approved, and top level or
    in a thread whose first comment is approved."""
    if comment is None or comment.post_id != post_id or not _approved(comment):
        return False
    return comment.thread_id is None or _approved(lookup(comment.thread_id))


def _approved(comment) -> bool:
    return comment is not None and comment.status == CommentStatus.APPROVED


def _save(draft: Draft, decision: Decision, now) -> Comment:
    fields, private = draft.fields, draft.private
    return store.save(
        post=draft.post_id,
        parent=decision.parent_id,
        thread=decision.thread_id,
        depth=decision.depth,
        author_name=fields.author_name,
        author_email=fields.author_email,
        email_hash=private.email_hash,
        author_url=fields.author_url,
        body=private.body,
        body_html=draft.body_html,
        status=decision.status,
        spam_score=moderation.spam_score(decision.verdicts),
        verdicts=_verdicts_json(decision.verdicts),
        ip_hash=private.ip_hash,
        ip_prefix=private.ip_prefix,
        idempotency_key=draft.key,
        created_at=now,
        modified_at=now,
    )


def _verdicts_json(verdicts: list[Verdict]) -> str:
    # A Verdict holds only plain values, so its fields go as they are: the deep
    # copy of as_dict() (dataclasses.asdict) cost 0.15 ms for nine verdicts.
    return json.dumps([vars(verdict) for verdict in verdicts])
