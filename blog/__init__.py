"""A comment-moderated blog publishing engine."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request
from flask_wtf import CSRFProtect
from werkzeug.routing import IntegerConverter, RequestRedirect

from . import cache, config, db, templating
from .comments import word_index
from .settings import Settings
from .themes import ThemeError, ThemeLoader, Themes

csrf = CSRFProtect()

# Images from anywhere: authors link them (an imported WordPress post keeps
# its images on the old site) and the post allowlist passes http(s) sources;
# comments carry no images at all.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src * data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Set on every response that does not set its own.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Only on a site served over https: a browser that saw it refuses plain http
# to the host for a year, so a network attacker cannot strip the TLS.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


class DatabaseInteger(IntegerConverter):
    """An <int:...> of an address, at most what a database id column holds.

    A larger one matches no route (404) instead of reaching SQLite, which
    refuses it with an OverflowError (a 500).
    """

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config=None):
    """Create and configure the application."""
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "BLOG_INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        instance_path=instance and str(Path(instance).resolve()),
        instance_relative_config=True,
        static_folder=None,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # Before any route: every <int:...> in an address is bounded.
    app.url_map.converters["int"] = DatabaseInteger
    config.load(app, test_config)
    app.extensions["security_headers"] = _security_headers(app.config)
    db.init(app.config["DATABASE_URL"])
    csrf.init_app(app)

    app.extensions["settings"] = Settings()
    app.extensions["generation"] = cache.make_generation(app.config, app.instance_path)
    app.extensions["pages"] = cache.PageStore()
    app.extensions["themes"] = Themes(
        app.config["THEMES_DIR"], app.config["THEME"], app.config["THEME_OVERRIDES_DIR"]
    )
    app.jinja_loader = ThemeLoader(app.extensions["themes"])
    app.jinja_env.auto_reload = True
    templating.init_app(app)

    from .views import comments, errors, feeds, reader

    app.register_blueprint(reader.bp)
    app.register_blueprint(feeds.bp)
    comments.init_app(app)
    errors.init_app(app)
    _init_admin(app)
    app.before_request(_before_request)
    app.after_request(_after_request)

    from . import cli, redirects

    cli.init_app(app)
    redirects.init_app(app)
    if app.config["PAGE_CACHE"]:
        app.wsgi_app = cache.PageCache(
            app.wsgi_app,
            app.extensions["generation"],
            app.extensions["pages"],
            bypass_cookies=(app.config["SESSION_COOKIE_NAME"], "blog_pending"),
        )
    return app


def _security_headers(config) -> dict[str, str]:
    headers = dict(SECURITY_HEADERS)
    if config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return headers


def _init_admin(app):
    """Sign-in, the dashboard and the moderation queue."""
    from . import auth
    from .views import admin, moderation
    from .views import auth as auth_views

    auth.init_app(app)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(moderation.bp)


def _before_request():
    # No address of ours holds a NUL, and PostgreSQL refuses one in any query.
    if "\x00" in request.path or b"%00" in request.query_string:
        abort(400)
    # Werkzeug reads //tag/x/ as /tag/x/: one page, then, at one address.
    if request.environ.get("PATH_INFO", "").startswith("//"):
        query = request.query_string.decode()
        return redirect(request.path + (f"?{query}" if query else ""), 301)
    if isinstance(request.routing_exception, RequestRedirect):
        return _redirect_on_this_site(request.routing_exception)
    db.connect()
    generation = cache.seen_generation(
        request.environ, current_app.extensions["generation"]
    )
    # Another worker published or changed settings: the theme may have changed too.
    if current_app.extensions.get("seen_generation") != generation.posts:
        current_app.extensions["seen_generation"] = generation.posts
        settings = current_app.extensions["settings"]
        settings.reload()
        theme = settings["theme"] or current_app.config["THEME"]
        themes = current_app.extensions["themes"]
        themes.static_urls.clear()
        if theme != themes.active:
            try:
                themes.activate(theme)
            except ThemeError as error:
                # A broken theme setting must not take the site down.
                current_app.logger.error("theme %r unusable: %s", theme, error)
                themes.activate(current_app.config["THEME"])


def _redirect_on_this_site(moved: RequestRedirect):
    """Werkzeug's redirect to the address with its slash, as a path: werkzeug
    names the request's Host header, which anyone may forge, and a cache in
    front would keep the permanent redirect to their site for every reader."""
    target = urlsplit(moved.new_url)
    path = "/" + target.path.lstrip("/")
    return redirect(path + (f"?{target.query}" if target.query else ""), moved.code)


def _after_request(response):
    # One pass over the headers: each Headers.setdefault of a missing header
    # costs werkzeug three scans and an exception: 20 us a response in all.
    present = set(response.headers.keys(lower=True))
    for name, value in current_app.extensions["security_headers"].items():
        if name.lower() not in present:
            response.headers.add(name, value)
    if request.environ.get("blog.cacheable"):
        personal = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
        cache.store_response(request.environ, response, personal)
    if db.checkpoint_due():
        response.call_on_close(_after_response)
    return response


def _after_response():
    """What need not hold up a response: the word index's batch, then the WAL."""
    word_index.catch_up()
    db.checkpoint()
