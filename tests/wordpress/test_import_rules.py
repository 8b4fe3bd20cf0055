"""Import rules on small made-up exports: states, dates, slugs, comments, safety."""

import datetime

import pytest

from blog import accounts
from blog.comment_models import Comment
from blog.comments import actions
from blog.models import Post, PostStatus, Redirect, Role
from blog.term_models import Category
from tests.factories import make_post
from tests.wordpress.builders import comment, item, wxr

XSS = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>'
    '<a href="javascript:alert(2)" onclick="steal()">click</a> '
    '<em>fine</em> <a href="https://example.org/">site</a> <b style="x">bold</b>'
)


@pytest.mark.parametrize(
    "status, password, expected, note",
    [
        ("publish", "", PostStatus.PUBLISHED, None),
        ("future", "", PostStatus.PUBLISHED, None),
        ("draft", "", PostStatus.DRAFT, None),
        ("pending", "", PostStatus.DRAFT, "pending review"),
        ("private", "", PostStatus.DRAFT, "private in WordPress"),
        ("trash", "", PostStatus.TRASH, "trash"),
        ("publish", "secret", PostStatus.DRAFT, "password-protected"),
    ],
)
def test_statuses_map_to_ours(import_wxr, status, password, expected, note):
    report = import_wxr(wxr([item(10, status=status, post_password=password)]))
    assert Post.get(Post.wp_id == 10).status == expected
    if note:
        assert any(note in line for line in report.notes)
    else:
        assert report.notes == ["author 'ada': shown as 'Ada Lovelace'"]


def test_auto_drafts_and_other_types_are_skipped_with_reasons(import_wxr):
    report = import_wxr(
        wxr(
            [
                item(1, status="auto-draft"),
                item(2, post_type="attachment", status="inherit", post_name="pic"),
                item(3, post_type="wp_block", post_name="block"),
            ]
        )
    )
    assert Post.select().count() == 0
    assert report["posts"].skipped == {"auto-draft: an unsaved editor buffer": 1}
    assert report["attachments"].skipped_total == 1
    assert "wp_block" in next(iter(report["other items"].skipped))


def test_a_future_post_is_scheduled(import_wxr):
    import_wxr(wxr([item(1, status="future", post_date_gmt="2999-01-01 09:00:00")]))
    post = Post.get(Post.wp_id == 1)
    assert post.date == datetime.datetime(2999, 1, 1, 9, 0)
    assert not post.is_public
    assert Post.next_scheduled() == post.date


def test_a_zero_gmt_date_uses_the_local_date_in_the_sites_zone(import_wxr):
    zone = "<wp:timezone_string>Europe/Stockholm</wp:timezone_string>\n"
    draft = item(1, status="draft", post_date_gmt="0000-00-00 00:00:00")
    import_wxr(wxr([draft], extra_channel=zone))
    assert Post.get(Post.wp_id == 1).date == datetime.datetime(2020, 5, 1, 10, 0)


def test_a_zero_gmt_date_without_a_zone_is_utc(import_wxr):
    import_wxr(wxr([item(1, status="draft", post_date_gmt="0000-00-00 00:00:00")]))
    assert Post.get(Post.wp_id == 1).date == datetime.datetime(2020, 5, 1, 12, 0)


@pytest.mark.parametrize(
    "zone, local",
    [
        ("Asia/Tokyo", "0001-01-01 00:00:00"),
        ("America/New_York", "9999-12-31 23:59:59"),
    ],
)
def test_a_local_date_out_of_range_in_utc_is_reported_not_a_crash(
    import_wxr, zone, local
):
    """Year 1 in Tokyo or year 9999 in New York is no date in UTC: the
    conversion raised OverflowError out of the import, a traceback."""
    zero = "0000-00-00 00:00:00"
    reply = comment(1, comment_date_gmt=zero, comment_date=local)
    draft = item(1, post_date_gmt=zero, post_date=local, comments=[reply])
    channel = f"<wp:timezone_string>{zone}</wp:timezone_string>\n"
    report = import_wxr(wxr([draft], extra_channel=channel))
    assert report.ok, report.format()
    assert "no date: dated today" in report.format()
    assert Post.get(Post.wp_id == 1).date.year == datetime.datetime.now().year
    assert Comment.get(Comment.wp_id == 1).created_at.year == Post.get().date.year


