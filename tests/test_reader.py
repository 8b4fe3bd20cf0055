"""The reader's pages over HTTP, on the synced sample content."""

import datetime
import os
import re
import time
from html import unescape
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest

from blog import content, publishing, related
from blog.cache import Generation, PageStore, RedisGeneration
from blog.models import Post, PostStatus, utcnow
from blog.templating import format_date
from tests.conftest import unavailable
from tests.factories import make_post
from tests.queries import plan, statements

CACHING_POST = "/2025/01/19/caching-rendered-markdown-with-etags/"
RESTIC_POST = "/2024/06/09/a-restic-backup-routine-i-trust/"
DRAFT_POST = "/2026/05/10/log-retention-for-a-personal-server/"
DRAFT_TITLE = "How long should a personal server keep its logs?"
NEWEST_TITLE = "A page weight budget for a text-heavy blog"
OLDEST_TITLE = "Why I moved my blog back onto a box under my desk"
PUBLISHED_POSTS = 15


@pytest.fixture
def site(app, content_dir):
    """The app with the sample content synced, as `blog content sync` does."""
    report = content.sync(content_dir)
    assert report.errors == []
    publishing.refresh(report.changed, full=True)
    return app


@pytest.fixture
def reader(site):
    return site.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def summaries(html: str) -> int:
    return html.count('<article class="summary"')


def assert_themed_error(response, code):
    html = text(response)
    assert response.status_code == code
    assert 'class="error-page"' in html
    assert f"Error {code}" in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert "Content-Security-Policy" in response.headers


# Home


def test_home_lists_the_newest_posts_first(reader):
    html = text(reader.get("/"))
    assert summaries(html) == 10
    assert html.index(NEWEST_TITLE) < html.index("Testing a Flask app against")
    assert "Sun. Mar 22nd, 2026" in html
    assert "We set hard limits on how many bytes" in html
    assert '<a rel="next" href="/?page=2">' in html
    assert 'rel="prev"' not in html


def test_home_second_page_holds_the_rest(reader):
    html = text(reader.get("/?page=2"))
    assert summaries(html) == PUBLISHED_POSTS - 10
    assert OLDEST_TITLE in html
    assert NEWEST_TITLE not in html
    assert '<a rel="prev" href="/">' in html
    assert "Page 2 of 2" in html


def test_the_page_size_is_a_setting(site, reader):
    site.extensions["settings"].set("posts_per_page", 4)
    publishing.invalidate_pages()
    assert summaries(text(reader.get("/"))) == 4
    assert "Page 4 of 4" in text(reader.get("/?page=4"))
    assert reader.get("/?page=5").status_code == 404


