import datetime
import re

import pytest
from slugify import slugify

from blog import content, content_export, editing
from blog.models import AuditEntry, Post, PostStatus, utcnow
from blog.term_models import Tag
from tests.admin.conftest import Browser
from tests.factories import make_post
from tests.queries import statements


def _form(**changes) -> dict:
    form = {
        "title": "Notes on caching",
        "slug": "",
        "body": "Some *Markdown* text.",
        "summary": "",
        "author": "Ada",
        "tags": "cache, http",
        "categories": "Operations",
        "date": "",
        "comments_open": "on",
        "action": "save",
    }
    form.update(changes)
    return form


def _create(browser, section="posts", **changes):
    return browser.post(
        f"/admin/{section}/new", _form(**changes), page=f"/admin/{section}/new"
    )


def _editor_version(browser, post) -> str:
    page = browser.get(f"/admin/{post.kind}s/{post.id}/").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _save(browser, post, version=None, **changes):
    version = version or _editor_version(browser, post)
    path = f"/admin/{post.kind}s/{post.id}/"
    changes = {"title": post.title, "slug": post.slug, **changes}
    return browser.post(path, _form(version=version, **changes), page=path)


@pytest.fixture
def editor(browser_for) -> Browser:
    return browser_for("editor")


def test_save_draft_makes_a_slug_from_the_title(editor):
    response = _create(editor)
    post = Post.get(Post.title == "Notes on caching")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/posts/{post.id}/"
    assert post.slug == "notes-on-caching"
    assert post.status == PostStatus.DRAFT
    assert "<em>Markdown</em>" in post.body_html
    assert sorted(t.name for t in Tag.by_post([post.id])[post.id]) == ["cache", "http"]
    entry = AuditEntry.get(AuditEntry.action == "post.create")
    assert (entry.actor, entry.object_id, entry.to_state) == (
        "editor",
        post.id,
        "draft",
    )


def test_publish_shows_the_post_to_readers(app, editor):
    reader = app.test_client()
    assert "Notes on caching" not in reader.get("/").get_data(as_text=True)
    _create(editor, action="publish")
    post = Post.get(Post.title == "Notes on caching")
    assert post.status == PostStatus.PUBLISHED
    assert reader.get(post.url).status_code == 200
    # The home page was cached before: publishing made every worker render it afresh.
    assert "Notes on caching" in reader.get("/").get_data(as_text=True)


