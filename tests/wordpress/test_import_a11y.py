"""Importing WordPress's theme unit test export: counts, pages, threads, re-runs."""

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from blog.comment_models import Comment
from blog.models import Post, PostStatus, Redirect
from blog.term_models import Category, Tag

WP = "{http://wordpress.org/export/1.2/}"
STATE = {"1": "approved", "0": "pending", "spam": "spam", "trash": "deleted"}


def file_counts(path) -> dict:
    """Count the file's records with a plain ElementTree parse, apart from ours."""
    channel = ET.parse(path).getroot().find("channel")
    items = channel.findall("item")
    types = Counter(i.findtext(f"{WP}post_type") for i in items)
    comments = [c for i in items for c in i.findall(f"{WP}comment")]
    return {
        "posts": types["post"],
        "pages": types["page"],
        "attachments": types["attachment"],
        "other items": len(items) - types["post"] - types["page"] - types["attachment"],
        "categories": len(channel.findall(f"{WP}category")),
        "tags": len(channel.findall(f"{WP}tag")),
        "other terms": len(channel.findall(f"{WP}term")),
        "comments": len(comments),
        "states": Counter(STATE[c.findtext(f"{WP}comment_approved")] for c in comments),
    }


@pytest.fixture
def imported(a11y_file, import_wxr):
    report = import_wxr(a11y_file)
    assert report.ok, report.format()
    return report


def test_every_count_in_the_report_matches_the_file(a11y_file, imported):
    expected = file_counts(a11y_file)
    for kind, tally in imported.tallies.items():
        assert tally.found == expected[kind], kind
        assert tally.imported + tally.existing + tally.skipped_total == tally.found
    for state, tally in imported.states.items():
        assert tally.found == expected["states"][state], state
    assert imported["posts"].imported == expected["posts"]
    assert imported["pages"].imported == expected["pages"]
    assert imported["comments"].imported == expected["comments"]
    assert imported["attachments"].imported == 0
    assert Post.select().count() == expected["posts"] + expected["pages"]
    assert Comment.select().count() == expected["comments"]
    assert imported.orphans == []


def test_statuses_dates_authors_and_flags(imported):
    scheduled = Post.get(Post.wp_id == 1153)
    assert scheduled.status == PostStatus.PUBLISHED
    assert str(scheduled.date) == "2020-01-01 19:00:18"  # post_date_gmt
    assert Post.get(Post.wp_id == 1164).status == PostStatus.DRAFT
    assert Post.get(Post.wp_id == 1164).slug == "draft"  # empty post_name: the title
    protected = Post.get(Post.wp_id == 1168)
    assert protected.status == PostStatus.DRAFT
    assert any("1168" in note and "password" in note for note in imported.notes)
    assert Post.get(Post.sticky == True).slug == "template-sticky"  # noqa: E712
    # Logins without a wp:author block keep the login as the name.
    assert Post.get(Post.wp_id == 1148).author == "Accessibility Tester"
    assert {p.author for p in Post.select()} == {
        "Accessibility Tester",
        "themereviewteam",
        ">themereviewteam",
    }
    assert Post.get(Post.wp_id == 1148).body_format == "html"


def test_nested_categories_keep_their_parents(imported):
    grandchild = Category.get(Category.slug == "grandchild-category")
    assert grandchild.parent.slug == "child-category-03"
    assert grandchild.parent.parent.slug == "parent-category"
    assert Category.get(Category.slug == "child-2").parent.slug == "child-1"


def test_a_post_page_shows_its_categories_and_tags(imported, client):
    post = Post.get(Post.wp_id == 1148)  # Template: Comments
    response = client.get(post.url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Template: Comments" in page
    assert 'href="/category/template-2/"' in page
    assert 'href="/tag/comments-2/"' in page
    assert "Threaded comments up to 10 levels deep" in page
    assert "<p>This post tests comments" in page


def test_threaded_comments_keep_their_parents(imported):
    by_wp = {c.wp_id: c for c in Comment.select()}
    for depth, wp_id in enumerate([904, 905, 906, 907, 910, 911, 912, 913, 914, 915]):
        comment = by_wp[wp_id]
        assert comment.depth == depth
        assert comment.thread_id == (None if depth == 0 else by_wp[904].id)
    assert by_wp[905].parent_id == by_wp[904].id
    assert by_wp[915].parent_id == by_wp[914].id
    assert {c.kind for c in Comment.select()} == {"comment", "pingback"}


def test_ip_addresses_are_never_stored_raw(imported, a11y_file):
    addresses = set(
        re.findall(r"<wp:comment_author_IP>([^<]+)<", a11y_file.read_text())
    )
    assert addresses
    for comment in Comment.select():
        stored = " ".join(str(value) for value in comment.__data__.values())
        assert not any(address in stored for address in addresses)
        assert comment.ip_prefix.endswith("/24")
        assert len(comment.ip_hash) == 64


def test_running_the_same_import_again_changes_nothing(a11y_file, import_wxr):
    first = import_wxr(a11y_file)
    snapshot = _snapshot()
    again = import_wxr(a11y_file)
    assert again.ok
    assert _snapshot() == snapshot
    assert again["posts"].imported == 0
    assert again["posts"].existing == first["posts"].imported
    assert again["comments"].existing == first["comments"].imported
    assert again["tags"].existing == first["tags"].found


def test_a_dry_run_writes_nothing_but_reports_the_same(a11y_file, import_wxr):
    dry = import_wxr(a11y_file, dry_run=True)
    assert dry.ok and dry.dry_run
    assert "dry run: nothing was written" in dry.format()
    for model in (Post, Comment, Tag, Category, Redirect):
        assert model.select().count() == 0, model.__name__
    real = import_wxr(a11y_file)
    assert [(k, t.found, t.imported) for k, t in dry.tallies.items()] == [
        (k, t.found, t.imported) for k, t in real.tallies.items()
    ]


def _snapshot():
    return [
        sorted(tuple(row.values()) for row in model.select().dicts())
        for model in (Post, Comment, Tag, Category, Redirect)
    ]
