"""The reader's side of comments: the form's POST, comment feeds, identicons.

POST /comments/<post_id>/ follows Post/Redirect/Get: a stored comment
answers 303 to its place on the post; a form with mistakes is shown again,
text kept, each message beside its field. The post page itself is rendered
by the reader's view and cached for everybody, so what is personal (a
comment awaiting moderation) travels in the signed blog_pending cookie, which
the page cache passes by, and the "save my details" cookie is read by
JavaScript only.
"""

import datetime
import json
from functools import partial
from urllib.parse import parse_qsl, quote

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    g,
    make_response,
    redirect,
    request,
)
from werkzeug.datastructures import MultiDict

from .. import auth, csrf, feeds, identicon
from ..comment_models import Comment
from ..comments import (
    CommentsClosed,
    Status,
    Submission,
    TooManyComments,
    ValidationError,
    moderation,
    pipeline,
    reading,
    store,
    submit,
    tokens,
)
from ..comments.history import DatabaseHistory
from ..comments.validate import FORM, displayable
from ..db import BusyError
from ..forms import CommentForm
from ..models import Post, utcnow
from . import comment_pages, errors, form_origin, housekeeping, reader
from .feeds import site

bp = Blueprint("comments", __name__)

PENDING_COOKIE = "blog_pending"
AUTHOR_COOKIE = "comment_author"
PENDING_KEPT = 20  # the newest comments a pending cookie remembers
PENDING_DAYS = 30
AUTHOR_DAYS = 365
IDENTICON_MAX_AGE = 365 * 24 * 3600
FEED_SIZE = 30
MAX_FIELDS = 20


def init_app(app):
    app.register_blueprint(bp)
    # The form carries a signed token instead of the session's CSRF token.
    csrf.exempt(bp)
    app.extensions["comment_context"] = comment_context
    app.jinja_env.globals["identicon_url"] = identicon_url


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def identicon_url(comment: Comment) -> str:
    return f"/identicon/{identicon.name_for(comment.email_hash, _secret())}.svg"


def comment_context(post) -> dict:
    """The comments area of a post page: threads, count, form, and open or not."""
    values = reader.settings()
    own = _own_waiting_comments()
    form = g.get("comment_form") or _blank_form(post)
    # One level (thread_depth 1): a reply would be a comment of its own.
    threaded = values["thread_depth"] > 1
    reply_to = _reply_to(post, form.parent.data) if threaded else None
    form.parent.data = str(reply_to.id) if reply_to else ""
    return {
        "comment_threads": comment_pages.threads(post, values, own, reply_to),
        "comment_count": reading.approved_count(post),
        "comment_order": values["comment_order"],
        "comment_form": form,
        "comment_errors": g.get("comment_errors", {}),
        "comments_open": not moderation.is_closed(post, values, utcnow()),
        "comments_threaded": threaded,
        "reply_to": reply_to,
        "comments_feed": f"/comments/{post.id}/feed/",
    }


def _own_waiting_comments() -> list[int]:
    """The reader's comments still awaiting moderation, named by their cookie.

    A page showing them is theirs alone, so it stays out of every cache; once
    a moderator has decided on all of them the cookie goes, and the reader is
    served the shared cached page again.
    """
    sent = _sent_pending()
    if not sent:
        return []
    waiting = reading.still_unseen(sent)
    after_this_request(partial(_personal_page, sent, waiting))
    return waiting


def _personal_page(sent, waiting, response):
    request.environ.pop("blog.cacheable", None)
    # A page with the reader's typed text in it already says no-store.
    if response.headers.get("Cache-Control") != "no-store":
        response.headers["Cache-Control"] = "private, no-cache"
    if not waiting:
        response.delete_cookie(PENDING_COOKIE, httponly=True, samesite="Lax")
    elif waiting != sent:
        _set_pending_cookie(response, waiting)
    return response


def _blank_form(post) -> CommentForm:
    form = CommentForm(formdata=None)
    form.token.data = tokens.issue(post.id, _secret(), utcnow())
    form.parent.data = request.args.get("replytocom", "")
    return form


def _reply_to(post, parent_id) -> Comment | None:
    """The shown comment of this post the form answers, if any."""
    parent_id = str(parent_id or "")
    if not (parent_id.isascii() and parent_id.isdigit() and len(parent_id) < 12):
        return None
    found = Comment.get_or_none(Comment.id == int(parent_id))
    shown = pipeline.is_shown(found, post.id, DatabaseHistory().comment)
    return found if shown else None