@pytest.mark.parametrize("field", ["title", "body", "tags"])
def test_a_nul_in_the_editor_is_refused_with_400(editor, field):
    response = _create(editor, **{field: "Notes\x00 on caching"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert Post.select().count() == 0


@pytest.mark.parametrize(
    ("summary", "shown"),
    [("", "<p>Some Markdown text.</p>"), ("The *gist*.", "<p>The <em>gist</em>.</p>")],
)
def test_lists_show_the_summary_or_the_start_of_the_text(app, editor, summary, shown):
    # As a synced post's: "the start of the text when absent".
    _create(editor, action="publish", summary=summary)
    home = app.test_client().get("/").get_data(as_text=True)
    assert f'<div class="summary-text">{shown}' in home


@pytest.mark.parametrize("title", ["   ", "\u3000", "\u200b\u200b", "\u200d \ufeff"])
def test_a_title_a_page_shows_as_nothing_is_refused(editor, title):
    response = _create(editor, title=title, slug="given", body="My text")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "a post needs a title" in page
    assert "My text" in page
    assert not Post.select().exists()


def test_a_future_date_schedules_the_post(app, editor):
    when = (utcnow() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    _create(editor, action="publish", date=when)
    post = Post.get(Post.title == "Notes on caching")
    assert editing.state(post) == "scheduled"
    assert app.test_client().get(post.url).status_code == 404
    listing = editor.get("/admin/posts/?status=scheduled").get_data(as_text=True)
    assert "Notes on caching" in listing


def test_a_draft_saved_without_a_date_is_dated_when_published(editor):
    _create(editor)
    post = Post.get(Post.title == "Notes on caching")
    two_days_ago = post.created_at - datetime.timedelta(days=2)
    Post.update(created_at=two_days_ago, date=two_days_ago).execute()
    page = editor.get(f"/admin/posts/{post.id}/").get_data(as_text=True)
    assert 'name="date" type="datetime-local" value=""' in page
    _save(editor, post, body="Still writing.")  # a draft again: still undated
    assert Post.get_by_id(post.id).date == two_days_ago
    before = utcnow().replace(second=0, microsecond=0)
    _save(editor, post, action="publish")
    assert Post.get_by_id(post.id).date >= before


def test_a_draft_given_a_date_keeps_it_when_published(editor):
    _create(editor, date="2024-06-01T12:00")
    post = Post.get(Post.title == "Notes on caching")
    page = editor.get(f"/admin/posts/{post.id}/").get_data(as_text=True)
    assert 'value="2024-06-01T12:00"' in page
    _save(editor, post, action="publish", date="2024-06-01T12:00")
    assert Post.get_by_id(post.id).date == datetime.datetime(2024, 6, 1, 12, 0)


def test_dates_are_read_in_the_site_time_zone(app, editor):
    app.extensions["settings"].set("timezone", "Europe/Berlin")
    _create(editor, date="2024-06-01T12:00")
    post = Post.get(Post.title == "Notes on caching")
    assert post.date == datetime.datetime(2024, 6, 1, 10, 0)


def test_a_slug_taken_while_saving_is_refused_beside_the_field(
    app, editor, monkeypatch
):
    """Another editor's post takes the address between the check and the save."""
    check = editing._slug

    def checked_then_taken(draft, post_id):
        slug = check(draft, post_id)
        make_post(title="Saved a moment earlier", slug=slug)
        return slug

    monkeypatch.setattr(editing, "_slug", checked_then_taken)
    response = _create(editor, body="Text worth keeping.")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="slug-error"' in page and "Text worth keeping." in page
    assert Post.select().count() == 1


def test_a_time_the_clocks_skip_is_refused_beside_the_field(app, editor):
    # Berlin goes from 02:00 to 03:00 on 31 March 2030: 02:30 is no moment.
    app.extensions["settings"].set("timezone", "Europe/Berlin")
    response = _create(editor, action="publish", date="2030-03-31T02:30")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="date-error"' in page and "clocks go forward" in page
    assert Post.select().count() == 0


@pytest.mark.parametrize(
    "stored",
    [
        # 02:30 of the second pass through the hour clocks go back in Berlin.
        datetime.datetime(2030, 10, 27, 1, 30),
        # A synced post's seconds, which the minute field does not show.
        datetime.datetime(2024, 6, 1, 10, 0, 30),
    ],
)
def test_saving_with_the_date_as_shown_keeps_the_stored_date(app, editor, stored):
    app.extensions["settings"].set("timezone", "Europe/Berlin")
    post = make_post(title="Dated", date=stored)
    page = editor.get(f"/admin/posts/{post.id}/").get_data(as_text=True)
    shown = re.search(r'name="date" type="datetime-local" value="([^"]*)"', page)
    response = _save(editor, post, body="A typo fixed.", date=shown.group(1))
    assert response.status_code == 302
    assert Post.get_by_id(post.id).date == stored


@pytest.mark.parametrize(
    "date, zone",
    [("0001-01-01T00:30", "Europe/Berlin"), ("9999-12-31T23:30", "America/New_York")],
)
def test_a_date_past_the_calendar_in_utc_is_refused_beside_the_field(
    app, editor, date, zone
):
    app.extensions["settings"].set("timezone", zone)
    response = _create(editor, date=date)
    assert response.status_code == 400
    assert 'id="date-error"' in response.get_data(as_text=True)


def test_unpublish_answers_410_and_trash_and_restore(app, editor):
    post = make_post(title="Old news")
    reader = app.test_client()
    assert reader.get(post.url).status_code == 200
    assert _save(editor, post, action="unpublish").status_code == 302
    assert reader.get(post.url).status_code == 410
    _save(editor, post, action="trash")
    assert Post.get_by_id(post.id).status == PostStatus.TRASH
    _save(editor, post, action="restore")
    assert Post.get_by_id(post.id).status == PostStatus.DRAFT
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions == ["post.unpublish", "post.trash", "post.restore"]


def test_unpublishing_a_scheduled_post_makes_it_a_draft_not_gone(app, editor):
    # It was never public: 410 "taken down" would tell readers it exists.
    when = utcnow().replace(microsecond=0) + datetime.timedelta(days=3)
    post = make_post(title="Coming soon", date=when)
    response = _save(editor, post, action="unpublish")
    assert response.status_code == 302
    saved = Post.get_by_id(post.id)
    assert (saved.status, saved.date) == (PostStatus.DRAFT, when)
    assert app.test_client().get(post.url).status_code == 404
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "410" not in page


@pytest.mark.parametrize("kind", ["post", "page"])
def test_a_new_slug_leaves_the_old_address_answering_301(app, editor, kind):
    post = make_post(kind=kind, title="Old name", slug="old-name")
    draft = make_post(kind=kind, status=PostStatus.DRAFT, slug="draft-name")
    old, never_public = post.url, draft.url
    assert _save(editor, post, slug="new-name").status_code == 302
    assert _save(editor, draft, slug="other-name").status_code == 302
    reader = app.test_client()
    response = reader.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == Post.get_by_id(post.id).url
    assert reader.get(never_public).status_code == 404


@pytest.mark.parametrize("kind", ["post", "page"])
@pytest.mark.parametrize(
    "change", [{"action": "draft"}, {"action": "publish", "date": "2099-01-01T09:00"}]
)
def test_an_old_address_does_not_tell_the_new_one_of_a_hidden_post(
    app, editor, kind, change
):
    post = make_post(kind=kind, title="Old name", slug="old-name")
    old = post.url
    assert _save(editor, post, slug="secret-plans").status_code == 302
    assert _save(editor, post, slug="secret-plans", **change).status_code == 302
    response = app.test_client().get(old)
    assert response.status_code == 404
    assert "secret-plans" not in response.headers.get("Location", "")


def test_unpublish_refuses_a_draft(editor):
    post = make_post(status=PostStatus.DRAFT)
    response = _save(editor, post, action="unpublish")
    assert response.status_code == 400
    assert "cannot unpublish" in response.get_data(as_text=True)


def test_the_second_of_two_editors_is_refused(browser_for):
    first, second = browser_for("editor"), browser_for("admin")
    post = make_post(title="Shared")
    version = _editor_version(first, post)
    assert _editor_version(second, post) == version
    assert _save(first, post, version, title="First wins").status_code == 302
    response = _save(second, post, version, title="Second loses", body="My text")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "someone else saved this post after you opened it" in page
    assert "My text" in page  # the second editor's work is not thrown away
    stored = Post.get_by_id(post.id)
    assert stored.title == "First wins"
    assert stored.version == int(version) + 1


@pytest.mark.parametrize("bad_version", ["²", "9" * 30])
def test_a_version_that_is_no_number_is_a_conflict_not_a_500(editor, bad_version):
    post = make_post(title="Shared")
    response = _save(editor, post, bad_version, title="Mine", body="My text")
    assert response.status_code == 409
    assert "My text" in response.get_data(as_text=True)
    assert Post.get_by_id(post.id).title == "Shared"


def test_save_refuses_a_stale_version_directly(app, users):
    post = make_post()
    draft = editing.draft_from_post(post)
    editing.save(draft, "save", users["editor"], post.id, post.version)
    with pytest.raises(editing.PostConflict):
        editing.save(draft, "save", users["editor"], post.id, post.version)


def test_a_taken_slug_is_refused_beside_the_field(editor):
    make_post(title="Taken", slug="taken")
    response = _create(editor, slug="taken")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“taken” is used by “Taken”" in page
    assert 'id="slug-error"' in page


def test_a_slug_made_from_the_title_is_made_unique(editor):
    make_post(title="Notes on caching", slug="notes-on-caching")
    _create(editor)
    assert Post.select().where(Post.slug == "notes-on-caching-2").exists()


def test_names_that_share_a_slug_are_one_tag(editor):
    response = _create(editor, tags="Web Dev, web-dev", categories="Ops, ops!")
    assert response.status_code == 302
    post = Post.get(Post.title == "Notes on caching")
    assert [t.name for t in Tag.by_post([post.id])[post.id]] == ["Web Dev"]


def test_a_long_title_makes_a_slug_the_column_holds(editor):
    # Transliteration makes a slug longer than its title: 300 letters here.
    title = "日本語 " * 33
    make_post(title="Taken", slug=slugify(title, max_length=200, word_boundary=True))
    response = _create(editor, title=title)
    assert response.status_code == 302
    post = Post.get(Post.title == title.strip())
    assert len(post.slug) <= 200 and post.slug.endswith("-2")


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "a" * 301),
        ("author", "a" * 121),
        ("tags", "python, " + "t" * 101),
        ("categories", "c" * 101),
    ],
)
def test_a_value_longer_than_its_column_is_refused_beside_its_field(
    editor, field, value
):
    response = _create(editor, **{field: value})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert not Post.select().exists()