def test_nav_links_pages_in_their_front_matter_order(reader):
    html = text(reader.get("/"))
    nav = html[html.index('<nav class="site-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert nav.index('href="/about/"') < nav.index('href="/contact/"')
    assert '<a href="/" aria-current="page">Home</a>' in nav


def test_a_page_shows_its_body(reader):
    html = text(reader.get("/about/"))
    assert '<h1 id="page-title">About</h1>' in html
    assert "<strong>Field Notes</strong> is a personal engineering blog" in html
    assert '<a href="/about/" aria-current="page">About</a>' in html


# A post


def test_a_post_page_shows_everything_about_the_post(reader):
    html = text(reader.get(CACHING_POST))
    today = format_date(datetime.datetime.now(datetime.UTC), "%a. %b %o, %Y")
    assert f'<p class="today">{today}</p>' in html
    assert "<title>Caching rendered Markdown with ETags · Field Notes</title>" in html
    assert '<h1 id="post-title">Caching rendered Markdown with ETags</h1>' in html
    assert (
        '<time datetime="2025-01-19T08:55:00+00:00">Sun. Jan 19th, 2025</time>' in html
    )
    assert '<a href="/author/ada-lindqvist/" rel="author">Ada Lindqvist</a>' in html
    assert '<a href="/category/performance/">Performance</a>' in html
    assert '<a href="/category/python/">Python</a>' in html
    for tag in ("caching", "flask", "markdown", "python"):
        assert f'<a href="/tag/{tag}/" rel="tag">{tag}</a>' in html
    assert '<img src="/media/request-flow.svg"' in html


def test_headings_named_like_the_pages_parts_keep_every_id_unique(app):
    from tests.factories import make_comment

    headings = ["Comments", "Main", "Respond", "Post title", "Comment 1", "Fn1"]
    body = "".join(f"## {name}\n\n" for name in headings) + "Note[^1].\n\n[^1]: N.\n"
    post = make_post(body=body, date=datetime.datetime(2024, 1, 1))
    make_comment(post, id=1)
    html = text(app.test_client().get(post.url))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted(name for name in set(ids) if ids.count(name) > 1) == []
    assert '<section id="comments"' in html and '<li id="comment-1"' in html
    assert '<h2 id="comments-1">Comments</h2>' in html


@pytest.mark.parametrize("kind", ["post", "page"])
def test_the_meta_description_is_the_summary_as_text(app, kind):
    from blog.markup import summarize

    summary = "A *short* summary & [more](https://more.example)"
    post = make_post(
        kind=kind, summary=summary, summary_html=summarize(summary, "Body.")
    )
    html = text(app.test_client().get(post.url))
    assert '<meta name="description" content="A short summary &amp; more">' in html


def test_a_post_links_the_posts_before_and_after_it(reader):
    html = text(reader.get(CACHING_POST))
    assert (
        'rel="prev" href="/2024/11/03/privacy-respecting-analytics-from-nginx-logs/"'
        in html
    )
    assert (
        'rel="next" href="/2025/03/02/python-services-under-systemd-instead-of-docker/"'
        in html
    )


def test_the_newest_post_has_no_next_and_the_oldest_no_previous(reader):
    newest = text(reader.get("/2026/03/22/a-page-weight-budget-for-a-text-heavy-blog/"))
    oldest = text(reader.get("/2024/02/11/moving-the-blog-under-my-desk/"))
    assert 'rel="prev"' in newest and 'rel="next"' not in newest
    assert 'rel="next"' in oldest and 'rel="prev"' not in oldest


def test_code_is_highlighted_with_pygments_classes(reader):
    html = text(reader.get("/2024/07/21/flask-application-factories-without-ceremony/"))
    assert '<pre tabindex="0"><code class="language-python"><span class="' in html
    assert "/static/css/pygments.css?v=" in html


def test_related_posts_show_their_date_and_reason(reader, monkeypatch):
    restic = Post.get(Post.slug == "a-restic-backup-routine-i-trust")
    reason = "Shares the tags backups and homelab"
    monkeypatch.setattr(
        related,
        "for_post",
        lambda post, count=5: [SimpleNamespace(post=restic, reason=reason)][:count],
    )
    html = text(reader.get(CACHING_POST))
    section = html[html.index('<section class="related"') :]
    assert '<h2 id="related-title">Related Posts</h2>' in section
    assert f'<a href="{RESTIC_POST}" title="{reason}">' in section
    assert "Sun. Jun 9th, 2024" in section
    assert f'<span class="why">{reason}</span>' in section


def test_a_post_url_with_the_wrong_date_redirects_to_the_right_one(reader):
    response = reader.get("/2020/01/01/caching-rendered-markdown-with-etags/")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(CACHING_POST)


def test_a_post_redirect_keeps_the_page_of_comments_asked_for(reader):
    """A link to the second page of comments made before the site's time zone
    changed (the day in the address with it) landed on the first page."""
    response = reader.get("/2020/01/01/caching-rendered-markdown-with-etags/?cpage=2")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{CACHING_POST}?cpage=2"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/about", "/about/"),
        ("/tag/sqlite", "/tag/sqlite/"),
        ("/search?q=wal", "/search/?q=wal"),
    ],
)
def test_a_slash_redirect_stays_on_this_site_whatever_the_host(reader, path, target):
    """A forged Host header must not become the redirect's target: a cache in
    front would keep the permanent redirect and send every reader there."""
    response = reader.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == target
    assert "evil.example" not in text(response)


