"""A post's Atom id and sticky flag through `blog content export` and a sync."""

import datetime

import pytest

from blog import content, content_export, feeds
from blog.models import Post
from tests.factories import make_post
from tests.test_content import write

SITE = feeds.Site(url="https://old.example", title="Old")
ELSEWHERE = feeds.Site(url="https://new.example", title="New")


def _ids(site: feeds.Site) -> dict[str, tuple[str, bool]]:
    return {post.slug: (feeds.entry_id(post, site), post.sticky) for post in Post}


def test_a_move_keeps_each_posts_feed_id_and_stickiness(app, tmp_path):
    """Feed readers showed every post again as new after a move."""
    day = datetime.datetime(2024, 1, 1)
    make_post(slug="pinned", sticky=True, date=day)
    make_post(slug="plain", date=day)
    make_post(slug="imported", feed_id="https://wp.example/?p=7", date=day)
    make_post(slug="kept", feed_id="2023-05-01:2023/05/01/kept/", date=day)
    make_post(kind="page", slug="about", date=day)
    before = _ids(SITE)
    content_export.export(tmp_path / "out", site_url=SITE.url)
    text = (tmp_path / "out" / "posts" / "2024-01-01-pinned.md").read_text()
    assert "sticky: true" in text and f"feed_id: {before['pinned'][0]}" in text
    assert "sticky" not in (tmp_path / "out/posts/2024-01-01-plain.md").read_text()

    Post.delete().execute()
    make_post(slug="filler")  # the fresh site's ids differ from the old one's
    report = content.sync(tmp_path / "out")
    assert report.errors == []
    after = _ids(ELSEWHERE)
    del after["filler"]
    assert after == before


def test_a_sync_keeps_stickiness_and_feed_id_its_file_does_not_set(app, tmp_path):
    folder = tmp_path / "c"
    path = write(folder, "posts/2024-01-02-a.md", "---\ntitle: A\n---\nOne.")
    content.sync(folder)
    Post.update(sticky=True, feed_id="tag:old.example,2020-01-01:post/1").execute()
    path.write_text("---\ntitle: A\n---\nOne, edited.", encoding="utf-8")
    assert content.sync(folder).errors == []
    post = Post.get()
    assert "edited" in post.body
    assert (post.sticky, post.feed_id) == (True, "tag:old.example,2020-01-01:post/1")

    path.write_text("---\ntitle: A\nsticky: false\n---\nOne.", encoding="utf-8")
    content.sync(folder)
    assert Post.get().sticky is False


@pytest.mark.parametrize(
    "key, reason",
    [
        ("sticky: maybe", "sticky"),
        ("feed_id: 12", "feed_id"),
        ("feed_id: not an id", "feed_id"),
        ("feed_id: [tag:a.example, tag:b.example]", "feed_id"),
    ],
)
def test_a_bad_sticky_or_feed_id_is_reported(app, tmp_path, key, reason):
    folder = tmp_path / "c"
    write(folder, "posts/2024-01-02-good.md", "---\ntitle: Good\n---\nFine.")
    write(folder, "posts/2024-01-02-bad.md", f"---\ntitle: Bad\n{key}\n---\nx")
    report = content.sync(folder)
    ((path, message),) = report.errors
    assert path == "posts/2024-01-02-bad.md" and reason in message
    assert [post.slug for post in Post] == ["good"]


def test_a_copied_file_does_not_take_another_posts_feed_id(app, tmp_path):
    """Two entries with one id: feed readers would show only one of them."""
    folder = tmp_path / "c"
    header = "---\ntitle: {}\nfeed_id: tag:old.example,2024-01-01:post/1\n---\n"
    write(folder, "posts/2024-01-02-first.md", header.format("First"))
    assert content.sync(folder).errors == []
    write(folder, "posts/2024-01-03-copy.md", header.format("Copy"))
    report = content.sync(folder)
    ((path, message),) = report.errors
    assert path == "posts/2024-01-03-copy.md" and "first" in message
    assert [post.slug for post in Post] == ["first"]
