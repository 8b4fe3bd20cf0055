import datetime
import importlib
import json
import logging
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import feedparser
import pytest

from blog import db, feeds
from blog.models import Post, PostStatus, Setting, utcnow
from blog.publishing import invalidate_pages
from blog.term_models import PostTag, Tag
from tests.factories import make_comment, make_post
from tests.queries import statements

SITE_URL = "https://blog.example.org"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TRICKY_TITLE = "Fish & Chips <b>not bold</b> \"double\" 'single' Ünïcödé ✓ 日本語"
TRICKY_TAG = 'Rock & "Roll" <ü>'
FEEDS = [
    ("/feed/atom/", "atom"),
    ("/feed/rss/", "rss"),
    ("/tag/python/feed/atom/", "atom"),
    ("/tag/python/feed/rss/", "rss"),
    ("/category/code/feed/atom/", "atom"),
    ("/category/code/feed/rss/", "rss"),
]
VERSIONS = {"atom": "atom10", "rss": "rss20"}


@pytest.fixture
def app(make_app):
    app = make_app(SITE_URL=SITE_URL)
    with app.app_context():
        yield app


@pytest.fixture
def tricky(app):
    """Posts with awkward titles, one without summary, one without any terms."""
    summarised = make_post(
        # XML 1.0 cannot carry a vertical tab even escaped: the feeds drop it.
        title=TRICKY_TITLE + "\x0b",
        body="Café & <3 — see [the picture](/media/a.png) and[^1].\n\n[^1]: A note.",
        summary="A *short* summary & more",
        summary_html="<p>A <em>short</em> summary &amp; more</p>",
        tags=["Python"],
        categories=["Code"],
        date=datetime.datetime(2024, 2, 1, 9, 15),
        updated=datetime.datetime(2024, 3, 1, 12, 30),
    )
    PostTag.create(post=summarised, tag=Tag.create(name=TRICKY_TAG, slug="rock-roll"))
    bare = make_post(
        title="No summary here",
        body="Just **some** body text.",
        date=datetime.datetime(2024, 2, 2),
    )
    unsummarised = make_post(
        title="Plain <tag> & ampersand",
        body="Words " * 80,
        date=datetime.datetime(2024, 2, 3),
        tags=["Python"],
        categories=["Code"],
    )
    return {"summarised": summarised, "bare": bare, "unsummarised": unsummarised}


def set_setting(app, key, value):
    """Store a setting as the admin would; Settings.set's REPLACE is SQLite-only."""
    Setting.delete().where(Setting.key == key).execute()
    Setting.create(key=key, value=json.dumps(value))
    app.extensions["settings"].reload()
    invalidate_pages()


def hours_after_2024(hours):
    return datetime.datetime(2024, 1, 1) + datetime.timedelta(hours=hours)


def parse(response):
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize(("url", "fmt"), FEEDS)
def test_every_feed_parses_cleanly_with_tricky_content(client, tricky, url, fmt):
    response = client.get(url)

    assert response.status_code == 200
    assert response.content_type == f"application/{fmt}+xml; charset=utf-8"
    parsed = parse(response)
    assert parsed.version == VERSIONS[fmt]
    titles = [entry.title for entry in parsed.entries]
    assert TRICKY_TITLE in titles
    assert "Plain <tag> & ampersand" in titles
    assert ("No summary here" in titles) == url.startswith("/feed/")


def test_an_entry_id_survives_a_new_slug_title_and_date(client):
    """RFC 4287 4.2.6: an id never changes; a feed reader showed the post twice."""
    post = make_post(slug="first-name", title="First title")
    make_comment(post)
    [before] = parse(client.get("/feed/atom/")).entries
    [comment_before] = parse(client.get("/comments/feed/")).entries
    Post.update(
        slug="second-name",
        title="Second title",
        date=post.date + datetime.timedelta(days=3),
    ).where(Post.id == post.id).execute()
    invalidate_pages()

    [after] = parse(client.get("/feed/atom/")).entries
    [comment_after] = parse(client.get("/comments/feed/")).entries
    assert after.link.endswith("/second-name/") and after.title == "Second title"
    assert after.id == before.id
    assert after.id.startswith("tag:blog.example.org,")
    assert comment_after.id == comment_before.id