@bp.post("/comments/<int:post_id>/")
def create(post_id):
    # The token is on every cached page, so only the browser can tell a form
    # another site made its visitor send (from their address, saving that
    # site's name and email in their details) from our own.
    if form_origin.from_elsewhere():
        abort(403, description="Comments are sent from the form on this site.")
    pairs = _form_pairs()
    values = reader.settings().all()
    try:
        sender = auth.signed_in_id()
        outcome = submit(
            Submission(post_id, pairs, request.remote_addr or "", sender),
            values,
            _secret(),
        )
    except ValidationError as error:
        return _form_again(post_id, pairs, error.errors, error.status)
    except CommentsClosed as error:
        # Closed while the reader wrote: the page says so and keeps their text.
        return _form_again(post_id, pairs, {FORM: str(error)}, 403)
    except TooManyComments as error:
        retry = {"Retry-After": str(error.retry_after)}
        return _form_again(post_id, pairs, {FORM: error.message}, 429, retry)
    except BusyError as error:
        # Nothing was stored: the reader gets their text back to send again.
        retry = {"Retry-After": str(errors.BUSY_RETRY_AFTER)}
        return _form_again(post_id, pairs, {FORM: str(error)}, 503, retry)
    housekeeping.forget_old_addresses(values)
    return _acknowledge(outcome, values)


@bp.get("/comments/<int:post_id>/")
def form_address(post_id):
    """A form shown again lives here: opened again from the address bar, or
    shared, it leads to the post's form rather than a bare 405."""
    post = store.commentable_post(post_id, utcnow()) or reader.missing_post(post_id)
    return redirect(f"{post.url}#respond", 302)


# Bytes a form may take for each character the comment may hold, counted once
# composed (NFC): a Hangul syllable sent decomposed is three jamo of three
# UTF-8 bytes, percent-encoded 27. The other fields fit in the rest.
BYTES_A_CHARACTER = 27
OTHER_FIELDS_BYTES = 64 * 1024


def _form_pairs() -> list[tuple[str, str]]:
    """The form's fields, refusing bytes that are not UTF-8 instead of guessing."""
    if request.mimetype != "application/x-www-form-urlencoded":
        abort(415, description="Send the form as a browser does (urlencoded).")
    # A form far past the longest comment is refused unread (413), not read,
    # refused and sent back whole.
    longest = reader.settings()["max_comment_length"]
    needed = longest * BYTES_A_CHARACTER + OTHER_FIELDS_BYTES
    # Never past the app's own limit on a request (MAX_CONTENT_LENGTH).
    limit = min(needed, current_app.config["MAX_CONTENT_LENGTH"])
    request.max_content_length = limit
    body = request.get_data(cache=True)
    # Sent chunked, a body is read up to the limit and silently no further:
    # one that reaches it had more.
    if request.content_length is None and len(body) >= limit:
        abort(413)
    try:
        return parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        abort(400, description="The form could not be read: its text is not UTF-8.")
    except ValueError:
        abort(400, description="The form could not be read: it has too many fields.")


def _form_again(post_id, pairs, errors, status, headers=None):
    """The post page again, with the reader's text and the messages."""
    if store.commentable_post(post_id, utcnow()) is None:
        abort(404)
    post = Post.get_by_id(post_id)
    form = CommentForm(formdata=MultiDict((k, displayable(v)) for k, v in pairs))
    general = form.set_errors(errors)
    form.token.data = _token_for_again(form.token.data, post)
    g.comment_form, g.comment_errors = form, general
    body = reader.show(post)
    # A page with one reader's text in it is never cached.
    request.environ.pop("blog.cacheable", None)
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def _token_for_again(token, post) -> str:
    """The token of a form shown again: a good one kept, since a fresh one
    would make the form look sent too fast; an expired one renewed as old as
    the minimum form age, since its reader has long had the form."""
    values = reader.settings()
    now = utcnow()
    max_age = datetime.timedelta(hours=values["max_form_hours"])
    try:
        tokens.read(token or "", _secret(), post.id, now, max_age)
        return token
    except tokens.TokenExpired:
        issued = now - datetime.timedelta(seconds=values["min_form_seconds"])
    except tokens.TokenError:
        issued = now
    return tokens.issue(post.id, _secret(), issued)


