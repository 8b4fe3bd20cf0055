"""Atom and RSS feeds, the sitemap and robots.txt, built from plain values.

A feed is a Channel (what the feed is about) and a list of Entries (what is in
it); render() turns both into Atom or RSS 2.0 with feedgen. Posts become
entries through post_entries(). Another kind of feed (comments, say) needs
only its own small function that makes Entries, and then calls render().
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from urllib.parse import quote, urlsplit

import lxml.html
from feedgen.feed import FeedGenerator
from peewee import fn

from .models import Post, utcnow
from .prepared import Prepared
from .term_models import Category, PostCategory, PostTag, Tag

FEED_SIZE = 20
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# An empty feed still needs a date; a fixed one keeps its ETag equal in every worker.
EMPTY_FEED_UPDATED = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SUMMARY_WORDS = 55
# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Reserved and already-escaped characters stay; spaces and non-ASCII get escaped.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
# A whole IRI (tag:, http:, urn:...); the kept day-and-path ids start with a digit.
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Site:
    url: str
    title: str
    tagline: str = ""
    author: str = ""

    def absolute(self, path: str) -> str:
        """The absolute URL of a site path, percent-escaped as URLs must be."""
        return self.url.rstrip("/") + quote(path, safe=_URL_SAFE)


@dataclass(frozen=True)
class Term:
    """A category of an entry: a tag or a category of the blog."""

    term: str
    label: str
    scheme: str = ""


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    published: datetime.datetime
    updated: datetime.datetime
    author: str
    content_html: str
    summary_html: str = ""
    categories: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Channel:
    id: str
    title: str
    subtitle: str
    link: str
    self_link: str
    author: str


def utc(moment: datetime.datetime) -> datetime.datetime:
    """A stored (naive UTC) or aware time as an aware UTC time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def last_modified(post) -> datetime.datetime:
    """When a post last changed for a reader: its date, or a later update."""
    return utc(max(post.date, post.updated or post.date))


def tag_uri(site: Site, moment: datetime.datetime, path: str) -> str:
    """An RFC 4151 id that survives a move from http to https or a new port."""
    day = f"{utc(moment):%Y-%m-%d}"
    return f"tag:{_authority(site)},{day}:{quote(path, safe=_URL_SAFE)}"


def _authority(site: Site) -> str:
    return urlsplit(site.url).hostname or "localhost"


def entry_id(post, site: Site) -> str:
    """A post's Atom id, the same whatever becomes of its slug, title or date:
    a feed reader shows an entry with a new id as a new post (RFC 4287 4.2.6)."""
    if post.feed_id and _ABSOLUTE.match(post.feed_id):
        return post.feed_id  # brought in by an import: the id readers know
    if post.feed_id:
        return f"tag:{_authority(site)},{post.feed_id}"
    return tag_uri(site, post.created_at, f"post/{post.id}")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


# A feed is rendered afresh after every approved comment, its posts unchanged:
# parsing a long post took 3-5 ms, most of a feed's time.
@lru_cache(maxsize=128)
def absolute_links(fragment: str, base: str) -> str:
    """HTML with every link and image made absolute: feed readers have no base."""
    if not fragment.strip():
        return fragment
    wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
    wrapper.make_links_absolute(base, handle_failures="ignore")
    children = (lxml.html.tostring(child, encoding="unicode") for child in wrapper)
    return escape(wrapper.text or "", quote=False) + "".join(children)