def test_posts_from_before_permanent_ids_keep_the_ids_readers_have_seen(app, client):
    # Ids were made from addresses with the UTC day: the migration keeps each
    # one as it was, so no feed reader shows an old post again as new.
    post = make_post(slug="late", date=datetime.datetime(2024, 6, 23, 20, 0))
    migration = importlib.import_module("migrations.0026_feeds_entry_ids")
    migration.down(None, db.database)
    migration.up(None, db.database)
    app.extensions["settings"].set("timezone", "Asia/Tokyo")
    Post.update(slug="later").where(Post.id == post.id).execute()
    [entry] = parse(client.get("/feed/atom/")).entries

    assert entry.link == f"{SITE_URL}/2024/06/24/later/"
    assert entry.id == "tag:blog.example.org,2024-06-23:/2024/06/23/late/"


def test_feed_without_a_format_is_atom(client, tricky):
    response = client.get("/feed/")

    assert response.content_type == "application/atom+xml; charset=utf-8"
    assert response.data == client.get("/feed/atom/").data


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_entry_carries_every_field(client, tricky, fmt):
    post = tricky["summarised"]
    parsed = parse(client.get(f"/feed/{fmt}/"))
    entry = next(e for e in parsed.entries if e.title == TRICKY_TITLE)
    permalink = f"{SITE_URL}{post.url}"

    assert entry.link == permalink
    assert entry.id == f"tag:blog.example.org,{post.created_at:%Y-%m-%d}:post/{post.id}"
    assert entry.published_parsed[:6] == post.date.timetuple()[:6]
    assert entry.author == "Ada Lindqvist"
    assert {tag.label or tag.term for tag in entry.tags} == {
        "Python",
        "Code",
        TRICKY_TAG,
    }
    assert entry.summary == "<p>A <em>short</em> summary &amp; more</p>"
    content = entry.content[0].value
    assert f'href="{SITE_URL}/media/a.png"' in content
    assert f'href="{permalink}#fn1"' in content
    assert "Café &amp; &lt;3" in content
    if fmt == "atom":
        assert entry.updated_parsed[:6] == (2024, 3, 1, 12, 30, 0)


def test_entry_without_summary_gets_a_plain_excerpt(client, tricky):
    parsed = parse(client.get("/feed/atom/"))
    entry = next(e for e in parsed.entries if e.title == "Plain <tag> & ampersand")

    assert entry.summary == " ".join(["Words"] * feeds.SUMMARY_WORDS) + " …"
    assert entry.content[0].value.startswith("<p>Words Words")


def test_entry_without_terms_has_no_categories(client, tricky):
    parsed = parse(client.get("/feed/rss/"))
    entry = next(e for e in parsed.entries if e.title == "No summary here")

    assert "tags" not in entry
    assert entry.summary == "Just some body text."


def test_dates_are_utc_whatever_the_site_time_zone(app, client, tricky):
    set_setting(app, "timezone", "America/New_York")
    post = tricky["summarised"]

    atom = client.get("/feed/atom/").get_data(as_text=True)
    rss = client.get("/feed/rss/").get_data(as_text=True)

    assert f"<published>{post.date:%Y-%m-%dT%H:%M:%S}+00:00</published>" in atom
    assert "<updated>2024-03-01T12:30:00+00:00</updated>" in atom
    assert f"<pubDate>{post.date:%a, %d %b %Y %H:%M:%S} +0000</pubDate>" in rss
    for stamp in re.findall(r"<pubDate>(.*?)</pubDate>", rss):
        assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000", stamp)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feed_level_fields(app, client, tricky, fmt):
    set_setting(app, "title", "Notes & <Things>")
    newest = max(feeds.last_modified(post) for post in tricky.values())

    parsed = parse(client.get(f"/feed/{fmt}/"))
    links = {link.rel: link.href for link in parsed.feed.links}

    assert parsed.feed.title == "Notes & <Things>"
    assert parsed.feed.subtitle == "Notes on running a small site well"
    assert links["self"] == f"{SITE_URL}/feed/{fmt}/"
    assert links["alternate"] == f"{SITE_URL}/"
    assert parsed.feed.updated_parsed[:6] == newest.timetuple()[:6]


def test_term_feed_names_the_term_and_links_its_archive(client, tricky):
    parsed = parse(client.get("/tag/rock-roll/feed/atom/"))
    links = {link.rel: link.href for link in parsed.feed.links}

    assert parsed.feed.title == f"Tag: {TRICKY_TAG} · Field Notes"
    assert links["alternate"] == f"{SITE_URL}/tag/rock-roll/"
    assert links["self"] == f"{SITE_URL}/tag/rock-roll/feed/atom/"
    assert [entry.title for entry in parsed.entries] == [TRICKY_TITLE]


