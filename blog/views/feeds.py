"""Feeds, sitemap and robots.txt: what machines read about the reader's site."""

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app

from .. import feeds
from ..models import Post
from ..term_models import Category, PostCategory, PostTag, Tag
from .reader import cacheable, settings, term_posts

bp = Blueprint("feeds", __name__)

FORMAT = "<any(atom, rss):fmt>"
# None of these pages shows a comment: an approved comment leaves them cached.


def site() -> feeds.Site:
    values = settings()
    url = current_app.config["SITE_URL"]
    return feeds.Site(
        url=url,
        title=values["title"] or urlsplit(url).hostname or url,
        tagline=values["tagline"],
        author=values["author"],
    )


def feed_response(query, fmt: str, path: str, label: str = ""):
    current = site()
    posts, tags, categories = feeds.latest(query)
    body = feeds.render(
        feeds.channel(current, path, fmt, label),
        feeds.post_entries(posts, current, tags, categories),
        fmt,
    )
    cacheable(shows_comments=False)
    return Response(body, content_type=f"{feeds.MEDIA_TYPES[fmt]}; charset=utf-8")


@bp.get(f"/feed/{FORMAT}/")
def site_feed(fmt):
    return feed_response(Post.published(), fmt, "/")


@bp.get("/feed/")
def default_feed():
    return site_feed("atom")


@bp.get(f"/tag/<slug>/feed/{FORMAT}/")
def tag_feed(slug, fmt):
    found, query = term_posts(Tag, PostTag.tag, slug)
    return feed_response(query, fmt, f"/tag/{found.slug}/", f"Tag: {found.name}")


@bp.get(f"/category/<slug>/feed/{FORMAT}/")
def category_feed(slug, fmt):
    found, query = term_posts(Category, PostCategory.category, slug)
    label = f"Category: {found.name}"
    return feed_response(query, fmt, f"/category/{found.slug}/", label)


@bp.get("/sitemap.xml")
def sitemap():
    parts = feeds.sitemap_parts(feeds.sitemap_urls(site()))
    if len(parts) <= 1:
        body = feeds.sitemap(parts[0] if parts else [])
    else:
        body = feeds.sitemap_index(site(), parts)
    cacheable(shows_comments=False)
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number):
    parts = feeds.sitemap_parts(feeds.sitemap_urls(site()))
    # One file needs no index: its URLs live at /sitemap.xml alone.
    if len(parts) <= 1 or not 1 <= number <= len(parts):
        abort(404)
    cacheable(shows_comments=False)
    body = feeds.sitemap(parts[number - 1])
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.get("/robots.txt")
def robots():
    cacheable(shows_comments=False)
    return Response(feeds.robots(site()), content_type="text/plain; charset=utf-8")
