"""The reader's site: home, posts, pages, archives, search and media."""

import datetime
import time
import unicodedata
from functools import partial
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from werkzeug.exceptions import NotFound

from .. import cache, search, templating
from ..models import Post, PostStatus, utcnow
from ..pagination import (
    BadPageNumber,
    counted_page,
    page_number,
    page_query,
    paginate,
)
from ..term_models import Category, PostCategory, PostTag, Tag, name_slug

bp = Blueprint("reader", __name__)

# A cached page is trusted at most this long even if nothing bumps the generation.
CACHE_SECONDS = 3600
MEDIA_MAX_AGE = 365 * 24 * 3600
ARCHIVE_PATHS = {"year": "/%Y/", "month": "/%Y/%m/", "day": "/%Y/%m/%d/"}


def settings():
    return current_app.extensions["settings"]


def cacheable(shows_comments: bool = True):
    """Mark this response as the same for every reader until the next change;
    a page that shows no comment, until the next change but a comment's."""
    now = time.time()
    until = now + CACHE_SECONDS
    scheduled = Post.next_scheduled()
    if scheduled is not None:
        until = min(until, scheduled.replace(tzinfo=datetime.UTC).timestamp())
    tz = ZoneInfo(settings()["timezone"])
    tomorrow = datetime.datetime.now(tz).date() + datetime.timedelta(days=1)
    # The top bar shows today's date.
    until = min(
        until, datetime.datetime.combine(tomorrow, datetime.time(), tz).timestamp()
    )
    request.environ["blog.cacheable"] = until
    request.environ[cache.SHOWS_COMMENTS] = shows_comments


def page_asked(name: str = "page") -> int:
    """The number of the listing page asked for (of a post's comments, with
    name "cpage"), at its one address: page 1 is the listing itself,
    ?page=02 is ?page=2 written otherwise (301)."""
    try:
        number = page_number(request.args.get(name))
    except BadPageNumber as error:
        # An address naming no page is a missing page, as one past the last is.
        raise NotFound(str(error)) from error
    if request.method not in ("GET", "HEAD"):
        return number  # a comment form shown again, where it was sent
    args = list(request.args.items(multi=True))
    query = page_query(args, number, name)
    if query != urlencode(args):
        abort(redirect(request.path + (f"?{query}" if query else ""), 301))
    return number


def listing(template, query, **context):
    # Archives are in date order: a sticky post is pinned on the home page only.
    page = paginate(
        query.select(*Post.listing_fields()).order_by(Post.date.desc(), Post.id.desc()),
        page_asked(),
        settings()["posts_per_page"],
    )
    return _render_listing(template, page, **context)


def _render_listing(template, page, **context):
    ids = [post.id for post in page.items]
    # No theme can show a comment count here: a listing's rows carry none.
    cacheable(shows_comments=False)
    return render_template(
        template,
        page=page,
        tags=Tag.by_post(ids),
        categories=Category.by_post(ids),
        **context,
    )


@bp.get("/")
def home():
    # The busiest listing runs queries built once (Post.published_page).
    now = utcnow()
    page = counted_page(
        Post.count_published(now),
        page_asked(),
        settings()["posts_per_page"],
        partial(Post.published_page, now),
    )
    return _render_listing("index.html", page)


