import datetime
import os
import shutil

import pytest

from blog import accounts, content, content_export, editing
from blog.models import Post, PostStatus, Role
from blog.term_models import Category, Tag
from tests.conftest import shared_data

SITE_URL = "https://blog.example"


def snapshot():
    """Every stored field that a sync or export could change."""
    rows = {}
    for post in Post.select().order_by(Post.id):
        tags = sorted(t.name for t in Tag.by_post([post.id])[post.id])
        categories = sorted(c.name for c in Category.by_post([post.id])[post.id])
        rows[post.source_path] = (
            post.kind,
            post.title,
            post.slug,
            post.date,
            post.updated,
            post.author,
            post.status,
            post.summary,
            post.body.strip(),
            post.body_html,
            post.template,
            post.nav_order,
            post.comments_open,
            tuple(tags),
            tuple(categories),
        )
    return rows


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_content_imports_posts_pages_and_taxonomies(app, content_dir):
    report = content.sync(content_dir)
    assert report.errors == []
    assert Post.select().where(Post.kind == "post").count() >= 12
    about = Post.get((Post.kind == "page") & (Post.slug == "about"))
    assert about.nav_order == 1 and about.url == "/about/"
    assert Post.select().where(Post.status == PostStatus.DRAFT).count() >= 1
    assert Tag.select().count() >= 8 and Category.select().count() >= 3


def test_second_sync_changes_nothing(app, content_dir):
    content.sync(content_dir)
    before = snapshot()
    report = content.sync(content_dir)
    assert report.changed == [] and report.unchanged == len(before)
    assert snapshot() == before