def test_feed_lists_the_newest_20_published_posts_only(client):
    posts = [make_post(title=f"Post {n}", date=hours_after_2024(n)) for n in range(25)]
    make_post(title="Draft", status=PostStatus.DRAFT, date=utcnow())
    make_post(title="Scheduled", date=utcnow() + datetime.timedelta(days=1))
    make_post(title="Taken down", status=PostStatus.UNPUBLISHED)
    make_post(title="About", kind="page", slug="about")

    for fmt in ("atom", "rss"):
        parsed = parse(client.get(f"/feed/{fmt}/"))
        titles = [entry.title for entry in parsed.entries]
        assert titles == [post.title for post in reversed(posts)][:20]


def test_author_falls_back_to_the_site_author_then_the_title(app, client):
    make_post(title="Anonymous", author="")
    parsed = parse(client.get("/feed/atom/"))
    assert parsed.entries[0].author == "Field Notes"

    set_setting(app, "author", "Site Owner")
    parsed = parse(client.get("/feed/atom/"))
    assert parsed.entries[0].author == "Site Owner"


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_empty_feed_is_still_valid(client, fmt):
    parsed = parse(client.get(f"/feed/{fmt}/"))

    assert parsed.entries == []
    assert parsed.feed.title == "Field Notes"


@pytest.mark.parametrize(
    "url",
    ["/tag/nope/feed/atom/", "/tag/nope/feed/rss/", "/category/nope/feed/atom/"],
)
def test_unknown_term_is_the_themed_404(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response.content_type == "text/html; charset=utf-8"
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_unknown_feed_format_is_404(client):
    assert client.get("/feed/json/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/feed/atom/", "/feed/rss/", "/tag/python/feed/rss/", "/sitemap.xml"]
)
def test_conditional_get_answers_304(client, tricky, url):
    first = client.get(url)
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})

    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert again.status_code == 304
    assert again.data == b""


def test_feeds_set_no_cookie(client, tricky):
    response = client.get("/feed/atom/")

    assert "Set-Cookie" not in response.headers


def test_render_takes_generic_entries():
    """A comment feed needs nothing but Entries of its own."""
    site = feeds.Site(url="http://example.org:8080", title="Site")
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    entry = feeds.Entry(
        id=feeds.tag_uri(site, moment, "/2024/05/06/post/#comment-1"),
        title="Comment by Zoë on <Post>",
        link=site.absolute("/2024/05/06/post/#comment-1"),
        published=moment,
        updated=moment,
        author="Zoë",
        content_html="<p>Nice &amp; short.</p>",
    )
    channel = feeds.Channel(
        id=site.absolute("/comments/"),
        title="Comments · Site",
        subtitle="",
        link=site.absolute("/"),
        self_link=site.absolute("/comments/feed/atom/"),
        author="Site",
    )

    body = feeds.render(channel, [entry], "atom")
    parsed = feedparser.parse(body)

    assert parsed.bozo == 0
    assert (
        parsed.entries[0].id == "tag:example.org,2024-05-06:/2024/05/06/post/#comment-1"
    )
    assert parsed.entries[0].title == "Comment by Zoë on <Post>"
    assert parsed.entries[0].content[0].value == "<p>Nice &amp; short.</p>"
    assert b"<summary" not in body


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("", ""),
        ("plain & text", "plain &amp; text"),
        (
            '<p>a <a href="/x/">x</a></p>\n<p><img src="y.png" alt=""></p>',
            '<p>a <a href="https://s.org/x/">x</a></p>\n'
            '<p><img src="https://s.org/2024/p/y.png" alt=""></p>',
        ),
        ('<a href="#fn1">1</a> tail', '<a href="https://s.org/2024/p/#fn1">1</a> tail'),
        ('<a href="https://else.org/">e</a>', '<a href="https://else.org/">e</a>'),
    ],
)
def test_absolute_links(fragment, expected):
    assert feeds.absolute_links(fragment, "https://s.org/2024/p/") == expected


def test_tag_uri_ignores_scheme_and_port():
    moment = datetime.datetime(2024, 1, 2, 23, 59)
    ids = {
        feeds.tag_uri(feeds.Site(url=url, title="t"), moment, "/a b/")
        for url in ("http://s.org", "https://s.org:8443/")
    }
    assert ids == {"tag:s.org,2024-01-02:/a%20b/"}