def _acknowledge(outcome, values):
    """Redirect to the comment; pending and spam get the very same answer."""
    comment, post = outcome.comment, outcome.post
    sent = _sent_pending()
    place = comment_pages.place(comment, values, _still_unseen(sent))
    response = redirect(f"{post.url}{place}", 303)
    response.headers["Cache-Control"] = "no-store"
    if outcome.status != Status.APPROVED:
        _remember_pending(response, sent, comment.id)
    _remember_author(response, comment, outcome.remember)
    return response


def _sent_pending() -> list[int]:
    return tokens.read_pending(request.cookies.get(PENDING_COOKIE), _secret())


def _still_unseen(sent: list[int]) -> list[int]:
    # The pages show the reader's waiting comments too: they count.
    return reading.still_unseen(sent) if sent else []


def _remember_pending(response, sent: list[int], comment_id: int):
    ids = [i for i in sent if i != comment_id][-(PENDING_KEPT - 1) :] + [comment_id]
    _set_pending_cookie(response, ids)


def _set_pending_cookie(response, ids):
    response.set_cookie(
        PENDING_COOKIE,
        tokens.sign_pending(ids, _secret()),
        max_age=PENDING_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _remember_author(response, comment: Comment, wanted: bool):
    """The reader's own details, in their browser only, for comments.js to fill in."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    if not wanted:
        if AUTHOR_COOKIE in request.cookies:
            response.delete_cookie(AUTHOR_COOKIE, samesite="Lax", secure=secure)
        return
    details = {
        "name": comment.author_name,
        "email": comment.author_email,
        "url": comment.author_url,
    }
    response.set_cookie(
        AUTHOR_COOKIE,
        quote(json.dumps(details, ensure_ascii=False), safe=""),
        max_age=AUTHOR_DAYS * 24 * 3600,
        samesite="Lax",
        secure=secure,
    )


@bp.get("/identicon/<name>.svg")
def identicon_svg(name):
    if not identicon.NAME.fullmatch(name):
        abort(404)
    response = Response(identicon.svg(name), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = (
        f"public, max-age={IDENTICON_MAX_AGE}, immutable"
    )
    return response


@bp.get("/comment/<int:comment_id>/")
def permalink(comment_id):
    """Where a shown comment is now. Its page of comments moves as comments
    come (newest first) and go; this address does not: the feeds link it."""
    comment = (
        Comment.get_or_none(Comment.id == comment_id) if comment_id < 2**63 else None
    )
    post = comment and store.commentable_post(comment.post_id, utcnow())
    lookup = DatabaseHistory().comment
    if not post or not pipeline.is_shown(comment, post.id, lookup):
        abort(404)
    place = comment_pages.place(
        comment, reader.settings(), _still_unseen(_sent_pending())
    )
    return redirect(f"{post.url}{place}", 302)


@bp.get("/comments/feed/")
def site_feed():
    current = site()
    channel = _channel(current, "/comments/feed/", f"Comments · {current.title}", "/")
    return _feed(channel, reading.recent_approved(FEED_SIZE), current)


@bp.get("/comments/<int:post_id>/feed/")
def post_feed(post_id):
    post = store.commentable_post(post_id, utcnow()) or reader.missing_post(post_id)
    current = site()
    path = f"/comments/{post.id}/feed/"
    channel = _channel(current, path, f"Comments on {post.title}", post.url)
    return _feed(channel, reading.recent_approved(FEED_SIZE, post), current)


def _channel(current, path, title, page) -> feeds.Channel:
    return feeds.Channel(
        id=current.absolute(path),
        title=title,
        subtitle=title,
        link=current.absolute(page),
        self_link=current.absolute(path),
        author=current.author or current.title,
    )


def _feed(channel, comments, current):
    entries = [_entry(comment, current) for comment in comments]
    body = feeds.render(channel, entries, "atom")
    reader.cacheable()
    return Response(body, content_type=f"{feeds.MEDIA_TYPES['atom']}; charset=utf-8")


def _entry(comment: Comment, current) -> feeds.Entry:
    """A comment as a feed entry: the commenter's name only, never contacts."""
    post = comment.post
    link = current.absolute(f"/comment/{comment.id}/")
    return feeds.Entry(
        id=feeds.tag_uri(current, comment.created_at, f"/comments/{comment.id}"),
        title=f"{comment.author_name} on {post.title}",
        link=link,
        published=feeds.utc(comment.created_at),
        updated=feeds.utc(comment.modified_at or comment.created_at),
        author=comment.author_name,
        content_html=feeds.absolute_links(comment.body_html, link),
    )
