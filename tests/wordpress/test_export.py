"""WXR export: the file WordPress expects, no IP data, and a faithful round trip."""

import datetime
import io
import xml.etree.ElementTree as ET

from blog.comment_models import Comment, CommentStatus
from blog.models import Post, Redirect
from blog.term_models import Category, PostCategory, PostTag, RelatedPost, Tag
from blog.wordpress import exporter
from tests.factories import make_post

WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


def export_text() -> str:
    stream = io.StringIO()
    exporter.export(stream, "https://new.example", "My site", "Europe/Stockholm")
    return stream.getvalue()


def _comment(post, status, parent=None, **fields):
    values = {
        "post": post,
        "parent": parent,
        "author_name": "Reader",
        "author_email": "reader@example.org",
        "body": "Hello ]]> there",
        "body_html": "<p>Hello ]]> there</p>",
        "status": status,
        "ip_hash": "f" * 64,
        "ip_prefix": "198.51.100.0/24",
    }
    values.update(fields)
    return Comment.create(**values)


def test_the_export_is_wxr_12_with_the_right_namespaces(app):
    post = make_post(
        title="Tea & <cakes>", body="**Bold** text", tags=["Tea"], categories=["Food"],
        date=datetime.datetime(2024, 1, 13),
    )  # fmt: skip
    text = export_text()
    root = ET.fromstring(text)
    assert root.tag == "rss" and root.get("version") == "2.0"
    for prefix in ("excerpt", "content", "wfw", "dc", "wp"):
        assert f"xmlns:{prefix}=" in text
    channel = root.find("channel")
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert channel.find(f"{WP}category").findtext(f"{WP}category_nicename") == "food"
    assert channel.find(f"{WP}tag").findtext(f"{WP}tag_name") == "Tea"
    exported = channel.find("item")
    assert exported.findtext(f"{WP}post_id") == str(post.id)
    assert exported.findtext(f"{WP}post_type") == "post"
    assert exported.findtext(f"{WP}status") == "publish"
    assert exported.findtext(f"{WP}post_name") == post.slug
    assert exported.findtext(f"{WP}post_date_gmt") == f"{post.date:%Y-%m-%d %H:%M:%S}"
    assert exported.findtext(f"{WP}post_date") == "2024-01-13 01:00:00"
    assert exported.findtext("title") == "Tea &amp; &lt;cakes&gt;"
    assert "<strong>Bold</strong>" in exported.findtext(f"{CONTENT}encoded")
    domains = {(c.get("domain"), c.get("nicename")) for c in exported.iter("category")}
    assert domains == {("category", "food"), ("post_tag", "tea")}


def test_only_approved_and_pending_comments_go_out_and_never_an_ip(app):
    post = make_post()
    top = _comment(post, CommentStatus.APPROVED)
    _comment(post, CommentStatus.PENDING, parent=top)
    spam = _comment(post, CommentStatus.SPAM)
    _comment(post, CommentStatus.APPROVED, parent=spam, author_name="Child of spam")
    _comment(post, CommentStatus.DELETED)
    text = export_text()
    comments = ET.fromstring(text).find("channel/item").findall(f"{WP}comment")
    approved = sorted(c.findtext(f"{WP}comment_approved") for c in comments)
    assert approved == ["0", "1", "1"]
    assert {c.findtext(f"{WP}comment_author_IP") for c in comments} == {""}
    assert "198.51.100" not in text and "f" * 64 not in text
    orphan = next(
        c for c in comments if c.findtext(f"{WP}comment_author") == "Child of spam"
    )
    assert orphan.findtext(f"{WP}comment_parent") == "0"
    assert comments[0].findtext(f"{WP}comment_content") == "<p>Hello ]]> there</p>"


def _site():
    """What a round trip must keep, without ids."""
    posts = {
        p.slug: (p.kind, p.title, p.date, p.status, p.body, p.sticky, p.summary)
        for p in Post.select()
    }
    categories = {
        c.slug: (c.name, c.parent.slug if c.parent else None) for c in Category.select()
    }
    tags = {t.slug: t.name for t in Tag.select()}
    links = sorted(
        (link.post.slug, link.category.slug) for link in PostCategory.select()
    ) + sorted((link.post.slug, link.tag.slug) for link in PostTag.select())
    comments = sorted(
        (
            c.post.slug,
            c.author_name,
            str(c.created_at),
            c.status,
            c.kind,
            c.depth,
            c.parent.created_at if c.parent else None,
        )
        for c in Comment.select()
    )
    return posts, categories, tags, links, comments


def _empty_site():
    for model in (PostTag, PostCategory, RelatedPost, Comment, Post, Tag, Redirect):
        model.delete().execute()
    Category.update(parent=None).execute()
    Category.delete().execute()


def test_a_round_trip_keeps_posts_terms_and_comments(a11y_file, import_wxr, tmp_path):
    first = import_wxr(a11y_file)
    assert first.ok
    before = _site()
    path = tmp_path / "export.xml"
    path.write_text(export_text(), encoding="utf-8")
    _empty_site()
    again = import_wxr(path)
    assert again.ok, again.format()
    assert again.orphans == []
    after = _site()
    assert after[0] == before[0]  # posts: title, slug, date, status, body
    assert after[1:4] == before[1:4]  # categories with parents, tags, links
    assert after[4] == before[4]  # comments: count, states, threads
    assert again["comments"].imported == len(before[4])


def test_a_comment_goes_out_as_its_html_and_comes_back_the_same(
    app, import_wxr, tmp_path
):
    from blog import markup

    post = make_post(title="Markdown", body="x")
    body = "**bold words** and a [docs link](https://docs.example/)"
    html = markup.render_comment(body)
    _comment(post, "approved", body=body, body_html=html)
    path = tmp_path / "export.xml"
    path.write_text(export_text(), encoding="utf-8")
    _empty_site()
    assert import_wxr(path).ok
    again = Comment.get()
    assert "<strong>bold words</strong>" in again.body_html
    assert 'href="https://docs.example/"' in again.body_html
    assert "**" not in again.body_html


def test_a_posts_update_date_comes_back(app, import_wxr, tmp_path):
    """The page shows "Updated <date>"; the round trip lost it."""
    updated = datetime.datetime(2024, 3, 2, 10, 30)
    make_post(slug="revised", updated=updated)
    make_post(slug="as-written")
    path = tmp_path / "export.xml"
    path.write_text(export_text(), encoding="utf-8")
    _empty_site()
    assert import_wxr(path).ok
    assert Post.get(Post.slug == "revised").updated == updated
    assert Post.get(Post.slug == "as-written").updated is None
