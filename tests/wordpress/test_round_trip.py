"""Export and import again: what a move to a fresh site must not lose."""

import datetime
import xml.etree.ElementTree as ET

from blog import feeds, markup
from blog.comment_models import Comment
from blog.comments.history import DatabaseHistory
from blog.comments.privacy import hash_email
from blog.models import Post, PostStatus
from blog.term_models import Category, PostCategory, PostTag, Tag
from tests.factories import make_post, make_staff_reply
from tests.wordpress import builders
from tests.wordpress.test_export import WP, _empty_site, export_text

SITE = feeds.Site(url="https://new.example", title="My site")


def _move(tmp_path, import_wxr):
    """Export, empty the site (its users stay), import the file; the report."""
    path = tmp_path / "export.xml"
    path.write_text(export_text(), encoding="utf-8")
    _empty_site()
    report = import_wxr(path)
    assert report.ok, report.format()
    return report


def test_a_staff_reply_goes_out_with_its_user(app):
    post = make_post()
    staff = make_staff_reply(post, email_hash="e" * 64)
    channel = ET.fromstring(export_text()).find("channel")
    authors = {
        a.findtext(f"{WP}author_login"): a.findtext(f"{WP}author_id")
        for a in channel.findall(f"{WP}author")
    }
    assert authors["grace"] == str(staff.id)
    users = [
        c.findtext(f"{WP}comment_user_id")
        for c in channel.find("item").findall(f"{WP}comment")
    ]
    assert sorted(users) == ["0", str(staff.id)]


def test_a_staff_reply_comes_back_as_theirs(app, import_wxr, tmp_path):
    staff = make_staff_reply(make_post(), email_hash="e" * 64)
    _move(tmp_path, import_wxr)
    reply = Comment.get(Comment.author_name == "Grace Hopper")
    assert reply.user_id == staff.id
    assert Comment.get(Comment.author_name != "Grace Hopper").user_id is None


def test_a_staff_reply_without_its_user_here_vouches_for_no_one(
    app, import_wxr, tmp_path
):
    """Else whoever sends the form as "Grace Hopper" with her email skips
    moderation when require_approved_before is on."""
    staff = make_staff_reply(make_post(), email_hash="e" * 64)
    path = tmp_path / "export.xml"
    path.write_text(export_text(), encoding="utf-8")
    _empty_site()
    staff.delete_instance()
    report = import_wxr(path)
    reply = Comment.get(Comment.author_name == "Grace Hopper")
    assert reply.user_id is None and reply.author_email == "grace@example.org"

    hashed = hash_email("grace@example.org", "test secret key")
    assert not DatabaseHistory().known_commenter("Grace Hopper", hashed)
    assert any("'grace'" in note and "no account" in note for note in report.notes)


def test_a_post_taken_down_still_answers_410_after_a_move(
    app, client, import_wxr, tmp_path
):
    make_post(slug="gone", status=PostStatus.UNPUBLISHED)
    make_post(slug="unfinished", status=PostStatus.DRAFT)
    _move(tmp_path, import_wxr)
    gone = Post.get(Post.slug == "gone")
    assert gone.status == PostStatus.UNPUBLISHED
    assert Post.get(Post.slug == "unfinished").status == PostStatus.DRAFT
    assert client.get(gone.url).status_code == 410


def test_a_posts_feed_id_survives_a_move(app, import_wxr, tmp_path):
    """A new id is a new entry to a feed reader: every post shown again."""
    make_post(slug="new")
    make_post(slug="old", feed_id="2019-03-04:/2019/03/04/old/")
    before = {p.slug: feeds.entry_id(p, SITE) for p in Post.select()}
    _move(tmp_path, import_wxr)
    after = {p.slug: feeds.entry_id(p, SITE) for p in Post.select()}
    assert after == before


def test_a_wordpress_guid_becomes_the_feed_id(app, import_wxr):
    """WordPress's feeds give the guid as the id: readers must not see it anew."""
    guid = "http://old.example/?p=12"
    assert import_wxr(builders.wxr([builders.item(12, guid=guid)])).ok
    post = Post.get(Post.wp_id == 12)
    assert feeds.entry_id(post, SITE) == guid


def test_a_move_keeps_sticky_comments_closed_summaries_and_page_order(
    app, import_wxr, tmp_path
):
    summary = "Short *one*"
    make_post(slug="pinned", sticky=True, comments_open=False, summary=summary,
              summary_html=markup.summarize(summary, ""))  # fmt: skip
    make_post(kind="page", slug="about", nav_order=3, summary_html="<p>Some text.</p>")
    make_post(slug="plain", tags=["Café"], categories=["Åland"],
              summary_html="<p>Some text.</p>")  # fmt: skip
    fields = (Post.slug, Post.kind, Post.sticky, Post.comments_open, Post.summary,
              Post.summary_html, Post.nav_order, Post.author)  # fmt: skip
    before = sorted(Post.select(*fields).tuples())
    _move(tmp_path, import_wxr)
    assert sorted(Post.select(*fields).tuples()) == before
    assert {t.name for t in Tag.select()} == {"Café"}
    assert {c.name for c in Category.select()} == {"Åland"}
    assert PostTag.select().count() == PostCategory.select().count() == 1


def test_the_import_of_an_old_export_without_users_still_reads(app, import_wxr):
    when = datetime.datetime(2020, 5, 1, 8)
    file = builders.wxr([builders.item(3, comments=[builders.comment(30)])])
    assert import_wxr(file).ok
    assert Comment.get().user_id is None
    assert Comment.get().created_at == when
