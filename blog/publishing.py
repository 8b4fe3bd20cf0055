"""What follows a change to posts: search index, related posts, page cache."""

from flask import current_app, has_app_context

from . import markup, related, search
from .db import write_transaction
from .models import Post

# Past this many changed posts, recomputing every related list is cheaper.
FULL_RECOMPUTE_AT = 200
RENDER_BATCH = 200


def refresh(post_ids, full: bool = False):
    """Bring derived data up to date after posts were added, changed or taken down."""
    post_ids = list(post_ids)
    if not post_ids and not full:
        return
    search.index(post_ids)
    if full or len(post_ids) >= FULL_RECOMPUTE_AT:
        related.recompute_all()
    else:
        related.update(post_ids)
    invalidate_pages()


def invalidate_pages():
    """Make every worker render public pages afresh on their next request."""
    if has_app_context():
        current_app.extensions["generation"].bump()


def invalidate_comments():
    """Make every worker render the pages that show comments afresh."""
    if has_app_context():
        current_app.extensions["generation"].bump_comments()


def render_all_again() -> int:
    """Render every stored post again with this version's renderer.

    A post's body_html and body_text (and an empty summary's start-of-text)
    are a cache of markup.render_post. In batches, each its own transaction,
    so comments can be written between them. Returns how many posts.
    """
    last, ids = 0, []
    while rows := list(
        Post.select(
            Post.id, Post.body, Post.body_format, Post.source_path, Post.summary
        )
        .where(Post.id > last)
        .order_by(Post.id)
        .limit(RENDER_BATCH)
    ):
        with write_transaction():
            for post in rows:
                html, text = markup.render_post(
                    post.body, post.source_path, post.body_format
                )
                fields = {Post.body_html: html, Post.body_text: text}
                if not post.summary.strip():
                    fields[Post.summary_html] = markup.summarize("", text)
                Post.update(fields).where(Post.id == post.id).execute()
        ids += [post.id for post in rows]
        last = rows[-1].id
    if ids:
        refresh(ids, full=True)
    return len(ids)