@pytest.mark.parametrize(
    ("raw", "target"),
    [
        ("//tag/sqlite/", "/tag/sqlite/"),
        ("///", "/"),
        ("//evil.example/x/", "/evil.example/x/"),
    ],
)
def test_leading_slashes_redirect_to_the_one_address(reader, raw, target):
    """//tag/sqlite/ served the tag page a second time: another copy for
    caches and crawlers, under a second address."""
    response = reader.get("/", environ_overrides={"PATH_INFO": raw})
    assert response.status_code == 301
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    ("zone", "stored"),
    [
        ("Europe/Paris", datetime.datetime(2024, 6, 22, 22, 0)),  # 00:00 in Paris
        ("America/New_York", datetime.datetime(2024, 6, 24, 3, 30)),  # 23:30 there
    ],
)
def test_a_post_url_has_the_day_its_archive_and_its_page_show(app, zone, stored):
    app.extensions["settings"].set("timezone", zone)
    make_post("Midsummer", slug="midsummer", date=stored)
    reader = app.test_client()
    assert "Midsummer" in text(reader.get("/2024/06/23/midsummer/"))
    assert 'href="/2024/06/23/midsummer/"' in text(reader.get("/2024/06/23/"))
    assert "http://127.0.0.1:8000/2024/06/23/midsummer/" in text(
        reader.get("/sitemap.xml")
    )
    utc_day = f"/{stored:%Y/%m/%d}/midsummer/"
    assert reader.get(utc_day).headers["Location"] == "/2024/06/23/midsummer/"


# What readers may not see


def test_a_draft_is_never_public(reader):
    assert_themed_error(reader.get(DRAFT_POST), 404)
    for path in (
        "/",
        "/?page=2",
        "/2026/",
        "/2026/05/",
        "/tag/privacy/",
        "/category/privacy/",
        "/author/mira-castellanos/",
    ):
        assert DRAFT_TITLE not in text(reader.get(path)), path


def test_a_scheduled_post_appears_at_its_time_without_a_restart(site, reader):
    due = utcnow() + datetime.timedelta(seconds=1.5)
    post = make_post(title="Arriving shortly", slug="arriving-shortly", date=due)
    publishing.refresh([post.id])
    assert_themed_error(reader.get(post.url), 404)
    assert "Arriving shortly" not in text(reader.get("/"))
    # The cached home page expires when the post is due, not an hour later.
    _generation, expires, *_rest = site.extensions["pages"].entries["/?"]
    due_at = due.replace(tzinfo=datetime.UTC).timestamp()
    assert expires == pytest.approx(due_at, abs=0.01)

    time.sleep(max(0.0, due_at - time.time()) + 0.1)
    assert "Arriving shortly" in text(reader.get("/"))
    assert reader.get(post.url).status_code == 200


def test_a_scheduled_page_stays_hidden_until_its_time(site, reader):
    """The editor says a future date with "Publish" schedules a page too."""
    due = utcnow() + datetime.timedelta(minutes=20)
    page = make_post(kind="page", title="Opening soon", slug="opening", date=due)
    publishing.refresh([page.id])
    assert_themed_error(reader.get("/opening/"), 404)
    assert 'href="/opening/"' not in text(reader.get("/"))
    assert "/opening/" not in text(reader.get("/sitemap.xml"))
    # The cached home page expires when the page is due, to show it in the menu.
    _generation, expires, *_rest = site.extensions["pages"].entries["/?"]
    assert expires <= due.replace(tzinfo=datetime.UTC).timestamp() + 0.01