@pytest.mark.parametrize("order", ["99999999999", "-99999999999", "²", "--5", "1.5"])
def test_an_order_that_is_no_column_integer_is_refused_beside_its_field(editor, order):
    response = _create(editor, "pages", title="About", nav_order=order)
    assert response.status_code == 400
    assert 'id="nav_order-error"' in response.get_data(as_text=True)
    assert not Post.select().exists()


def test_preview_without_javascript_renders_and_saves_nothing(editor):
    response = _create(editor, body="# Heading\n\nText", action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = '<div id="preview" class="post-body" aria-live="polite"><h1>Heading</h1>'
    assert preview in page
    assert not Post.select().exists()


def test_preview_fragment_for_the_script(editor):
    response = editor.post("/admin/preview", {"body": "Hello **world**"})
    assert response.status_code == 200
    assert (
        response.get_data(as_text=True).strip() == "<p>Hello <strong>world</strong></p>"
    )


def test_preview_fragment_of_a_long_post_sent_as_the_script_sends_it(editor):
    # The script sends FormData: multipart, whose fields Flask caps at 500 kB.
    body = "A paragraph of a long essay.\n\n" * 25_000
    response = editor.post(
        "/admin/preview", {"body": body}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("<p>") == 25_000


def _hidden_fields(page: str) -> dict:
    hidden = r'<input type="hidden" name="([^"]+)" value="([^"]*)"'
    return dict(re.findall(hidden, page))


def test_preview_of_a_synced_post_links_its_media_as_the_site_does(editor):
    body = "![flow](../media/flow.png)"
    post = make_post(source_path="posts/2024-01-01-flow.md", body=body)
    path = f"/admin/posts/{post.id}/"
    assert _save(editor, post, body=body).status_code == 302
    shown = '<img src="/media/flow.png" alt="flow" />'
    assert shown in Post.get_by_id(post.id).body_html
    page = editor.get(path).get_data(as_text=True)
    script_url = re.search(r'data-preview-url="([^"]+)"', page).group(1)
    fragment = editor.post(script_url, {**_hidden_fields(page), "body": body})
    assert shown in fragment.get_data(as_text=True)
    form = _save(editor, post, body=body, action="preview")
    assert shown in form.get_data(as_text=True)


def test_pages_have_a_navigation_order_and_no_reserved_slugs(app, editor):
    response = _create(editor, "pages", title="About", nav_order="3", action="publish")
    page = Post.get(Post.title == "About")
    assert response.status_code == 302
    assert (page.kind, page.nav_order, page.url) == ("page", 3, "/about/")
    assert app.test_client().get("/about/").status_code == 200
    response = _create(editor, "pages", title="Admin", slug="admin")
    assert response.status_code == 400
    assert "reserved" in response.get_data(as_text=True)


def test_a_page_slug_of_digits_is_refused_as_a_years_archive(editor):
    # /2024/ is the archive of that year: a page there could never be shown.
    response = _create(editor, "pages", title="2024", action="publish")
    assert response.status_code == 400
    assert "reserved" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=draft", {"Draft one"}),
        ("tag=python", {"Tagged"}),
        ("category=travel", {"Filed"}),
        ("author=Grace", {"By Grace"}),
        ("q=needle", {"Has the word"}),
        ("", {"Draft one", "Tagged", "Filed", "By Grace", "Has the word"}),
    ],
)
def test_post_list_filters(editor, query, expected):
    make_post(title="Draft one", status=PostStatus.DRAFT)
    make_post(title="Tagged", tags=["Python"])
    make_post(title="Filed", categories=["Travel"])
    make_post(title="By Grace", author="Grace")
    make_post(title="Has the word", body="a needle in a haystack")
    page = editor.get(f"/admin/posts/?{query}").get_data(as_text=True)
    shown = set(re.findall(r'<a href="/admin/posts/\d+/">([^<]+)</a>', page))
    assert shown == expected


