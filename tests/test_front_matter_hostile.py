"""Front matter written by hand, wrongly: each file reported, the others imported."""

import pytest

from blog import content, db, markup
from blog.models import Post, PostStatus
from blog.term_models import Tag
from tests.factories import make_post
from tests.test_content import write

GOOD = "---\ntitle: Good\n---\nFine."


def sync_one(folder, front: str, body: str = "Body."):
    """Sync a good file and one with this front matter; the report and the post."""
    write(folder, "posts/2024-01-01-good.md", GOOD)
    write(folder, "posts/2024-02-02-odd.md", f"---\n{front}\n---\n{body}")
    report = content.sync(folder)
    assert Post.get_or_none(Post.slug == "good") is not None
    return report, Post.get_or_none(Post.slug == "odd")


def only_error(report) -> str:
    [(path, message)] = report.errors
    assert path == "posts/2024-02-02-odd.md"
    return message


@pytest.mark.parametrize(
    "front, words",
    [
        ("title: [a, b]", "title: a list is not text"),
        ("title: {a: 1}", "title: a mapping is not text"),
        ("title: yes", "title: YAML reads yes, no, on, off, true and false"),
        ("title: off", "not text: put it in quotes"),
        ("title: null", "front matter has no title"),
        ("Title: Odd", "keys are lower case (title:, not Title:)"),
        ("title: Fine\nslug: [a, b]", "slug: a list is not text"),
        ("title: Fine\nauthor: [Ann, Bob]", "author: a list is not text"),
        ("title: Fine\nsummary: {a: 1}", "summary: a mapping is not text"),
        ("title: Fine\ntemplate: [a]", "template: a list is not text"),
        ("title: Fine\ntags: [[a, b], c]", "tags: a list is not a name"),
        ("title: Fine\ntags: [on]", "tags: YAML reads yes, no, on, off"),
        ("title: Fine\ncategory: [{a: 1}]", "categories: a mapping is not a name"),
        ("title: Fine\ndate: 2024-02-30", "a date that does not exist"),
        ("title: Fine\ndate: 03/03/2024", "'03/03/2024' is not a date (write 2024-"),
        ("title: Fine\ndate: [2024-01-01]", "date: a list is not a date (write"),
        ("title: Fine\nupdated: yes", "updated: a yes/no value is not a date"),
    ],
)
def test_a_value_of_the_wrong_kind_is_the_file_error(app, tmp_path, front, words):
    report, post = sync_one(tmp_path / "c", front)
    assert words in only_error(report) and post is None


@pytest.mark.parametrize(
    "front, title",
    [("title: 2024", "2024"), ("title: 2024-01-05", "2024-01-05"), ("title: 0", "0")],
)
def test_a_number_or_date_as_title_is_taken_as_written(app, tmp_path, front, title):
    report, post = sync_one(tmp_path / "c", front)
    assert report.errors == [] and post.title == title


@pytest.mark.parametrize(
    "tags, names",
    [
        ("python, web", ["python", "web"]),
        ("[python, web]", ["python", "web"]),
        ("[1, 2.5]", ["1", "2.5"]),
        ("[null, a, '']", ["a"]),
    ],
)
def test_tags_as_text_or_list_of_scalars(app, tmp_path, tags, names):
    report, post = sync_one(tmp_path / "c", f"title: T\ntags: {tags}")
    assert report.errors == []
    assert sorted(t.name for t in Tag.by_post([post.id])[post.id]) == names


@pytest.mark.parametrize(
    "front, words",
    [
        (f"title: {'T' * 301}", "title: at most 300 characters"),
        (f"title: T\nauthor: {'A' * 121}", "author: at most 120 characters"),
        (f"title: T\ntags: [{'x' * 101}]", "tags: at most 100 characters a name"),
        (f"title: T\nslug: {'s' * 201}", "slug: at most 200 characters"),
        (f"title: T\ntemplate: {'t' * 101}", "template: at most 100 characters"),
    ],
)
def test_what_a_column_cannot_hold_is_the_file_error(app, tmp_path, front, words):
    """PostgreSQL refused the whole sync's transaction for one such file."""
    report, post = sync_one(tmp_path / "c", front)
    assert words in only_error(report) and post is None


