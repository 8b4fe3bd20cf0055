"""Comments of one post or of every post as a JSON file, and back.

The format is versioned (see README, "Comments JSON"). It never carries IP
data; commenters' emails are in it only when asked for, since the file is for
moving your own site's data. Posts are matched by kind and slug, so the file
can move between sites whose ids differ. Importing the same file twice adds
nothing: a comment already there (same post, author, time and text) is kept.
A staff member's comment carries their username and is linked back to the
user of that name here.
"""

import datetime
import json

from peewee import JOIN

from . import accounts, markup
from .comment_models import Comment, CommentStatus
from .comments import privacy, rendering, validate
from .db import write_transaction
from .models import Post, User, utcnow

FORMAT = "field-notes-comments"
VERSION = 1
EXPORTED = (CommentStatus.APPROVED, CommentStatus.PENDING)
KINDS = ("comment", "pingback", "trackback")


class CommentsFileError(ValueError):
    """A comments file that cannot be imported; the message says why."""


def _iso(moment: datetime.datetime) -> str:
    # To the microsecond: importing a file again finds each comment by its time.
    return moment.isoformat() + "Z"


def export(post_ids=None, with_emails: bool = False) -> dict:
    """The comments of these posts (every post if None) as a JSON-ready dict."""
    posts = Post.select().order_by(Post.id)
    if post_ids is not None:
        posts = posts.where(Post.id.in_(list(post_ids)))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(datetime.datetime.now(datetime.UTC).replace(tzinfo=None)),
        "includes_emails": with_emails,
        "posts": [_post(post, with_emails) for post in posts],
    }


def _post(post: Post, with_emails: bool) -> dict:
    comments = (
        Comment.select(Comment, User)
        .join(User, JOIN.LEFT_OUTER, on=(Comment.user == User.id))
        .where((Comment.post == post) & Comment.status.in_(EXPORTED))
        .order_by(Comment.created_at, Comment.id)
    )
    exported = {comment.id for comment in comments}
    return {
        "kind": post.kind,
        "slug": post.slug,
        "title": post.title,
        "date": _iso(post.date),
        "comments": [_comment(c, with_emails, exported) for c in comments],
    }


def _comment(comment: Comment, with_emails: bool, exported: set) -> dict:
    fields = {
        "id": comment.id,
        "parent": comment.parent_id if comment.parent_id in exported else None,
        "kind": comment.kind,
        "status": comment.status,
        "author_name": comment.author_name,
        "user": comment.user.username if comment.user_id else None,
        "author_url": comment.author_url,
        "created_at": _iso(comment.created_at),
        "body": comment.body,
        "body_format": comment.body_format,
        "body_html": comment.body_html,
    }
    if with_emails:
        fields["author_email"] = comment.author_email
    return fields


def load(raw: bytes) -> dict:
    """Parse and check a comments file; CommentsFileError says what is wrong."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise CommentsFileError(f"not JSON: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CommentsFileError(f"not a comments file: format is not {FORMAT!r}")
    if data.get("version") != VERSION:
        raise CommentsFileError(
            f"version {data.get('version')!r} is not supported (only {VERSION})"
        )
    if not isinstance(data.get("posts"), list):
        raise CommentsFileError("no list of posts")
    return data


def import_data(data: dict, key: str) -> dict:
    """Add the file's comments to the matching posts; return counts of what happened."""
    counts = {"imported": 0, "existing": 0, "posts_missing": 0, "notes": []}
    users = _Users(counts["notes"])
    with write_transaction():
        for entry in data["posts"]:
            post = _find_post(entry)
            if post is None:
                counts["posts_missing"] += 1
                continue
            _import_comments(post, entry.get("comments") or [], key, counts, users)
    return counts


class _Users:
    """The users here named by a file's comments, each looked up once."""

    def __init__(self, notes: list):
        self.notes = notes
        self.found: dict[str, int | None] = {}

    def of(self, post: Post, fields: dict) -> tuple[int | None, bool]:
        """Our user who wrote the comment, and whether the file names one."""
        username = fields.get("user")
        if username is None:
            return None, False
        if not isinstance(username, str):
            raise CommentsFileError(f"a comment of {post.slug!r} has a bad user")
        if username not in self.found:
            user = accounts.find_user(username)
            self.found[username] = user.id if user else None
        if self.found[username] is None:
            self.notes.append(
                f"comment {fields.get('id')!r} on {post.slug!r}: by user "
                f"{username!r}, {privacy.UNLINKED_STAFF}"
            )
        return self.found[username], True