def test_slugs_from_titles_and_collisions(import_wxr):
    make_post(slug="hello")
    report = import_wxr(
        wxr(
            [
                item(1, title="Hello", post_name="hello"),
                item(2, title="Hello", post_name=""),
                item(3, title="Search", post_name="search", post_type="page"),
                item(4, title="", post_name=""),
                item(5, title="2019", post_name="2019", post_type="page"),
            ]
        )
    )
    slugs = {p.wp_id: p.slug for p in Post.select().where(Post.wp_id.is_null(False))}
    assert slugs == {
        1: "hello-2",
        2: "hello-3",
        3: "search-2",
        4: "post-4",
        5: "2019-2",  # /2019/ is that year's archive
    }
    assert report.ok


@pytest.mark.parametrize(
    "post_name, post_type, slug",
    [
        ("a%2Fb", "post", "a-b"),
        ("what%3F", "post", "what"),
        ("100%25", "post", "100"),
        ("%3Cscript%3E", "post", "script"),
        ("..", "post", "a-title"),
        ("x%2F..%2Fadmin", "page", "x-admin"),
        ("%e6%97%a5%e6%9c%ac", "post", "日本"),
        ("my_post", "post", "my_post"),
    ],
)
def test_a_slug_only_a_hand_made_file_could_hold_is_made_into_one(
    import_wxr, client, post_name, post_type, slug
):
    """WordPress's slugs are letters, digits, "-" and "_"; a file with "/", "?"
    or ".." in one gave a post no address could reach, or a page whose link
    led to /admin/."""
    import_wxr(wxr([item(1, "A title", post_type, post_name=post_name)]))
    post = Post.get(Post.wp_id == 1)
    assert post.slug == slug
    assert client.get(post.url).status_code == 200


def test_excerpts_terms_and_authors(import_wxr, tmp_path):
    data = wxr(
        [
            item(
                1,
                excerpt="A short summary.",
                terms=[("category", "child", "Child"), ("post_tag", "tea", "Tea")],
                creator="bob",
            )
        ],
        categories=[(5, "top", "", "Top"), (6, "child", "top", "Child")],
        tags=[(7, "tea", "Tea")],
    )
    import_wxr(data, authors={"bob": "Bob Builder"})
    post = Post.get(Post.wp_id == 1)
    assert post.summary == "A short summary."
    assert "<p>A short summary.</p>" in post.summary_html
    assert post.author == "Bob Builder"
    assert [c.slug for c in Category.by_post([post.id])[post.id]] == ["child"]
    assert Category.get(Category.slug == "child").parent.slug == "top"


def test_a_post_without_an_excerpt_is_listed_with_the_start_of_its_text(
    import_wxr, client
):
    import_wxr(wxr([item(1, content="Tea &amp; biscuits.\n\nMore later.")]))
    home = client.get("/").get_data(as_text=True)
    assert '<div class="summary-text"><p>Tea &amp; biscuits. More later.</p>' in home


def test_comment_states_kinds_and_threads(import_wxr):
    comments = [
        comment(1, "1"),
        comment(2, "0", parent=1),
        comment(3, "spam"),
        comment(4, "trash"),
        comment(5, "1", kind="pingback"),
        comment(6, "1", kind="trackback"),
        comment(7, "1", parent=99),
    ]
    report = import_wxr(wxr([item(1, comments=comments)]))
    rows = {c.wp_id: c for c in Comment.select()}
    assert {k: c.status for k, c in rows.items()} == {
        1: "approved",
        2: "pending",
        3: "spam",
        4: "deleted",
        5: "approved",
        6: "approved",
        7: "approved",
    }
    assert rows[2].id in [c.id for c in Comment.pending()]
    assert rows[2].parent_id == rows[1].id and rows[2].depth == 1
    assert (rows[5].kind, rows[6].kind) == ("pingback", "trackback")
    assert rows[7].parent_id is None
    assert report.orphans == [
        "comment 7 on post 1: its parent 99 is not in the file; kept at the top level"
    ]
    assert report.states["spam"].imported == 1
    assert report.states["deleted"].found == 1