def test_sitemap_lists_public_posts_pages_and_archives(client, tricky):
    make_post(title="Draft", status=PostStatus.DRAFT, tags=["Hidden"])
    make_post(title="Scheduled", date=utcnow() + datetime.timedelta(days=1))
    about = make_post(title="About", kind="page", slug="about")
    make_post(title="Old page", kind="page", slug="old", status=PostStatus.UNPUBLISHED)

    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.data)
    urls = {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text
        for url in root
    }

    assert response.content_type == "application/xml; charset=utf-8"
    assert root.tag == f"{SITEMAP}urlset"
    assert all(url.tag == f"{SITEMAP}url" for url in root)
    posts = [tricky[key] for key in ("summarised", "bare", "unsummarised")]
    assert set(urls) == {
        f"{SITE_URL}/",
        f"{SITE_URL}/about/",
        *(f"{SITE_URL}{post.url}" for post in posts),
        f"{SITE_URL}/tag/python/",
        f"{SITE_URL}/tag/rock-roll/",
        f"{SITE_URL}/category/code/",
    }
    summarised = f"{SITE_URL}{tricky['summarised'].url}"
    assert urls[summarised] == "2024-03-01T12:30:00+00:00"
    assert urls[f"{SITE_URL}/about/"] == f"{about.date.isoformat()}+00:00"
    assert urls[f"{SITE_URL}/tag/rock-roll/"] == "2024-03-01T12:30:00+00:00"
    newest = max(feeds.last_modified(post) for post in posts)
    assert urls[f"{SITE_URL}/"] == newest.isoformat()


def test_sitemap_query_count_does_not_grow_with_posts(app, caplog):
    site = feeds.Site(url=SITE_URL, title="t")
    # As in a request, where site() read them: posts' addresses need the zone.
    app.extensions["settings"].all()

    def queries():
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="peewee"):
            urls = feeds.sitemap_urls(site)
        return len(caplog.records), len(urls)

    for n in range(3):
        make_post(tags=[f"t{n}"], categories=["c"], date=hours_after_2024(n))
    few = queries()
    for n in range(40):
        make_post(tags=[f"t{n}", "common"], categories=["c"], date=hours_after_2024(n))
    many = queries()

    assert few == (4, 1 + 3 + 3 + 1)
    assert many == (4, 1 + 43 + 41 + 1)


def test_a_sitemap_made_again_runs_the_queries_it_built_the_first_time(app):
    """A sitemap lists every post (10,000 on a big site): its queries are built
    once and read as records, not as peewee models with its date parsing."""
    site = feeds.Site(url=SITE_URL, title="t")
    app.extensions["settings"].all()
    make_post(tags=["t"], categories=["c"])
    with statements() as first:
        urls = feeds.sitemap_urls(site)
    with statements() as again:
        assert feeds.sitemap_urls(site) == urls

    assert len(again) == len(first) == 4
    assert all(sql is built for (sql, _), (built, _) in zip(again, first, strict=True))


def test_sitemap_of_an_empty_site_has_the_home_page(client):
    root = ET.fromstring(client.get("/sitemap.xml").data)

    assert [url.find(f"{SITEMAP}loc").text for url in root] == [f"{SITE_URL}/"]
    assert root[0].find(f"{SITEMAP}lastmod") is None


def test_robots_txt(client):
    response = client.get("/robots.txt")
    lines = response.get_data(as_text=True).splitlines()

    assert response.content_type == "text/plain; charset=utf-8"
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/" in lines
    assert not any(line in ("Disallow: /", "Disallow: /*") for line in lines)
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines


def test_pages_link_to_both_site_feeds(client, tricky):
    html = client.get("/").get_data(as_text=True)

    assert 'type="application/atom+xml" title="Field Notes" href="/feed/atom/"' in html
    assert 'type="application/rss+xml" title="Field Notes" href="/feed/rss/"' in html


@pytest.mark.parametrize("archive", ["/tag/python/", "/category/code/"])
def test_term_archives_link_to_their_feeds(client, tricky, archive):
    html = client.get(archive).get_data(as_text=True)

    for fmt in ("atom", "rss"):
        assert f'type="application/{fmt}+xml"' in html
        assert f'href="{archive}feed/{fmt}/"' in html
        assert client.get(f"{archive}feed/{fmt}/").status_code == 200


def test_date_archives_link_to_no_term_feed(client, tricky):
    html = client.get("/2024/").get_data(as_text=True)

    assert "/feed/atom/" in html
    assert not re.search(r'href="/(tag|category)/[^"]*/feed/', html)