def _local_range(year, month=None, day=None):
    """Start and end (naive UTC) of a year, month or day in the site's time zone."""
    tz = ZoneInfo(settings()["timezone"])
    try:
        start = datetime.datetime(year, month or 1, day or 1, tzinfo=tz)
    except ValueError:
        abort(404)
    if day:
        end = start + datetime.timedelta(days=1)
    elif month:
        end = start.replace(year=year + month // 12, month=month % 12 + 1)
    else:
        end = (
            start.replace(year=year + 1)
            if year < 9999
            else start.replace(month=12, day=31)
        )
    try:
        utc = [
            moment.astimezone(datetime.UTC).replace(tzinfo=None)
            for moment in (start, end)
        ]
    except OverflowError:
        # East of UTC, 1 January of year 1 begins in year 0 in UTC.
        abort(404)
    return utc[0], utc[1], start


@bp.get("/<int:year>/")
@bp.get("/<int:year>/<int:month>/")
@bp.get("/<int:year>/<int:month>/<int:day>/")
def archive(year, month=None, day=None):
    # Month or day 0 would otherwise read as "not given": /2024/00/ is not 2024.
    if not 1 <= year <= 9998 or 0 in (month, day):
        abort(404)
    start, end, local = _local_range(year, month, day)
    kind = "day" if day else "month" if month else "year"
    # /2024/3/ and /02024/ are /2024/03/ and /2024/ written otherwise: one
    # address per archive, padded as post addresses are.
    canonical = local.strftime(ARCHIVE_PATHS[kind])
    if request.path != canonical:
        return _same_page_at(canonical)
    query = Post.published().where((Post.date >= start) & (Post.date < end))
    period = "%Y" if not month else "%B %Y" if not day else None
    title = local.strftime(period) if period else None
    return listing(
        "archive.html",
        query,
        archive_title=title,
        archive_start=local,
        archive_kind=kind,
    )


def not_shown(found):
    """Abort for a post readers may not see: 410 Gone for one taken down (a
    feed reader stops asking), 404 for one never shown or trashed."""
    abort(410 if found and found.status == PostStatus.UNPUBLISHED else 404)


def missing_post(post_id: int):
    """Abort for the post of this id, which readers may not see."""
    not_shown(Post.get_or_none(Post.id == post_id))


@bp.get("/<int:year>/<int:month>/<int:day>/<slug>/")
def post(year, month, day, slug):
    found = Post.lookup("post", slug)
    if found is None or not found.is_public:
        not_shown(found)
    if request.path != found.url:
        return _same_page_at(found.url)
    return show(found)


def show(post):
    from .. import related

    ids = [post.id]
    neighbours = {}
    if post.kind == "post":
        previous, following = post.neighbours(utcnow())
        neighbours = {"previous": previous, "next": following}
    context = {
        "post": post,
        "tags": Tag.by_post(ids)[post.id],
        "categories": Category.by_post(ids)[post.id],
        "related": related.for_post(post, settings()["related_count"]),
        **neighbours,
    }
    context.update(comment_context(post))
    cacheable()
    template = (
        [post.template, f"{post.kind}.html"] if post.template else f"{post.kind}.html"
    )
    return render_template(template, **context)


def comment_context(post) -> dict:
    """What the comments area of a post needs; the comments module fills it in."""
    hook = current_app.extensions.get("comment_context")
    return hook(post) if hook else {}


def _same_page_at(path: str):
    """A permanent redirect to this page's one address, keeping the query."""
    query_string = request.query_string.decode()
    return redirect(path + (f"?{query_string}" if query_string else ""), 301)


def term_posts(model, link, slug):
    """The tag or category of this slug and the query of its public posts.

    A term of drafts or scheduled posts only is a 404, as is its feed: its
    name is not the reader's to see before one of them is published.
    """
    # One address per term: "cafe\u0301" (as some systems type it) is "café".
    composed = unicodedata.normalize("NFC", slug)
    if composed != slug:
        abort(_same_page_at(request.path.replace(slug, composed, 1)))
    found = model.get_or_none(model.slug == slug) or abort(404)
    query = Post.published().join(link.model).where(link == found)
    if not query.exists():
        abort(404)
    return found, query


@bp.get("/tag/<slug>/")
def tag(slug):
    found, query = term_posts(Tag, PostTag.tag, slug)
    return listing(
        "archive.html",
        query,
        archive_title=f"Tag: {found.name}",
        term=found,
        archive_kind="tag",
    )


@bp.get("/category/<slug>/")
def category(slug):
    found, query = term_posts(Category, PostCategory.category, slug)
    return listing(
        "archive.html",
        query,
        archive_title=f"Category: {found.name}",
        term=found,
        archive_kind="category",
    )


@bp.get("/author/<slug>/")
def author(slug):
    # Only authors of public posts: a draft's byline is not the reader's to see.
    query = Post.published()
    names = [row.author for row in query.select(Post.author).distinct()]
    matching = [name for name in names if name and name_slug(name) == slug]
    if not matching:
        abort(404)
    query = query.where(Post.author.in_(matching))
    return listing(
        "archive.html",
        query,
        archive_title=f"Author: {matching[0]}",
        archive_kind="author",
    )


@bp.get("/search/")
def search_page():
    # Past what the search box allows, search the start rather than refuse.
    typed = request.args.get("q", "").strip()
    terms = typed[: search.MAX_QUERY_LENGTH].strip()
    number = page_number(request.args.get("page"))
    results = (
        search.query(terms, number, settings()["posts_per_page"]) if terms else None
    )
    cacheable(shows_comments=False)
    return render_template(
        "search.html",
        terms=terms,
        results=results,
        cut_at=search.MAX_QUERY_LENGTH if len(typed) > len(terms) else None,
    )


@bp.get("/<slug>/")
def page(slug):
    found = Post.lookup("page", slug)
    if found is None or not found.is_public:
        not_shown(found)
    return show(found)


@bp.get("/media/<path:filename>")
def media(filename):
    """Files from content/media, then uploads kept in the instance folder."""
    folders = (
        Path(current_app.config["CONTENT_DIR"]) / "media",
        current_app.config["MEDIA_DIR"],
    )
    for folder in folders:
        try:
            return send_from_directory(folder, filename, max_age=MEDIA_MAX_AGE)
        except NotFound:
            continue
    abort(404)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico where a page names no icon (a feed opened
    in a tab): the theme's icon instead of a 404 in the console."""
    return redirect(templating.theme_static("favicon.svg"), 302)


@bp.get("/static/<path:filename>")
def theme_static(filename):
    """A theme's static file; URLs carry a version, so it may be cached for a year."""
    path = current_app.extensions["themes"].find("static", filename)
    if path is None:
        abort(404)
    return send_from_directory(path.parent, path.name, max_age=MEDIA_MAX_AGE)