def test_imported_spam_and_trash_are_kept_their_retention_from_the_import(
    import_wxr,
):
    from blog.comments import actions

    comments = [
        comment(3, "spam", comment_author_url="javascript:alert(1)"),
        comment(4, "trash"),
    ]
    import_wxr(wxr([item(1, comments=comments)]))
    assert actions.purge(30) == 0  # posted in 2020, but received here just now
    rows = {c.wp_id: c for c in Comment.select()}
    assert rows[3].author_url == ""  # the form takes http and https only


def test_comments_of_skipped_items_are_listed_as_orphans(import_wxr):
    attachment = item(
        2, post_type="attachment", status="inherit", comments=[comment(8)]
    )
    report = import_wxr(wxr([attachment]))
    assert Comment.select().count() == 0
    assert report["comments"].found == 1
    assert report.orphans == ["comment 8 on attachment 2: its attachment was skipped"]


def test_replies_are_stored_after_their_parents_in_any_file_order(import_wxr):
    comments = [comment(3, parent=2), comment(2, parent=1), comment(1)]
    import_wxr(wxr([item(1, comments=comments)]))
    rows = {c.wp_id: c for c in Comment.select()}
    assert rows[3].parent_id == rows[2].id
    assert rows[3].thread_id == rows[1].id
    assert rows[3].depth == 2


def test_a_comment_with_an_xss_payload_is_neutralised(import_wxr, client):
    import_wxr(wxr([item(1, comments=[comment(1, comment_content=XSS)])]))
    html = Comment.get(Comment.wp_id == 1).body_html
    for bad in ("<script", "onerror", "javascript:", "onclick", "<img", "style="):
        assert bad not in html
    assert "<em>fine</em>" in html
    assert '<a href="https://example.org/" rel="nofollow ugc noopener">site</a>' in html


def test_links_made_in_an_imported_comment_keep_to_the_comment_schemes(import_wxr):
    body = "Ring callto:example.com, or ssh://example.com, or see example.org"
    import_wxr(wxr([item(1, comments=[comment(1, comment_content=body)])]))
    html = Comment.get(Comment.wp_id == 1).body_html
    assert 'href="callto:' not in html and 'href="ssh:' not in html
    assert '<a href="http://example.org" rel="nofollow ugc noopener">' in html


def test_a_moderators_edit_of_an_imported_comment_stays_html(import_wxr, app):
    """The body is WordPress's HTML: an edit rendered it as Markdown with raw
    HTML off, and readers saw the tags as text."""
    import_wxr(wxr([item(1, comments=[comment(1, comment_content="<em>Hi</em>")])]))
    imported = Comment.get(Comment.wp_id == 1)
    moderator = accounts.create_user("mo", "a long passphrase", Role.MODERATOR)
    settings = app.extensions["settings"].all()
    edited = '<em>Hi</em> again, <a href="https://example.org/">site</a>'
    body = f"{edited} <script>alert(1)</script> mail me@example.org"

    actions.edit(imported.id, moderator, body, settings)

    html = Comment.get_by_id(imported.id).body_html
    assert "<em>Hi</em> again" in html and "&lt;em&gt;" not in html
    assert '<a href="https://example.org/" rel="nofollow ugc noopener">' in html
    assert "<script" not in html and "me@example.org" not in html
    assert "[email hidden]" in html


def test_a_post_body_with_an_xss_payload_is_sanitized(import_wxr):
    import_wxr(wxr([item(1, content=XSS)]))
    html = Post.get(Post.wp_id == 1).body_html
    for bad in ("<script", "onerror", "javascript:", "onclick", "style="):
        assert bad not in html
    assert "<em>fine</em>" in html