def test_a_post_whose_file_is_removed_is_gone(site, reader, content_dir):
    assert reader.get(RESTIC_POST).status_code == 200
    (content_dir / "posts/2024-06-09-a-restic-backup-routine-i-trust.md").unlink()
    report = content.sync(content_dir)
    publishing.refresh(report.changed)
    assert_themed_error(reader.get(RESTIC_POST), 410)
    assert "A restic backup routine" not in text(reader.get("/?page=2"))
    assert Post.get(Post.slug == "a-restic-backup-routine-i-trust").status == (
        PostStatus.UNPUBLISHED
    )


def test_an_unpublished_page_is_gone(site, reader):
    Post.update(status=PostStatus.UNPUBLISHED).where(Post.slug == "contact").execute()
    publishing.invalidate_pages()
    assert_themed_error(reader.get("/contact/"), 410)
    assert 'href="/contact/"' not in text(reader.get("/"))


@pytest.mark.parametrize(
    "path", ["/2024/06/09/no-such-post/", "/no-such-page/", "/tag/no-such-tag/"]
)
def test_unknown_addresses_are_a_themed_404(reader, path):
    assert_themed_error(reader.get(path), 404)


# Archives


@pytest.mark.parametrize(
    ("path", "heading", "count", "member"),
    [
        ("/2024/", "2024", 7, "A restic backup routine I actually trust"),
        ("/2024/06/", "June 2024", 1, "A restic backup routine I actually trust"),
        ("/2024/06/09/", "Sun. Jun 9th, 2024", 1, "A restic backup routine"),
        ("/tag/sqlite/", "Tag: sqlite", 4, "Why SQLite in WAL mode is enough"),
        ("/category/databases/", "Category: Databases", 4, "Full-text search in"),
        ("/author/tomas-okafor/", "Author: Tomás Okafor", 5, "Connection pooling"),
    ],
)
def test_archives_list_their_posts_under_a_heading(
    reader, path, heading, count, member
):
    html = text(reader.get(path))
    assert f"<h1>{heading}</h1>" in html
    assert f'<p class="count">{count} post{"" if count == 1 else "s"}</p>' in html
    assert summaries(html) == count
    assert member in html


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/2024/6/", "/2024/06/"),
        ("/02024/", "/2024/"),
        ("/2024/6/9/", "/2024/06/09/"),
        ("/2024/006/09/", "/2024/06/09/"),
        ("/2024/?page=1", "/2024/"),
        ("/2024/6/?page=2", "/2024/06/?page=2"),
    ],
)
def test_an_archive_has_one_address(reader, path, canonical):
    response = reader.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == canonical


@pytest.mark.parametrize(
    "fields",
    [
        {"status": PostStatus.DRAFT},
        {"date": datetime.datetime(2999, 1, 1)},
        {"kind": "page", "slug": "colophon"},
    ],
)
def test_an_author_of_nothing_public_has_no_archive(app, fields):
    make_post(author="Nobody Yet", **fields)
    assert_themed_error(app.test_client().get("/author/nobody-yet/"), 404)


@pytest.mark.parametrize("name", ["?", "#", "..", ".", "/", "%", "\\", "🦊", "—"])
def test_a_name_of_symbols_alone_links_its_archive(app, tmp_path, name):
    """A name slugify keeps nothing of still gets an address a browser sends
    as it is written: not "/tag/?/" (the path ends at "?") nor "/tag/../"."""
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "2024-05-05-symbols.md").write_text(
        f"---\ntitle: Symbols\nauthor: '{name}'\ntags: ['{name}']\n"
        f"categories: ['{name}']\n---\nText.\n",
        encoding="utf-8",
    )
    report = content.sync(tmp_path / "content")
    assert report.errors == []
    publishing.refresh(report.changed, full=True)
    reader = app.test_client()
    post = "/2024/05/05/symbols/"
    links = re.findall(
        r'href="(/(?:tag|category|author)/[^"]*)"', text(reader.get(post))
    )
    assert len(links) == 3
    for link in links:
        # What a browser asks for: dot segments resolved, the path cut at ? or #.
        address = urlsplit(urljoin(f"http://localhost{post}", unescape(link)))
        response = reader.get(address.path, query_string=address.query)
        assert response.status_code == 200, link
        assert post in text(response)


