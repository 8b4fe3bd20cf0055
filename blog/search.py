"""Full-text search over published posts (interim: replaced by the FTS work)."""

from .models import Post
from .pagination import paginate


def index(post_ids):
    """Bring the search index up to date for these posts."""


def query(terms: str, number: int, per_page: int):
    found = Post.published().where(
        Post.title.contains(terms) | Post.body_text.contains(terms)
    )
    return paginate(found.order_by(Post.date.desc()), number, per_page)