def test_past_the_protocol_limit_the_sitemap_is_an_index_of_files(client, monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 3)
    for n in range(5):
        make_post(slug=f"p{n}", date=hours_after_2024(n))

    index = ET.fromstring(client.get("/sitemap.xml").data)
    files = [entry.find(f"{SITEMAP}loc").text for entry in index]
    listed = []
    for number, loc in enumerate(files, 1):
        assert loc == f"{SITE_URL}/sitemap-{number}.xml"
        part = ET.fromstring(client.get(urlsplit(loc).path).data)
        assert part.tag == f"{SITEMAP}urlset" and len(part) <= 3
        listed += [url.find(f"{SITEMAP}loc").text for url in part]

    assert index.tag == f"{SITEMAP}sitemapindex" and len(files) == 2
    assert index[0].find(f"{SITEMAP}lastmod").text.startswith("2024-01-01T04")
    assert listed == [url for url, _ in feeds.sitemap_urls(feeds.Site(SITE_URL, "t"))]
    assert client.get("/sitemap-3.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_one_sitemap_file_has_no_numbered_parts(client):
    make_post()
    assert client.get("/sitemap-1.xml").status_code == 404


def test_a_post_page_links_its_comment_feed(client, tricky):
    """Feed readers find a post's comment feed from the post, as WordPress
    readers are used to; the link named only the site's feeds."""
    post = tricky["summarised"]
    html = client.get(post.url).get_data(as_text=True)

    link = re.search(r'<link rel="alternate" [^>]*/comments/\d+/feed/"[^>]*>', html)
    assert link, "no comment feed link"
    assert f'href="/comments/{post.id}/feed/"' in link.group()
    assert 'type="application/atom+xml"' in link.group()
    assert client.get(f"/comments/{post.id}/feed/").status_code == 200


def canonical(html: str) -> list[str]:
    return re.findall(r'<link rel="canonical" href="([^"]*)">', html)


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("/", "/"),
        ("/?ref=mail", "/"),
        ("/tag/python/?utm_source=x", "/tag/python/"),
        ("/2024/02/", "/2024/02/"),
        ("{post}", "{post}"),
        ("{post}?utm_source=x", "{post}"),
        ("/about/", "/about/"),
    ],
)
def test_pages_name_their_one_address_for_search_engines(client, tricky, path, address):
    make_post(title="About", slug="about", kind="page")
    post = tricky["summarised"].url
    html = client.get(path.format(post=post)).get_data(as_text=True)

    assert canonical(html) == [SITE_URL + address.format(post=post)]


def test_a_later_page_of_a_listing_is_its_own_canonical_address(app, client):
    set_setting(app, "posts_per_page", 1)
    make_post()
    make_post()

    html = client.get("/?page=2&ref=mail").get_data(as_text=True)

    assert canonical(html) == [f"{SITE_URL}/?page=2"]


def test_search_results_and_errors_name_no_canonical_address(client, tricky):
    assert canonical(client.get("/search/?q=summary").get_data(as_text=True)) == []
    assert canonical(client.get("/no/such/page/").get_data(as_text=True)) == []


def test_every_page_links_the_sites_comment_feed(client, tricky):
    html = client.get("/").get_data(as_text=True)

    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Comments · Field Notes" href="/comments/feed/">'
    ) in html


@pytest.mark.parametrize(
    ("status", "code"), [(PostStatus.UNPUBLISHED, 410), (PostStatus.TRASH, 404)]
)
def test_a_taken_down_posts_comment_feed_is_gone_as_the_post_is(client, status, code):
    """410 tells a feed reader to stop asking, as the post's own page does."""
    post = make_post()
    make_comment(post)
    Post.update(status=status).where(Post.id == post.id).execute()
    invalidate_pages()

    assert client.get(post.url).status_code == code
    assert client.get(f"/comments/{post.id}/feed/").status_code == code


def test_a_feed_made_again_parses_no_post_again(app):
    """An approved comment has every page made afresh, feeds too, their posts
    unchanged: parsing a long post's HTML again took 3-5 ms a post."""
    make_post(body="A [relative](/about/) link and ![a picture](pic.png).")
    client = app.test_client()
    first = client.get("/feed/atom/").get_data(as_text=True)
    before = feeds.absolute_links.cache_info()
    invalidate_pages()
    again = client.get("/feed/atom/").get_data(as_text=True)
    after = feeds.absolute_links.cache_info()

    assert f'href="{SITE_URL}/about/"' in again
    assert again == first
    # Made again (not served from the page cache), with nothing parsed again.
    assert after.hits > before.hits
    assert after.misses == before.misses
