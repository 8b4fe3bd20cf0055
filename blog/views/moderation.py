"""The moderation queue: tabs by status, search, actions on one or many."""

import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import audit
from ..auth import local_path, role_required
from ..comment_models import Comment
from ..comments import actions, queue, undo
from ..models import Role, utcnow
from ..pagination import PageNotFound
from . import housekeeping
from .admin.base import current_page, database_id, private

bp = Blueprint("moderation", __name__, url_prefix="/admin/comments")
private(bp)

# The actions offered on each tab, in the order of their buttons.
TAB_ACTIONS = {
    "pending": ("approve", "spam", "trash"),
    "approved": ("unapprove", "spam", "trash"),
    "spam": ("not_spam", "trash"),
    "trash": ("restore", "spam", "delete"),
}


def _query() -> queue.Query:
    tab = request.values.get("status", "pending")
    field = request.values.get("field", "all")
    return queue.Query(
        tab=tab if tab in queue.TABS else "pending",
        q=request.values.get("q", "").strip()[:200],
        field=field if field in queue.FIELDS else "all",
    )


def _queue_url(query: queue.Query, page=None) -> str:
    args = {"status": query.tab, "q": query.q, "field": query.field, "page": page}
    args = {key: value for key, value in args.items() if value and value != "all"}
    return url_for(".comments", **args) + "#queue"


@bp.get("/")
@role_required(Role.MODERATOR)
def comments():
    query = _query()
    counts = queue.counts()
    try:
        page = queue.page(query, current_page(), total=counts[query.tab])
    except PageNotFound:
        # The page emptied under an action: show the last one there is.
        last = queue.page(query, 1, total=counts[query.tab]).pages or 1
        return redirect(_queue_url(query, last if last > 1 else None))
    return render_template(
        "admin/comments.html",
        page=page,
        query=query,
        counts=counts,
        count_cap=queue.COUNT_CAP,
        shown_at=utcnow(),
        tab_actions=TAB_ACTIONS[query.tab],
        **_comment_helpers(),
    )


def _comment_helpers() -> dict:
    now = utcnow()
    return {
        "rules": actions.RULES,
        "verdicts": queue.verdicts,
        "age": lambda moment: queue.age(moment, now),
    }


def _selected_ids() -> list[int]:
    if request.form.get("all_on_page") == "on":
        raw = request.form.get("page_ids", "").split(",")
    else:
        raw = request.form.getlist("ids")
    return [ident for ident in map(database_id, raw) if ident is not None]


@bp.post("/act")
@role_required(Role.MODERATOR)
def act():
    """One action on one comment (its row's button) or on the selection."""
    row = request.form.get("row_action", "")
    if row:
        action, _, raw = row.partition(":")
        ident = database_id(raw)
        ids = [] if ident is None else [ident]
    else:
        action, ids = request.form.get("action", ""), _selected_ids()
    if action not in actions.RULES:
        abort(400, description="Choose an action.")
    if not ids:
        flash("Select at least one comment first.")
    else:
        result = actions.apply(action, ids, current_user)
        # The flash carries the undo's id: base.html shows its Undo button.
        flash(
            result.summary(), f"undo:{result.undo_id}" if result.undo_id else "message"
        )
    _purge()
    back = local_path(request.form.get("next"))
    if back and action == "delete":
        # The page it was sent from was the deleted comment's own.
        back = _queue_url(queue.Query(tab="trash"))
    return redirect(back or _queue_url(_query(), request.form.get("page")))


@bp.post("/undo/<int:undo_id>")
@role_required(Role.MODERATOR)
def undo_action(undo_id):
    try:
        done = undo.undo(undo_id, current_user)
    except undo.UndoError as error:
        flash(str(error))
    else:
        flash(done.summary(actions.RULES[done.action].label))
    return redirect(local_path(request.form.get("next")) or _queue_url(_query()))


# A link to an action's address (a reload after the post, a bookmark, a URL
# shared in chat) opens the page its form is on: only a POST acts.
@bp.get("/act")
@bp.get("/undo/<int:undo_id>")
@role_required(Role.MODERATOR)
def queue_link(undo_id=None):
    return redirect(_queue_url(_query()))


@bp.get("/empty-spam")
@role_required(Role.MODERATOR)
def spam_link():
    return redirect(_queue_url(queue.Query(tab="spam")))


@bp.get("/<int:comment_id>/reply")
@bp.get("/<int:comment_id>/edit")
@role_required(Role.MODERATOR)
def comment_form_link(comment_id):
    form = request.path.rstrip("/").rsplit("/", 1)[-1]
    return redirect(url_for(".comment", comment_id=comment_id, _anchor=f"{form}-title"))


def _purge():
    """Old spam, trash and addresses go while a moderator is at work anyway."""
    settings = current_app.extensions["settings"]
    actions.purge(settings["spam_retention_days"])
    housekeeping.forget_old_addresses(settings)


@bp.post("/empty-spam")
@role_required(Role.MODERATOR)
def empty_spam():
    try:
        seen_at = datetime.datetime.fromisoformat(request.form.get("seen_at", ""))
    except ValueError:
        abort(400, description="Open the spam folder again, then empty it.")
    removed = actions.empty_spam(current_user, seen_at)
    flash(f"Deleted {removed} spam comment(s) for good.")
    return redirect(_queue_url(queue.Query(tab="spam")))


def _comment_or_404(comment_id) -> Comment:
    return Comment.get_or_none(Comment.id == comment_id) or abort(404)


@bp.get("/<int:comment_id>/")
@role_required(Role.MODERATOR)
def comment(comment_id):
    return _detail(comment_id)


def _back() -> str | None:
    """The queue page (tab, search, page) the comment was opened from."""
    back = local_path(request.values.get("back"))
    return back if back and back.startswith(url_for(".comments")) else None


def _detail(comment_id, status=200, **context):
    found = _comment_or_404(comment_id)
    queue.mark_hidden_threads([found])
    tab = next((t for t, s in queue.TABS.items() if s == found.status), None)
    return (
        render_template(
            "admin/comment.html",
            comment=found,
            tab=tab,
            tab_actions=TAB_ACTIONS.get(tab, ()),
            history=audit.history("comment", found.id),
            back=_back(),
            **_comment_helpers(),
            **context,
        ),
        status,
    )


@bp.post("/<int:comment_id>/reply")
@role_required(Role.MODERATOR)
def reply(comment_id):
    _comment_or_404(comment_id)
    body = request.form.get("body", "")
    try:
        created = actions.reply(
            comment_id,
            current_user,
            body,
            current_app.config["SECRET_KEY"],
            current_app.extensions["settings"].all(),
        )
    except actions.ActionError as error:
        # The form comes back with the moderator's text in it, as a reader's does.
        return _detail(comment_id, 400, reply_error=str(error), reply_text=body)
    flash(f"Reply #{created.id} published.")
    return redirect(url_for(".comment", comment_id=comment_id, back=_back()))


@bp.post("/<int:comment_id>/edit")
@role_required(Role.MODERATOR)
def edit(comment_id):
    _comment_or_404(comment_id)
    body = request.form.get("body", "")
    try:
        actions.edit(
            comment_id, current_user, body, current_app.extensions["settings"].all()
        )
    except actions.ActionError as error:
        return _detail(comment_id, 400, edit_error=str(error), edit_text=body)
    flash("Comment saved.")
    return redirect(url_for(".comment", comment_id=comment_id, back=_back()))
