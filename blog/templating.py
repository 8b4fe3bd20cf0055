"""Jinja filters and globals shared by every theme."""

import datetime
import hashlib
import re
from functools import lru_cache, partial
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from flask import current_app, request, url_for
from slugify import slugify

from .models import Post
from .term_models import name_slug


def ordinal(day: int) -> str:
    suffix = (
        "th"
        if 11 <= day % 100 <= 13
        else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    )
    return f"{day}{suffix}"


# A page shows the same few hundred dates each time it is rendered again (its
# comments' times, its posts' days), and strftime costs 2-4 us a call.
@lru_cache(maxsize=8192)
def format_date(moment: datetime.datetime, fmt: str, tz: str = "UTC") -> str:
    """strftime in the site's time zone, with %o for the ordinal day ("23rd")."""
    if moment.tzinfo is not None:
        local = moment.astimezone(ZoneInfo(tz))
    elif tz == "UTC" and "%z" not in fmt.lower():
        local = moment  # stored times are naive UTC; only %z/%Z need a zone
    else:
        local = moment.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(tz))
    if "%o" in fmt:
        fmt = fmt.replace("%o", ordinal(local.day))
    return local.strftime(fmt)


def site_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _settings():
    return current_app.extensions["settings"]


def _date_filter(settings, moment, fmt=None):
    if moment is None:
        return ""
    return format_date(moment, fmt or settings["date_format"], settings["timezone"])


@lru_cache(maxsize=8192)
def _iso_filter(moment):
    # HTML's datetime takes at most three decimals of a second: a comment's
    # microseconds would make its <time> unreadable to validators and parsers.
    if not moment:
        return ""
    return moment.replace(tzinfo=datetime.UTC).isoformat(timespec="seconds")


@lru_cache(maxsize=1024)
def _digest(path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def theme_static(filename: str) -> str:
    """URL of a theme's static file, versioned by its content."""
    themes = current_app.extensions["themes"]
    # Resolving the theme chain costs a stat per folder and url_for another
    # 20 µs; a page asks for the same few files every time.
    key = (request.script_root, filename)
    found = themes.static_urls.get(key)
    if found is None:
        path = themes.find("static", filename)
        url = url_for("reader.theme_static", filename=filename)
        found = themes.static_urls[key] = (path, url)
    path, url = found
    # Not by modification time: a clone gives every file the same second, and
    # two themes' palette.css would share a URL that browsers keep for a year.
    try:
        info = path.stat() if path else None
        version = _digest(path, info.st_mtime_ns, info.st_size) if info else 0
    except OSError:
        version = 0
    return f"{url}?v={version}"


# A code block or table wider than the column scrolls sideways, and only what
# takes the focus can be scrolled from the keyboard (WCAG 2.1.1).
_SCROLLER = re.compile(r"<(pre|table)(?=[\s>])(?![^>]*\stabindex=)")


def keyboard_scrollable(html: str) -> str:
    """Give each <pre> and <table> of a rendered text a tab stop."""
    if "<pre" not in html and "<table" not in html:
        return html
    return _SCROLLER.sub(r'<\1 tabindex="0"', html)


def page_url(number: int) -> str:
    """This list's URL at page `number`, keeping the other query arguments."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    # Page 1 has one address, the one without ?page.
    if number > 1:
        args["page"] = [str(number)]
    # No host: cached pages are shared by every Host header a request may carry.
    path = quote(request.script_root + request.path)
    query = urlencode(args, doseq=True)
    return f"{path}?{query}" if query else path


def sentence(text: str) -> str:
    """A message as a sentence; unlike |capitalize, the rest keeps its case
    (a user name quoted in it is the name as typed)."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def canonical_url(number: int = 1, arg: str = "page", path: str | None = None) -> str:
    """This page's one absolute address for search engines: tracking and
    other arguments dropped, the page number (?page= of a listing, ?cpage=
    of a post's comments) kept past the first page. path: the page's own
    address, when the request was sent elsewhere (a form shown again)."""
    url = current_app.config["SITE_URL"].rstrip("/") + quote(path or request.path)
    return f"{url}?{arg}={number}" if number > 1 else url


def init_app(app):
    # The app's own settings, bound once: a page formats dates per comment,
    # and current_app is a context-local lookup on every use.
    settings = app.extensions["settings"]
    app.jinja_env.filters["date"] = partial(_date_filter, settings)
    app.jinja_env.filters["isodate"] = _iso_filter
    app.jinja_env.filters["slugify"] = slugify
    app.jinja_env.filters["name_slug"] = name_slug
    app.jinja_env.filters["sentence"] = sentence
    app.jinja_env.filters["keyboard_scrollable"] = keyboard_scrollable
    app.jinja_env.globals.update(
        theme_static=theme_static,
        page_url=page_url,
        canonical_url=canonical_url,
        site=_settings,
        nav_pages=Post.navigation,
        today=lambda: _date_filter(settings, site_now()),
    )
