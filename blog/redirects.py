"""Old addresses that answer 301 with the new one (a WordPress site's permalinks).

Normal pages never pay for this: the table is read only when no route
answered (a 404), or for WordPress's query-string links such as /?p=123, and
then with one indexed lookup.
"""

from flask import current_app, redirect, request
from peewee import EXCLUDED
from werkzeug.exceptions import HTTPException, NotFound

from .models import Post, Redirect
from .views.errors import render_error

# WordPress's links by query string on the home page: /?p=123, /?page_id=7, ...
QUERY_KEYS = ("p", "page_id", "cat", "tag", "feed")
# WordPress's site-wide feeds that have no route of the same path here
# (/feed/, /feed/atom/ and /comments/feed/ do).
WORDPRESS_FEEDS = {
    "/feed/rss2/": "/feed/rss/",
    "/feed/rdf/": "/feed/rss/",
    "/comments/feed/rss2/": "/comments/feed/",
    "/comments/feed/atom/": "/comments/feed/",
    "/?feed=rss2": "/feed/rss/",
    "/?feed=atom": "/feed/atom/",
}


_READS = ("GET", "HEAD")


def is_local(target: str) -> bool:
    """Only paths on this site: a stored row can never send readers elsewhere."""
    return target.startswith("/") and not target.startswith(("//", "/\\"))


def lookup(paths: list[str]) -> str | None:
    row = (
        Redirect.select(Redirect.target)
        .where(Redirect.old_path.in_(paths))
        .limit(1)
        .first()
    )
    if row is None or not is_local(row.target) or _hidden(row.target):
        return None
    return row.target


# The reader's endpoints that show one post or page, and its kind.
_KINDS = {"reader.post": "post", "reader.page": "page"}


def _hidden(target: str) -> bool:
    """Whether target is a post or page readers may not see (a draft, or one
    waiting for its date): its address would tell its title, and /?p=1, 2, ...
    every one."""
    try:
        endpoint, args = current_app.url_map.bind("").match(target.split("?")[0])
    except HTTPException:
        return False
    if endpoint not in _KINDS:
        return False
    found = Post.lookup(_KINDS[endpoint], args["slug"])
    return found is not None and not found.is_public


def remember_all(moves: dict[str, str]) -> int:
    """Store old path -> new path pairs, replacing older targets; return the count."""
    wanted = {
        old[:500]: new for old, new in moves.items() if old != new and is_local(new)
    }
    rows = [{"old_path": old, "target": new} for old, new in wanted.items()]
    for start in range(0, len(rows), 200):
        Redirect.insert_many(rows[start : start + 200]).on_conflict(
            conflict_target=[Redirect.old_path],
            update={Redirect.target: EXCLUDED.target},
        ).execute()
    return len(rows)


def _query_redirect():
    if request.path != "/" or not request.args or request.method not in _READS:
        return None
    key = next((k for k in QUERY_KEYS if k in request.args), None)
    if key is None:
        return None
    target = lookup([f"/?{key}={request.args[key]}"])
    return redirect(target, 301) if target else None


def _not_found(error: NotFound):
    if request.method in _READS:
        path = request.path
        candidates = [path] if path.endswith("/") else [path, path + "/"]
        target = lookup(candidates)
        if target:
            return redirect(target, 301)
    described = error.description != NotFound.description
    return render_error(404, error.description if described else None)


def init_app(app):
    app.before_request(_query_redirect)
    app.register_error_handler(NotFound, _not_found)