@pytest.mark.parametrize(
    "fields", [{"status": PostStatus.DRAFT}, {"date": datetime.datetime(2999, 1, 1)}]
)
@pytest.mark.parametrize(
    "path",
    [
        "/tag/unannounced/",
        "/tag/unannounced/feed/atom/",
        "/category/secret-plans/",
        "/category/secret-plans/feed/rss/",
    ],
)
def test_a_term_of_nothing_public_has_no_archive_nor_feed(app, fields, path):
    make_post(tags=["Unannounced"], categories=["Secret-plans"], **fields)
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert b"Unannounced" not in response.data and b"Secret" not in response.data


def test_a_sticky_post_is_pinned_on_the_home_page_only(app):
    old = make_post("Old and sticky", tags=["t"], sticky=True)
    make_post("Fresh arrival", tags=["t"], date=old.date + datetime.timedelta(days=1))
    reader = app.test_client()
    home, archive = text(reader.get("/")), text(reader.get("/tag/t/"))
    assert (
        home.index("Old and sticky") < home.index("Fresh arrival") and "Pinned" in home
    )
    assert archive.index("Fresh arrival") < archive.index("Old and sticky")
    assert "Pinned" not in archive


def test_an_empty_month_is_an_archive_with_no_posts(reader):
    html = text(reader.get("/2024/01/"))
    assert "<h1>January 2024</h1>" in html
    assert '<p class="empty">No posts yet.</p>' in html


# HTTP caching


