"""Posts and pages: the list with filters, the editor, the preview."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import editing
from ...auth import role_required
from ...models import Post, PostStatus, Role
from ...post_list import Filters, authors, counts_by_state, page_of
from ...templating import keyboard_scrollable
from ...term_models import Category, Tag
from .base import bp, current_page, database_id, settings

SECTIONS = {"posts": "post", "pages": "page"}
PER_PAGE = 30
DONE = {
    "save": "Saved.",
    "draft": "Saved as a draft.",
    "publish": "Published.",
    "unpublish": "Unpublished: its address now answers 410 Gone.",
    "trash": "Moved to the trash.",
    "restore": "Restored as a draft.",
}
UNSCHEDULED = "No longer scheduled: a draft again, its date kept."


def _kind(section: str) -> str:
    return SECTIONS[section]


@bp.get("/<any(posts, pages):section>/")
@role_required(Role.EDITOR)
def post_list(section):
    filters = Filters(
        kind=_kind(section),
        **{
            name: request.args.get(name, "").strip()[:200]
            for name in ("status", "tag", "category", "author", "q")
        },
    )
    page = page_of(filters, current_page(), PER_PAGE)
    ids = [post.id for post in page.items]
    return render_template(
        "admin/posts.html",
        section=section,
        kind=filters.kind,
        page=page,
        filters=filters,
        tags_by_post=Tag.by_post(ids),
        counts=counts_by_state(filters.kind),
        statuses=[*PostStatus, "scheduled"],
        all_tags=Tag.select().order_by(Tag.name),
        all_categories=Category.select().order_by(Category.name),
        authors=authors(),
        state=editing.state,
    )


def _values(draft: editing.Draft) -> dict:
    return {
        "title": draft.title,
        "slug": draft.slug,
        "body": draft.body,
        "summary": draft.summary,
        "author": draft.author,
        "tags": ", ".join(draft.tags),
        "categories": ", ".join(draft.categories),
        "date": editing.date_input(draft.date, settings()["timezone"]),
        "nav_order": draft.nav_order,
        "comments_open": draft.comments_open,
    }


def _editor(section, post, values, status=200, **context):
    return (
        render_template(
            "admin/edit_post.html",
            section=section,
            kind=_kind(section),
            post=post,
            values=values,
            version=request.form.get("version") or (post.version if post else ""),
            state=editing.state(post) if post else "new",
            errors=context.pop("errors", {}),
            **context,
        ),
        status,
    )


def _post_or_404(section, post_id) -> Post:
    post = Post.get_or_none(Post.id == post_id)
    if post is None or post.kind != _kind(section):
        abort(404)
    return post


@bp.get("/<any(posts, pages):section>/new")
@role_required(Role.EDITOR)
def new_post(section):
    draft = editing.Draft(kind=_kind(section), author=current_user.name)
    return _editor(section, None, _values(draft))


@bp.get("/<any(posts, pages):section>/<int:post_id>/")
@role_required(Role.EDITOR)
def edit_post(section, post_id):
    post = _post_or_404(section, post_id)
    return _editor(section, post, _values(editing.draft_from_post(post)))


@bp.post("/<any(posts, pages):section>/new")
@role_required(Role.EDITOR)
def create_post(section):
    return _submit(section, None)


@bp.post("/<any(posts, pages):section>/<int:post_id>/")
@role_required(Role.EDITOR)
def save_post(section, post_id):
    return _submit(section, _post_or_404(section, post_id))


def _submit(section, post):
    action = request.form.get("action", "save")
    form_values = request.form.to_dict()
    form_values["comments_open"] = request.form.get("comments_open") == "on"
    try:
        stored = post.date if post else None
        draft = editing.draft_from_form(request.form, _kind(section), _tz(), stored)
        if action == "preview":
            html = editing.preview(
                draft.body,
                post.body_format if post else "markdown",
                post and post.source_path,
            )
            return _editor(section, post, form_values, preview=html)
        version = request.form.get("version", "")
        saved = editing.save(
            draft,
            action,
            current_user,
            post.id if post else None,
            database_id(version),
        )
    except editing.EditError as error:
        return _editor(section, post, form_values, 400, errors=error.errors)
    except editing.PostConflict:
        return _editor(section, post, form_values, 409, conflict=True)
    flash(_done(action, saved))
    return redirect(url_for(".edit_post", section=section, post_id=saved.id))


def _done(action: str, saved: Post) -> str:
    """The message confirming an action, saying what readers now see."""
    if action == "unpublish" and saved.status == PostStatus.DRAFT:
        return UNSCHEDULED
    if action == "publish" and editing.state(saved) == "scheduled":
        # "Published." had the writer look for a post readers do not see yet.
        when = editing.date_input(saved.date, _tz()).replace("T", " ")
        return f"Scheduled for {when}: readers see it from then."
    return DONE.get(action, "Saved.")


def _tz() -> str:
    return settings()["timezone"]


@bp.post("/preview")
@role_required(Role.EDITOR)
def preview():
    """The editor's text rendered as the site will show it (an HTML fragment)."""
    body_format = request.form.get("body_format", "markdown")
    if body_format not in ("markdown", "html"):
        abort(400)
    # The post being edited, whose file a synced post's media links are relative to.
    post_id = database_id(request.form.get("post_id", ""))
    post = Post.get_or_none(Post.id == post_id) if post_id is not None else None
    html = editing.preview(
        request.form.get("body", ""), body_format, post and post.source_path
    )
    return keyboard_scrollable(html), 200, {"Content-Type": "text/html; charset=utf-8"}