def test_changed_file_is_reimported_and_others_are_not(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2024-01-02-one.md", "---\ntitle: One\ntags: [a]\n---\nFirst.")
    write(folder, "posts/2024-01-03-two.md", "---\ntitle: Two\n---\nSecond.")
    content.sync(folder)
    write(folder, "posts/2024-01-02-one.md", "---\ntitle: One!\ntags: [b]\n---\nNew.")
    report = content.sync(folder)
    one = Post.get(Post.slug == "one")
    assert report.updated == [one.id] and report.added == [] and report.unchanged == 1
    assert one.title == "One!" and "New." in one.body_html and one.version == 2
    assert [t.name for t in Tag.by_post([one.id])[one.id]] == ["b"]


def test_vanished_file_unpublishes_but_keeps_the_post(app, tmp_path):
    folder = tmp_path / "c"
    path = write(folder, "posts/2024-01-02-one.md", "---\ntitle: One\n---\nText")
    content.sync(folder)
    path.unlink()
    report = content.sync(folder)
    post = Post.get(Post.slug == "one")
    assert report.unpublished == [post.id]
    assert post.status == PostStatus.UNPUBLISHED
    write(folder, "posts/2024-01-02-one.md", "---\ntitle: One\n---\nText")
    assert content.sync(folder).updated == [post.id]
    assert Post.get_by_id(post.id).status == PostStatus.PUBLISHED


def test_a_moved_or_renamed_file_keeps_its_post_and_address(app, tmp_path):
    folder = tmp_path / "c"
    one = write(folder, "posts/2024-01-02-one.md", "---\ntitle: One\n---\nText")
    two = write(
        folder,
        "posts/draft.md",
        "---\ntitle: Two\nslug: two\ndate: 2024-01-03\n---\nText",
    )
    content.sync(folder)
    ids = {post.slug: post.id for post in Post.select()}
    (folder / "posts/2024").mkdir()
    one.rename(folder / "posts/2024/2024-01-02-one.md")
    two.rename(folder / "posts/2024-01-03-final-name.md")
    report = content.sync(folder)
    # It was: two new posts at one-2/ and two-2/, the old addresses 410 Gone.
    assert report.unpublished == [] and report.added == []
    assert sorted(report.updated) == sorted(ids.values())
    moved = {post.slug: (post.id, post.source_path, post.status) for post in Post}
    assert moved == {
        "one": (ids["one"], "posts/2024/2024-01-02-one.md", PostStatus.PUBLISHED),
        "two": (ids["two"], "posts/2024-01-03-final-name.md", PostStatus.PUBLISHED),
    }
    assert content.sync(folder).changed == []


def test_a_moved_folder_of_posts_sharing_a_slug_keeps_every_post(app, tmp_path):
    """The Rust blog has a dozen "compiler-team-meeting" posts: moved together,
    all but the first became new posts at new addresses, the old ones 410."""
    folder = tmp_path / "c"
    for day in ("15", "21", "30"):
        write(folder, f"inside/2019-10-{day}-meeting.md", f"---\ntitle: M{day}\n---\n")
    content.sync(folder)
    before = {post.source_path: (post.id, post.slug) for post in Post.select()}
    (folder / "archive").mkdir()
    (folder / "inside").rename(folder / "archive/inside")
    report = content.sync(folder)
    assert report.unpublished == [] and report.added == []
    after = {post.source_path: (post.id, post.slug) for post in Post.select()}
    assert after == {f"archive/{path}": kept for path, kept in before.items()}
    assert content.sync(folder).changed == []


def test_an_edited_post_keeps_its_numbered_slug_when_a_lower_one_frees_up(
    app, tmp_path
):
    folder = tmp_path / "c"
    for day in ("15", "21", "30"):
        write(folder, f"2019-10-{day}-meeting.md", f"---\ntitle: M{day}\n---\n")
    content.sync(folder)
    assert Post.get(Post.title == "M30").slug == "meeting-3"
    write(folder, "2019-10-21-meeting.md", "---\ntitle: M21\nslug: retro\n---\n")
    write(folder, "2019-10-30-meeting.md", "---\ntitle: M30, edited\n---\n")
    content.sync(folder)
    assert Post.get(Post.title == "M30, edited").slug == "meeting-3"  # same URL


def test_a_new_slug_or_date_in_the_front_matter_keeps_the_old_address(
    app, client, tmp_path
):
    """The dashboard keeps a 301 from a public post's old address; a synced
    file's new slug or date left the old one answering 404."""
    folder = tmp_path / "c"
    path = write(folder, "2014-10-30-stability.md", "---\ntitle: Stable\n---\nText")
    content.sync(folder)
    path.write_text("---\ntitle: Stable\nslug: promise\ndate: 2014-10-31\n---\nText")
    content.sync(folder)
    moved = client.get("/2014/10/30/stability/")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/2014/10/31/promise/")


@pytest.mark.parametrize(
    "name, raw, reason",
    [
        (
            "posts/2024-01-01-bad-yaml.md",
            b"---\ntitle: [unclosed\n---\nx",
            "front matter",
        ),
        (
            "posts/2024-01-01-latin1.md",
            "---\ntitle: caf\xe9\n---\n".encode("latin-1"),
            "UTF-8",
        ),
        ("posts/no-date.md", b"---\ntitle: Undated\n---\nx", "no date"),
        ("posts/2024-01-01-no-title.md", b"---\nauthor: x\n---\nx", "no title"),
        ("posts/2024-01-01-odd.md", b"---\ntitle: x\nstatus: maybe\n---\n", "status"),
        ("posts/2024-01-01-when.md", b"---\ntitle: x\ndate: someday\n---\n", "date"),
        ("pages/search.md", b"---\ntitle: Search\n---\nx", "reserved"),
        ("pages/2024.md", b"---\ntitle: The year\n---\nx", "reserved"),
        ("posts/2024-01-01-list.md", b"- just\n- a list\n", "no front matter"),
        ("pages/say.md", b"---\ntitle: x\ncomments: maybe\n---\n", "comments"),
        # Both were "front matter has no title".
        ("pages/toml.md", b'+++\ntitle = "x"\n+++\nx', "TOML front matter"),
        ("pages/seq.md", b"---\n- title\n- x\n---\nx", "not a mapping"),
        # Each of these used to stop the whole sync with a traceback (the NUL
        # on PostgreSQL; SQLite stored it).
        ("posts/2024-01-01-nul.md", b"---\ntitle: x\n---\n\nbo\x00dy", "line 5"),
        ("posts/month-13.md", b"---\ntitle: x\ndate: 2024-13-45\n---\n", "month"),
        ("posts/open.md", b"---\ntitle: x\n\nbody", "no closing --- line"),
        ("pages/first.md", b"---\ntitle: x\norder: first\n---\n", "order"),
        ("pages/far.md", b"---\ntitle: x\norder: 99999999999999999999\n---\n", "order"),
        (
            "posts/end-of-time.md",
            b"---\ntitle: x\ndate: 9999-12-31T23:00:00-05:00\n---\n",
            "out of range",
        ),
    ],
)
def test_bad_file_is_reported_and_the_rest_imports(app, tmp_path, name, raw, reason):
    folder = tmp_path / "c"
    write(folder, "posts/2024-01-02-good.md", "---\ntitle: Good\n---\nFine.")
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(raw)
    report = content.sync(folder)
    assert len(report.errors) == 1
    path, message = report.errors[0]
    assert path == name and reason in message
    assert Post.select().count() == 1 and Post.get().slug == "good"


def test_a_file_that_cannot_be_read_is_reported_and_the_rest_imports(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2024-01-02-good.md", "---\ntitle: Good\n---\nFine.")
    # Emacs locks a file it edits with a dangling symlink named like it.
    (folder / "posts/.#2024-01-02-good.md").symlink_to("ann@host.4242:1700000000")
    report = content.sync(folder)
    [(path, message)] = report.errors
    assert path == "posts/.#2024-01-02-good.md" and "No such file" in message
    assert Post.select().count() == 1 and Post.get().slug == "good"


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_imports(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2024-01-02-good.md", "---\ntitle: Good\n---\nFine.")
    latin1 = os.fsencode(folder / "posts") + b"/2024-01-03-caf\xe9.md"
    with open(latin1, "wb") as handle:
        handle.write(b"---\ntitle: Cafe\n---\nx")
    report = content.sync(folder)
    [(path, message)] = report.errors
    assert path == os.fsdecode(b"posts/2024-01-03-caf\xe9.md")
    assert "not UTF-8" in message
    assert Post.select().count() == 1 and Post.get().slug == "good"


def test_dates_and_slugs_come_from_the_file_name(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2015-05-15-Rust-1.0.md", "---\ntitle: Announcing\n---\nx")
    write(folder, "posts/2014-09-15-Rust-1.0.md", "---\ntitle: Road\n---\nx")
    content.sync(folder)
    first, second = Post.select().order_by(Post.date)
    assert first.date == datetime.datetime(2014, 9, 15)
    assert {first.slug, second.slug} == {"rust-1-0", "rust-1-0-2"}


def test_front_matter_dates_use_the_site_time_zone(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/x.md", "---\ntitle: X\ndate: 2024-06-23 09:30:00\n---\nx")
    write(folder, "posts/y.md", "---\ntitle: Y\ndate: 2024-06-23T09:30:00+00:00\n---\n")
    content.sync(folder, "Europe/Paris")
    assert Post.get(Post.slug == "x").date == datetime.datetime(2024, 6, 23, 7, 30)
    assert Post.get(Post.slug == "y").date == datetime.datetime(2024, 6, 23, 9, 30)


def test_future_date_is_scheduled(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2999-01-01-later.md", "---\ntitle: Later\n---\nx")
    content.sync(folder)
    assert Post.published().count() == 0
    assert Post.next_scheduled() == datetime.datetime(2999, 1, 1)


def test_relative_media_links_point_at_media_urls(app, content_dir):
    content.sync(content_dir)
    post = Post.get(Post.body.contains("../media/request-flow.svg"))
    assert 'src="/media/request-flow.svg"' in post.body_html


def test_export_then_sync_changes_nothing(app, content_dir, tmp_path):
    content.sync(content_dir, "Europe/Paris")
    before = snapshot()
    exported = tmp_path / "exported"
    assert content_export.export(exported, "Europe/Paris", site_url=SITE_URL) == len(
        before
    )
    report = content.sync(exported, "Europe/Paris")
    assert report.errors == [] and report.unpublished == []
    assert snapshot() == before
    again = tmp_path / "again"
    content_export.export(again, "Europe/Paris", site_url=SITE_URL)
    for path in exported.rglob("*.md"):
        assert (again / path.relative_to(exported)).read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2024, 11, 3, 5, 30),  # 01:30 EDT, the first 01:30
        datetime.datetime(2024, 11, 3, 6, 30),  # 01:30 EST, an hour later
        datetime.datetime(2024, 3, 10, 7, 30),  # 03:30 EDT, after the gap
    ],
)
def test_export_keeps_a_date_in_the_hour_clocks_repeat(app, tmp_path, moment):
    from tests.factories import make_post

    make_post(slug="fall-back", date=moment, updated=moment)
    content_export.export(tmp_path / "out", "America/New_York", site_url=SITE_URL)
    Post.delete().execute()
    content.sync(tmp_path / "out", "America/New_York")
    synced = Post.get(Post.slug == "fall-back")
    assert (synced.date, synced.updated) == (moment, moment)


def test_posts_without_a_file_are_exported_too(app, tmp_path):
    from tests.factories import make_post

    make_post(
        title="Written online",
        body="Body *here*",
        tags=["web"],
        slug="online",
        date=datetime.datetime(2024, 1, 2, 8, 0),
    )
    content_export.export(tmp_path / "out", site_url=SITE_URL)
    text = (tmp_path / "out" / "posts" / "2024-01-02-online.md").read_text()
    assert "title: Written online" in text and "Body *here*" in text and "- web" in text
    # Synced back, the file is that post's, not a second post at online-2/.
    before = snapshot()
    report = content.sync(tmp_path / "out")
    assert report.added == [] and report.errors == []
    assert list(snapshot().values()) == list(before.values())
    assert Post.get().source_path == "posts/2024-01-02-online.md"
    assert content.sync(tmp_path / "out").changed == []


def test_comments_false_closes_comments_quoted_or_not(app, tmp_path):
    folder = tmp_path / "c"
    values = {"plain": "false", "quoted": '"false"', "no": "'no'", "zero": "0"}
    values["open"] = "true"
    for slug, value in values.items():
        text = f"---\ntitle: x\ncomments: {value}\n---\n"
        write(folder, f"posts/2024-01-02-{slug}.md", text)
    assert content.sync(folder).errors == []
    # A quoted "false" is a string, and bool("false") had left comments open.
    assert {post.slug: post.comments_open for post in Post} == {
        "plain": False,
        "quoted": False,
        "no": False,
        "zero": False,
        "open": True,
    }


def test_draft_true_keeps_a_post_from_being_published(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2024-01-02-a.md", "---\ntitle: A\ndraft: true\n---\n")
    both = "---\ntitle: B\nstatus: published\ndraft: yes\n---\n"
    write(folder, "posts/2024-01-02-b.md", both)
    write(folder, "posts/2024-01-02-c.md", "---\ntitle: C\ndraft: false\n---\n")
    assert content.sync(folder).errors == []
    # The draft flag was ignored: a post its author marked a draft went public.
    assert {post.slug: post.status for post in Post} == {
        "a": PostStatus.DRAFT,
        "b": PostStatus.DRAFT,
        "c": PostStatus.PUBLISHED,
    }


def test_a_post_closed_to_comments_stays_closed_through_export(app, tmp_path):
    from tests.factories import make_post

    # Dated outright: the factory's default date moves with every post made before.
    make_post(slug="closed", comments_open=False, date=datetime.datetime(2024, 1, 1))
    content_export.export(tmp_path / "out", site_url=SITE_URL)
    text = (tmp_path / "out" / "posts" / "2024-01-01-closed.md").read_text()
    assert "comments: false" in text
    Post.delete().execute()
    content.sync(tmp_path / "out")
    assert Post.get(Post.slug == "closed").comments_open is False


def test_every_rust_blog_post_syncs(app, tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(shared_data("markdown/rust-blog"), folder / "posts")
    report = content.sync(folder)
    assert report.errors == []
    assert len(report.added) == 584 == Post.select().count()
    assert Post.select().where(Post.body_html == "").count() == 0
    assert Post.select().where(Post.body_html.contains("<script")).count() == 0


def test_a_long_tag_gets_the_same_short_slug_from_a_file_and_the_dashboard(
    app, tmp_path
):
    # 100 characters, each transliterated to a syllable: a slug far past 120.
    name = "日本" * 50
    folder = tmp_path / "c"
    write(
        folder,
        "posts/2024-01-02-x.md",
        f"---\ntitle: X\ntags: [{name}]\ncategories: [{name}]\n---\nx",
    )
    report = content.sync(folder)
    assert not report.errors, report.errors
    (tag,) = Tag.select()
    (category,) = Category.select()
    assert tag.name == name and 0 < len(tag.slug) <= Tag.slug.max_length
    assert category.slug == tag.slug
    editor = accounts.create_user("ed", "a long enough password", Role.EDITOR)
    draft = editing.Draft(title="Y", body="y", tags=[name], categories=[name])
    editing.save(draft, "publish", editor)
    assert [t.id for t in Tag.select()] == [tag.id]
    assert [c.id for c in Category.select()] == [category.id]