def test_export_writes_dashboard_and_synced_posts(app, editor, content_dir, tmp_path):
    report = content.sync(content_dir)
    synced = Post.get_by_id(report.added[0])
    _create(editor, action="publish")
    _save(editor, synced, title="Edited in the dashboard")
    count = content_export.export(tmp_path / "out", site_url=app.config["SITE_URL"])
    files = {
        p.relative_to(tmp_path / "out").as_posix() for p in tmp_path.glob("out/**/*.md")
    }
    written = Post.get(Post.title == "Notes on caching")
    assert count == Post.select().count()
    assert f"posts/{written.date:%Y-%m-%d}-notes-on-caching.md" in files
    assert synced.source_path in files
    exported = (tmp_path / "out" / synced.source_path).read_text()
    assert "title: Edited in the dashboard" in exported


def test_editor_refuses_a_post_of_the_other_kind(editor):
    post = make_post()
    assert editor.get(f"/admin/pages/{post.id}/").status_code == 404
    assert editor.get("/admin/posts/999999/").status_code == 404


def test_post_list_pages_newest_first_without_reading_the_bodies(editor):
    same_day = datetime.datetime(2024, 3, 1)
    made = [make_post(title=f"Same day {n}", date=same_day) for n in range(3)]
    made += [
        make_post(title=f"Later {n}", date=same_day.replace(day=n + 2))
        for n in range(30)
    ]
    newest_first = [post.title for post in reversed(made)]

    with statements() as run:
        pages = [
            editor.get(f"/admin/posts/?page={n}").get_data(as_text=True) for n in (1, 2)
        ]
    shown = [
        re.findall(r'<a href="/admin/posts/\d+/">([^<]+)</a>', page) for page in pages
    ]

    assert shown == [newest_first[:30], newest_first[30:]]
    # A list of 30 titles has no use for the bodies: sorting them cost 0.8 s
    # at 10,000 posts.
    read = [sql for sql, _ in run if 'FROM "post"' in sql]
    assert read and not [sql for sql in read if re.search(r'"body(_html|_text)?"', sql)]