def excerpt(text: str, words: int = SUMMARY_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def channel(site: Site, path: str, fmt: str, label: str = "") -> Channel:
    """The feed of an archive page at path ("/" for the whole site)."""
    return Channel(
        id=site.absolute(path),
        title=f"{label} · {site.title}" if label else site.title,
        subtitle=site.tagline,
        link=site.absolute(path),
        self_link=site.absolute(f"{path}feed/{fmt}/"),
        author=site.author or site.title,
    )


def post_entry(post, site: Site, tags=(), categories=()) -> Entry:
    link = site.absolute(post.url)
    terms = [Term(c.slug, c.name, site.absolute("/category/")) for c in categories]
    terms += [Term(t.slug, t.name, site.absolute("/tag/")) for t in tags]
    summary = post.summary_html or escape(excerpt(post.body_text), quote=False)
    return Entry(
        id=entry_id(post, site),
        title=post.title,
        link=link,
        published=utc(post.date),
        updated=last_modified(post),
        author=post.author or site.author or site.title,
        content_html=absolute_links(post.body_html, link),
        summary_html=absolute_links(summary, link),
        categories=tuple(terms),
    )


def post_entries(posts, site: Site, tags: dict, categories: dict) -> list[Entry]:
    """Entries of posts, with their terms from Tag.by_post / Category.by_post."""
    return [
        post_entry(post, site, tags.get(post.id, ()), categories.get(post.id, ()))
        for post in posts
    ]


def render(feed: Channel, entries: Iterable[Entry], fmt: str) -> bytes:
    """The feed as Atom ("atom") or RSS 2.0 ("rss"), UTF-8 encoded."""
    entries = list(entries)
    generator = FeedGenerator()
    # RSS <author> must be an email address, which we never publish: dc:creator.
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(feed.id)
    generator.title(xml_text(feed.title))
    generator.subtitle(xml_text(feed.subtitle or feed.title))
    generator.author(name=xml_text(feed.author))
    # feedgen takes the RSS <link> from the last link given.
    generator.link(href=feed.self_link, rel="self", type=MEDIA_TYPES[fmt])
    generator.link(href=feed.link, rel="alternate", type="text/html")
    generator.updated(
        max((entry.updated for entry in entries), default=EMPTY_FEED_UPDATED)
    )
    for entry in entries:
        _add_entry(generator, entry)
    if fmt == "rss":
        return generator.rss_str(pretty=True)
    return generator.atom_str(pretty=True)


def _add_entry(generator: FeedGenerator, entry: Entry):
    item = generator.add_entry(order="append")
    item.id(entry.id)
    item.title(xml_text(entry.title))
    item.link(href=entry.link, rel="alternate", type="text/html")
    item.published(entry.published)
    item.updated(entry.updated)
    item.author(name=xml_text(entry.author))
    item.dc.dc_creator(xml_text(entry.author))
    for term in entry.categories:
        fields = {"term": xml_text(term.term), "label": xml_text(term.label)}
        item.category(fields | ({"scheme": term.scheme} if term.scheme else {}))
    if entry.summary_html:
        item.summary(xml_text(entry.summary_html), type="html")
    item.content(xml_text(entry.content_html), type="html")


def latest(query, limit: int = FEED_SIZE):
    """The newest posts of a query, with their tags and categories (3 queries)."""
    order = (Post.date.desc(), Post.id.desc())
    # Pick the newest ids first, then load only those: post bodies stay out of
    # the sort (on SQLite without a date index, 130 ms against 12 at 10,000 posts).
    newest = query.select(Post.id).order_by(*order).limit(limit)
    posts = list(Post.select().where(Post.id.in_(newest)).order_by(*order))
    ids = [post.id for post in posts]
    return posts, Tag.by_post(ids), Category.by_post(ids)


def sitemap_urls(site: Site, now=None) -> list[tuple[str, datetime.datetime | None]]:
    """Every public page worth indexing with its last change, in four queries."""
    now = now or utcnow()
    pages = _changes(site, _SITEMAP_PAGES.records(Post, now))
    posts = _changes(site, _SITEMAP_POSTS.records(Post, now))
    newest = max((changed for _url, changed in posts), default=None)
    urls = [(site.absolute("/"), newest), *pages, *posts]
    for kind, query in (("category", _CATEGORY_CHANGES), ("tag", _TAG_CHANGES)):
        for row in query.records(Post, now):
            urls.append((site.absolute(f"/{kind}/{row.slug}/"), last_modified(row)))
    return urls


def _changes(site: Site, rows) -> list[tuple[str, datetime.datetime]]:
    return [(site.absolute(row.url), last_modified(row)) for row in rows]


def _archive_changes(model, link, now):
    """(slug, last change) of every term having a public post, with one query."""
    return (
        Post.published(now)
        .select(
            model.slug,
            fn.MAX(Post.date).alias("date"),
            fn.MAX(Post.updated).alias("updated"),
        )
        .join(link)
        .join(model)
        .group_by(model.slug)
        .order_by(model.slug)
    )


# Built once, read as records: a sitemap lists every post, 10,000 on a big
# site, and peewee's models and date parsing took most of its time.
_SITEMAP_COLUMNS = (Post.kind, Post.slug, Post.date, Post.updated)
_SITEMAP_PAGES = Prepared(lambda now: Post.pages(now).select(*_SITEMAP_COLUMNS))
_SITEMAP_POSTS = Prepared(
    lambda now: Post.published(now).select(*_SITEMAP_COLUMNS).order_by(Post.date.desc())
)
_CATEGORY_CHANGES = Prepared(lambda now: _archive_changes(Category, PostCategory, now))
_TAG_CHANGES = Prepared(lambda now: _archive_changes(Tag, PostTag, now))


# URLs one sitemap file may hold (sitemaps.org); past it, an index of files.
SITEMAP_LIMIT = 50_000


def sitemap_parts(urls: list) -> list[list]:
    """The URLs cut into files the protocol allows, in order."""
    return [
        urls[start : start + SITEMAP_LIMIT]
        for start in range(0, len(urls), SITEMAP_LIMIT)
    ]


def sitemap_index(site: Site, parts: list[list]) -> bytes:
    """A sitemaps.org sitemapindex of /sitemap-N.xml: each file's newest change."""
    files = [
        (
            site.absolute(f"/sitemap-{number}.xml"),
            max((changed for _loc, changed in part if changed), default=None),
        )
        for number, part in enumerate(parts, 1)
    ]
    return _sitemap_xml("sitemapindex", "sitemap", files)


def sitemap(urls: Iterable[tuple[str, datetime.datetime | None]]) -> bytes:
    """A sitemaps.org urlset; lastmod in W3C datetime, UTC."""
    return _sitemap_xml("urlset", "url", urls)


def _sitemap_xml(root: str, entry: str, entries) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<{root} xmlns="{SITEMAP_NS}">\n',
    ]
    for loc, changed in entries:
        lastmod = f"<lastmod>{utc(changed).isoformat()}</lastmod>" if changed else ""
        parts.append(f"<{entry}><loc>{escape(loc)}</loc>{lastmod}</{entry}>\n")
    parts.append(f"</{root}>\n")
    return "".join(parts).encode()


def robots(site: Site) -> str:
    """robots.txt: everything public may be crawled; admin and search may not."""
    return (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /search/\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {site.absolute('/sitemap.xml')}\n"
    )
