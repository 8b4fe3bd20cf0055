"""What a comment changes: the pages that show comments, at once, through
every worker; never the sitemap, the post feeds or the listings."""

import pytest

from blog import content, publishing
from blog.comment_models import CommentStatus
from blog.comments import actions
from blog.models import Post
from tests.factories import make_comment
from tests.test_reader import CACHING_POST, _redis_generation, text

CACHING_SLUG = "caching-rendered-markdown-with-etags"
OTHER_SLUG = "notes-on-dns-and-tls-for-a-homelab"
POST_ONLY_PAGES = ["/sitemap.xml", "/feed/", "/feed/rss/", "/", "/2025/"]


def _comment_pages(post_id):
    return [CACHING_POST, "/comments/feed/", f"/comments/{post_id}/feed/"]


@pytest.mark.parametrize("shared", ["file", "redis"])
def test_an_approved_comment_changes_its_pages_not_the_sitemap(
    make_app, content_dir, shared
):
    """Two apps on one instance folder behave like two gunicorn workers; with
    Redis, like two app servers. A title changed behind the cache's back
    shows which pages were rendered again."""
    config = _redis_generation() if shared == "redis" else {}
    first, second = make_app(**config), make_app(**config)
    with first.app_context():
        publishing.refresh(content.sync(content_dir).changed, full=True)
        post = Post.get(Post.slug == CACHING_SLUG)
        waiting = make_comment(
            post, body="Held, then approved.", status=CommentStatus.PENDING
        )
    reader = first.test_client()
    before = {path: text(reader.get(path)) for path in POST_ONLY_PAGES}
    for path in _comment_pages(post.id):
        assert "Held, then approved." not in text(reader.get(path)), path

    with second.app_context():
        # Unannounced: seen only where a page is rendered again.
        Post.update(title="DNS, retitled", slug="dns-moved").where(
            Post.slug == OTHER_SLUG
        ).execute()
        actions.apply("approve", [waiting.id], None)

    for path in _comment_pages(post.id):
        assert "Held, then approved." in text(reader.get(path)), path
    for path in POST_ONLY_PAGES:
        assert text(reader.get(path)) == before[path], path

    with second.app_context():
        publishing.invalidate_pages()
    assert "/dns-moved/" in text(reader.get("/sitemap.xml"))
    for path in POST_ONLY_PAGES[1:]:
        assert "DNS, retitled" in text(reader.get(path)), path