def test_a_repeated_request_with_its_etag_is_not_modified(reader):
    first = reader.get(CACHING_POST)
    etag = first.headers["ETag"]
    again = reader.get(CACHING_POST, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = reader.get(CACHING_POST, headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


@pytest.mark.parametrize("cache", [True, False])
@pytest.mark.parametrize("path", ["/", "/feed/atom/", "/2024/"])
def test_an_unchanged_page_rendered_afresh_is_still_not_modified(make_app, cache, path):
    """Another worker, a bump by a change elsewhere or no page cache at all:
    the page is rendered again, and the copy a feed reader holds is current."""
    site = make_app(PAGE_CACHE=cache)
    with site.app_context():
        make_post("Kept as it was", date=datetime.datetime(2024, 1, 1))
        reader = site.test_client()
        etag = reader.get(path).headers["ETag"]
        publishing.invalidate_pages()
        again = reader.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


@pytest.mark.parametrize(
    "path",
    ["/", CACHING_POST, "/about/", "/tag/sqlite/", "/2024/", "/author/tomas-okafor/"],
)
def test_public_pages_are_cacheable_and_set_no_cookie(reader, path):
    response = reader.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public")
    assert "ETag" in response.headers
    assert "Set-Cookie" not in response.headers
    assert reader.get_cookie("session") is None


def test_media_is_served_with_a_long_lifetime(reader):
    response = reader.get("/media/request-flow.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert reader.get("/media/missing.png").status_code == 404


def test_the_page_cache_is_bounded_in_bytes_too():
    """Each query string is an entry, even one the view ignores (/feed/atom/?x=1,
    ?x=2, ...): bounded by count alone, 2,000 copies of a big feed filled memory."""
    store = PageStore(capacity=2000, max_bytes=1000)
    for number in range(50):
        entry = ("gen", float("inf"), "200 OK", [], b"x" * 100, '"etag"', False)
        store.put(f"/feed/atom/?x={number}", entry)
    assert sum(len(entry[4]) for entry in store.entries.values()) <= 1000
    generation = Generation("gen", "comments")
    assert store.get("/feed/atom/?x=49", generation, 0) is not None
    assert store.get("/feed/atom/?x=0", generation, 0) is None


REDIS_URL = os.environ.get("BLOG_TEST_REDIS", "redis://127.0.0.1:6379/9")


def _redis_generation() -> dict:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.delete(RedisGeneration.KEY, RedisGeneration.COMMENTS_KEY)
    except redis.RedisError as error:
        unavailable(
            f"Redis at {REDIS_URL} did not answer ({error}): set BLOG_TEST_REDIS"
        )
    return {"REDIS_URL": REDIS_URL}


@pytest.mark.parametrize("shared", ["file", "redis"])
def test_a_change_through_one_worker_shows_through_another(
    make_app, content_dir, shared
):
    """Two apps on one instance folder behave like two gunicorn workers; with
    Redis, like two app servers."""
    config = _redis_generation() if shared == "redis" else {}
    first, second = make_app(**config), make_app(**config)
    assert first.instance_path == second.instance_path
    with first.app_context():
        publishing.refresh(content.sync(content_dir).changed, full=True)
    reader = first.test_client()
    assert "Caching rendered Markdown" in text(reader.get(CACHING_POST))

    with second.app_context():
        Post.update(title="Caching, revisited").where(
            Post.slug == "caching-rendered-markdown-with-etags"
        ).execute()
    # Nothing told the first worker yet: it answers from its page cache.
    assert "Caching, revisited" not in text(reader.get(CACHING_POST))

    with second.app_context():
        publishing.invalidate_pages()
    assert "Caching, revisited" in text(reader.get(CACHING_POST))
    assert "Caching, revisited" in text(reader.get("/"))


def test_with_redis_down_pages_are_rendered_afresh(make_app, content_dir):
    site = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    with site.app_context():
        publishing.refresh(content.sync(content_dir).changed, full=True)
        reader = site.test_client()
        assert "Caching rendered Markdown" in text(reader.get(CACHING_POST))
        Post.update(title="Caching, revisited").where(
            Post.slug == "caching-rendered-markdown-with-etags"
        ).execute()
        assert "Caching, revisited" in text(reader.get(CACHING_POST))
        assert site.extensions["pages"].entries == {}


# Malformed requests: a themed 400 or 404, never a 500


@pytest.fixture
def small_site(app):
    """A few posts made directly: these requests need rows, not the sample files."""
    for number in range(3):
        make_post(
            slug=f"small-{number}",
            date=datetime.datetime(2024, 2, 11 + number, 9, 0),
            tags=["sqlite"],
            categories=["Databases"],
            author="Tomás Okafor",
        )
    make_post(title="About", slug="about", kind="page")
    app.extensions["settings"].set("posts_per_page", 2)
    return app.test_client()


MALFORMED = [
    # A page number that names no page is a missing page, as one past the last.
    ("/?page=abc", 404),
    ("/?page=-1", 404),
    ("/?page=0", 404),
    ("/?page=1.5", 404),
    ("/?page=%EF%BC%91", 404),
    ("/?page=%D9%A1", 404),
    ("/?page=99999999999999", 404),
    ("/?page=3", 404),
    ("/tag/sqlite/?page=3", 404),
    ("/2024/?page=abc", 404),
    ("/author/tomas-okafor/?page=0", 404),
    ("/search/?q=sqlite&page=abc", 400),
    ("/9999/99/", 404),
    ("/2024/13/", 404),
    ("/2024/00/", 404),
    ("/2024/02/00/", 404),
    ("/2024/02/30/", 404),
    ("/2024/02/30/x/", 404),
    ("/0/", 404),
    ("/99999999999999999999/", 404),
    ("/%E2%98%83/", 404),
    ("/tag/caf%C3%A9/", 404),
    ("/category/%F0%9F%90%8D/", 404),
    ("/author/%C3%A9%CC%81/", 404),
    ("/2024/02/11/%FF%FE/", 404),
    ("/" + "a" * 5000 + "/", 404),
    ("/tag/" + "%E2%98%83" * 1000 + "/", 404),
    # PostgreSQL refuses NUL in text: these must not reach a query.
    ("/%00/", 400),
    ("/tag/%00/", 400),
    ("/author/%00/", 400),
    ("/2024/02/11/%00/", 400),
    ("/static/%00", 400),
    ("/media/%00", 400),
    ("/?page=%00", 400),
    ("/search/?q=%00", 400),
]


@pytest.mark.parametrize(
    ("path", "code"), MALFORMED, ids=[path[:40] for path, _code in MALFORMED]
)
def test_malformed_requests_get_a_themed_error(small_site, path, code):
    assert_themed_error(small_site.get(path), code)


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("/?page=1", "/"),
        ("/?page=", "/"),
        ("/?page=01", "/"),
        ("/?page=002", "/?page=2"),
        ("/?page=2&page=1", "/?page=2"),
        ("/?ref=mail&page=1", "/?ref=mail"),
        ("/?page=02&ref=mail", "/?page=2&ref=mail"),
        ("/2024/?page=1", "/2024/"),
        ("/2024/02/?page=1", "/2024/02/"),
        ("/tag/sqlite/?page=1", "/tag/sqlite/"),
        ("/category/databases/?page=01", "/category/databases/"),
        ("/author/tomas-okafor/?page=1", "/author/tomas-okafor/"),
    ],
)
def test_a_listing_page_has_one_address(small_site, path, address):
    """Page 1 is the listing itself: a second address splits its links and
    search engines index it twice."""
    response = small_site.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == address
    assert small_site.get(address).status_code == 200


def test_the_small_site_answers_well_formed_requests(small_site):
    """The malformed cases above fail for their malformation, not an empty site."""
    for path in ("/?page=2", "/tag/sqlite/?page=2", "/2024/02/11/small-0/", "/about/"):
        assert small_site.get(path).status_code == 200, path


@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Tokyo"])
@pytest.mark.parametrize("path", ["/1/", "/1/01/", "/1/01/01/"])
def test_archives_before_the_first_utc_day_are_not_an_error(app, zone, path):
    # Midnight of 1 January of year 1 east of UTC is still year 0 in UTC.
    app.extensions["settings"].set("timezone", zone)
    assert_themed_error(app.test_client().get(path), 404)


@pytest.mark.parametrize("kind", ["tag", "category"])
def test_a_term_typed_decomposed_redirects_to_its_one_address(app, kind):
    """Some systems type "é" as "e" and a combining accent: the same term.

    Slugs imported from WordPress keep their letters, so "café" is a slug.
    """
    from blog.term_models import Category, PostCategory, PostTag, Tag

    model, link = (Tag, PostTag) if kind == "tag" else (Category, PostCategory)
    term = model.create(name="Café", slug="café")
    link.create(**{"post": make_post("Au café"), kind: term})
    client = app.test_client()
    response = client.get(f"/{kind}/cafe%CC%81/?ref=mail")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/{kind}/caf%C3%A9/?ref=mail"
    assert client.get(response.headers["Location"]).status_code == 200
    feed = client.get(f"/{kind}/cafe%CC%81/feed/atom/")
    assert feed.status_code == 301
    assert feed.headers["Location"] == f"/{kind}/caf%C3%A9/feed/atom/"


def test_an_authors_archive_reads_posts_from_the_author_index_on_sqlite(own_sqlite):
    """Never every post of the site from the table (0.1 s at 10,000 posts)."""
    app, _path = own_sqlite
    make_post(title="By Grace", author="Grace Hopper")
    make_post(title="By Ada")
    with statements() as run:
        page = app.test_client().get("/author/grace-hopper/").get_data(as_text=True)
    # Which authors have public posts, and how many posts this one has.
    lookups = [
        plan(sql, params)
        for sql, params in run
        if 'DISTINCT "t1"."author"' in sql or ("COUNT" in sql and '"author" IN' in sql)
    ]

    assert "By Grace" in page and "By Ada" not in page
    assert len(lookups) == 2
    for steps in lookups:
        assert "USING COVERING INDEX post_kind_status_author_date" in steps[0]