def test_comment_privacy_runs_as_for_live_comments(import_wxr):
    body = "Call me on +46 70 123 45 67 or write to me@example.org"
    import_wxr(wxr([item(1, comments=[comment(1, comment_content=body)])]))
    stored = Comment.get(Comment.wp_id == 1)
    assert "[phone hidden]" in stored.body and "[email hidden]" in stored.body
    assert stored.author_email == "reader1@example.org"
    assert len(stored.email_hash) == 64
    assert stored.ip_prefix == "203.0.113.0/24"
    assert "203.0.113.77" not in stored.ip_hash


def test_an_address_split_by_html_is_masked_as_shown(import_wxr):
    body = "Write to me@<b>example</b>.org"
    import_wxr(wxr([item(1, comments=[comment(1, comment_content=body)])]))
    html = Comment.get(Comment.wp_id == 1).body_html
    assert "example" not in html and "[email hidden]" in html


def test_a_broken_file_imports_nothing_at_all(import_wxr):
    data = wxr([item(n, post_name=f"p-{n}") for n in range(1, 40)])
    report = import_wxr(data[: int(len(data) * 0.8)])
    assert not report.ok
    assert "ends too early" in report.format()
    assert "nothing was imported" in report.format()
    assert Post.select().count() == 0
    assert Redirect.select().count() == 0


def test_a_thread_deeper_than_the_site_allows_shows_at_the_deepest_level(
    import_wxr, client
):
    """WordPress keeps any depth and shows replies past its limit at the limit;
    a chain of hundreds of replies nested as deep made the page fail with 500."""
    chain = [comment(1)] + [comment(n, parent=n - 1) for n in range(2, 401)]
    import_wxr(wxr([item(1, post_name="deep", comments=chain)]))
    assert Comment.get(Comment.wp_id == 400).parent.wp_id == 399  # kept as it was
    response = client.get("/2020/05/01/deep/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="comment depth-') == 400
    assert "depth-4" in page and "depth-5" not in page  # thread_depth is 5
    assert page.index("Comment number 399.") < page.index("Comment number 400.")


def test_a_commenter_who_typed_an_email_as_name_is_not_published(import_wxr, client):
    """WordPress takes any name; ours refuses one holding a contact, since the
    name is shown to everyone. Imported, it showed the address on the page."""
    names = ["jane.doe@example.com", "Call Bob +46 70 123 45 67"]
    comments = [comment(n, comment_author=name) for n, name in enumerate(names, 1)]
    import_wxr(wxr([item(1, post_name="named", comments=comments)]))
    pages = [
        client.get("/2020/05/01/named/").get_data(as_text=True),
        client.get("/comments/feed/").get_data(as_text=True),
    ]
    for page in pages:
        assert "jane.doe" not in page and "123 45 67" not in page
        assert "[email hidden]" in page and "Call Bob [phone hidden]" in page


def test_items_and_comments_without_a_usable_id_are_all_imported(import_wxr):
    """A file made by another tool may leave IDs out: every such post or
    comment was taken for the first one ("before") and dropped; an ID past
    64 bits stopped the import with a traceback."""
    no_ids = [comment("", comment_content=f"Comment {n}") for n in (1, 2)]
    report = import_wxr(
        wxr(
            [
                item("", "First", post_name="first", comments=no_ids),
                item("", "Second", post_name="second"),
                item(10**30, "Huge", post_name="huge", comments=[comment(10**30)]),
            ]
        )
    )
    assert report.ok, report.format()
    assert Post.select().count() == 3 and Comment.select().count() == 3
    assert report["posts"].imported == 3 and report["comments"].imported == 3
    assert Post.select().where(Post.wp_id.is_null(False)).count() == 0


def test_a_term_slug_only_a_hand_made_file_could_hold_is_made_into_one(
    import_wxr, client
):
    report = import_wxr(
        wxr(
            [item(1, terms=[("category", "a%2Fb", "A/B"), ("post_tag", "..", "Dots")])],
            categories=[(10**30, "a%2Fb", "", "A/B")],
            tags=[(7, "..", "Dots")],
        )
    )
    assert report.ok, report.format()
    assert Category.get().slug == "a-b"
    assert client.get("/category/a-b/").status_code == 200
    from blog.term_models import Tag

    assert Tag.get().slug == "dots"
    assert client.get("/tag/dots/").status_code == 200
