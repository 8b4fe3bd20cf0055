"""What follows a change to posts: search index, related posts, page cache."""

from flask import current_app, has_app_context

from . import related, search

# Past this many changed posts, recomputing every related list is cheaper.
FULL_RECOMPUTE_AT = 200


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