@pytest.mark.parametrize(
    "raw, words",
    [
        ('---\ntitle: "open\n---\nx', "line 2: while scanning a quoted scalar"),
        ("\n\n---\ntitle: x\ntags: [a\n---\nx", "line 5: while parsing a flow"),
        ("---\ntitle: x\nauthor: a: b\n---\nx", "line 3: mapping values are not"),
    ],
)
def test_bad_yaml_names_its_line(app, tmp_path, raw, words):
    write(tmp_path / "c", "posts/2024-02-02-odd.md", raw)
    assert words in only_error(content.sync(tmp_path / "c"))


def test_unknown_keys_are_imported_with_a_warning(app, tmp_path):
    report, post = sync_one(tmp_path / "c", "title: T\ntag: oops\ntilte: x")
    assert report.errors == [] and post.title == "T"
    assert report.warnings == [
        ("posts/2024-02-02-odd.md", "unknown keys ignored: tag, tilte")
    ]


def test_a_taken_slug_is_told_and_the_first_keeps_its_address(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2024-05-01-a.md", "---\ntitle: A\nslug: dup\n---\nA.")
    write(folder, "posts/2024-05-02-b.md", "---\ntitle: B\nslug: dup\n---\nB.")
    report = content.sync(folder)
    assert report.warnings == [
        (
            "posts/2024-05-02-b.md",
            "the slug 'dup' belongs to posts/2024-05-01-a.md: this post is at 'dup-2'",
        )
    ]
    first = Post.get(Post.title == "A").url
    write(folder, "posts/2024-04-01-c.md", "---\ntitle: C\nslug: dup\n---\nC.")
    write(folder, "posts/2024-05-01-a.md", "---\ntitle: A!\nslug: dup\n---\nA.")
    report = content.sync(folder)
    assert Post.get(Post.title == "A!").url == first
    assert [path for path, _ in report.warnings] == ["posts/2024-04-01-c.md"]


def test_a_slug_held_by_a_dashboard_post_is_told(app, tmp_path):
    make_post(slug="dup")
    write(tmp_path / "c", "posts/2024-05-02-b.md", "---\ntitle: B\nslug: dup\n---\nB.")
    [(path, message)] = content.sync(tmp_path / "c").warnings
    assert message == (
        "the slug 'dup' belongs to a dashboard post: this post is at 'dup-2'"
    )


def test_a_future_date_is_told(app, tmp_path):
    """A typo in the year (2204) would take a public post down without a word."""
    folder = tmp_path / "c"
    write(folder, "posts/2024-05-01-a.md", "---\ntitle: A\n---\nA.")
    write(folder, "posts/2024-05-02-b.md", "---\ntitle: B\ndate: 2999-01-01\n---\n")
    assert content.sync(folder).warnings == [
        (
            "posts/2024-05-02-b.md",
            "dated 2999-01-01 00:00 UTC, in the future: hidden until then",
        )
    ]
    write(folder, "posts/2024-05-01-a.md", "---\ntitle: A\ndate: 2204-05-01\n---\n")
    assert content.sync(folder).warnings == [
        (
            "posts/2024-05-01-a.md",
            "dated 2204-05-01 00:00 UTC, in the future: taken down until then",
        )
    ]


def test_a_bad_edit_leaves_the_published_post_as_it_was(app, tmp_path):
    folder = tmp_path / "c"
    write(folder, "posts/2024-05-01-a.md", "---\ntitle: A\ntags: [x]\n---\nA.")
    content.sync(folder)
    before = Post.get(Post.slug == "a")
    write(folder, "posts/2024-05-01-a.md", "---\ntitle: [A]\ntags: [x]\n---\nA2.")
    assert len(content.sync(folder).errors) == 1
    after = Post.get(Post.slug == "a")
    assert (after.url, after.status, after.body) == (
        before.url,
        PostStatus.PUBLISHED,
        before.body,
    )


def test_files_are_rendered_before_the_write_lock_is_taken(app, tmp_path, monkeypatch):
    """A 20 MB file took 20 s to render, and no comment could be saved meanwhile."""
    render = markup.render_post
    locked = []

    def watched(*args, **kwargs):
        locked.append(db.database.in_transaction())
        return render(*args, **kwargs)

    monkeypatch.setattr(markup, "render_post", watched)
    write(tmp_path / "c", "posts/2024-01-01-good.md", GOOD)
    write(tmp_path / "c", "posts/2024-01-02-also.md", GOOD)
    assert len(content.sync(tmp_path / "c").added) == 2
    assert locked == [False, False]