def _find_post(entry) -> Post | None:
    if not isinstance(entry, dict):
        raise CommentsFileError("a post entry is not an object")
    return Post.get_or_none(
        (Post.kind == entry.get("kind", "post")) & (Post.slug == entry.get("slug"))
    )


def _import_comments(post: Post, comments: list, key: str, counts: dict, users):
    placed: dict = {}
    for fields in comments:
        if not isinstance(fields, dict):
            raise CommentsFileError(f"a comment of {post.slug!r} is not an object")
        created = _parse_time(fields.get("created_at"))
        body = str(fields.get("body") or "")
        author = validate.imported_name(str(fields.get("author_name") or ""))
        same = Comment.get_or_none(
            (Comment.post == post)
            & _at(created)
            & (Comment.author_name == author)
            & (Comment.body == privacy.mask_contacts(body))
        )
        if same is not None:
            counts["existing"] += 1
        else:
            parent = placed.get(fields.get("parent"))
            user = users.of(post, fields)
            same = _store(post, fields, created, author, body, parent, key, user)
            counts["imported"] += 1
        placed[fields.get("id")] = same


def _at(created: datetime.datetime):
    """Comments made at this time; a time with no fraction names its whole
    second, as files written before times kept microseconds do."""
    if created.microsecond:
        return Comment.created_at == created
    second = datetime.timedelta(seconds=1)
    return (Comment.created_at >= created) & (Comment.created_at < created + second)


def _store(post, fields, created, author, body, parent, key, user) -> Comment:
    email = str(fields.get("author_email") or "")[:100]
    kept = privacy.protect(body, email, "", key)
    user_id, signed_in = user
    if signed_in and user_id is None:
        kept = privacy.vouching_for_no_one(kept)
    status = fields.get("status")
    kind = fields.get("kind")
    body_format = _body_format(post, fields, kept.body)
    return Comment.create(
        post=post,
        parent=parent,
        thread=(parent.thread_id or parent.id) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        kind=kind if kind in KINDS else "comment",
        author_name=author,
        author_email=email,
        email_hash=kept.email_hash,
        author_url=validate.imported_website(str(fields.get("author_url") or "")),
        user=user_id,
        body=kept.body,
        body_format=body_format,
        body_html=_body_html(fields, kept.body, body_format),
        **_state(status),
        verdicts=json.dumps([kept.verdict.as_dict()]),
        created_at=created,
        # Spam and trash are purged a retention after they last changed here.
        modified_at=utcnow(),
    )


def _state(status) -> dict:
    """A file's status as this site keeps it. "rejected" has no tab or action
    of its own here: a comment turned down waits in the trash, restored to
    pending."""
    if status == CommentStatus.REJECTED:
        return {"status": CommentStatus.DELETED, "previous_status": "pending"}
    if status in set(CommentStatus):
        return {"status": status}
    return {"status": CommentStatus.PENDING}


def _body_format(post: Post, fields: dict, body: str) -> str:
    """The body's format; in a file written before formats were kept, the one
    its HTML was rendered in (a WordPress comment's HTML source), else the
    form's Markdown."""
    body_format = fields.get("body_format") or _rendered_from(fields, body)
    if body_format not in rendering.FORMATS:
        raise CommentsFileError(
            f"a comment of {post.slug!r} has body_format {body_format!r}, "
            "not markdown or html"
        )
    return body_format


def _rendered_from(fields: dict, body: str) -> str:
    given = _clean(str(fields.get("body_html") or "")).strip()
    as_html = rendering.render(body, rendering.HTML).strip()
    if given == as_html != rendering.render(body, rendering.MARKDOWN).strip():
        return rendering.HTML
    return rendering.MARKDOWN


def _clean(given: str) -> str:
    return privacy.mask_html(markup.clean_comment_html(given)) if given else ""


def _body_html(fields: dict, body: str, body_format: str) -> str:
    """The file's HTML, sanitized and masked again: a file is never trusted
    with markup, nor with the contacts in it."""
    return _clean(str(fields.get("body_html") or "")) or rendering.render(
        body, body_format
    )


def _parse_time(value) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise CommentsFileError(f"created_at {value!r} is not a date") from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment
