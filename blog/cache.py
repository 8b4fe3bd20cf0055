"""A page cache shared in meaning by every worker: entries carry the site generation.

The generation has two parts. Publishing and settings bump `posts`, which
every page depends on; a comment state change bumps `comments`, which only
pages showing comments (a post, its comment feeds) depend on: the sitemap and
the post feeds, 140 ms to render at 10,000 posts, are not made again after
every approved comment. Each worker keeps its own copies of rendered pages
and trusts them only while the generation they were made under is still
current, so a change made through one worker is seen through every worker on
the next request. The generation lives in files (one server) or in Redis
(several servers, BLOG_REDIS_URL).
"""

import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

logger = logging.getLogger(__name__)


class Generation(NamedTuple):
    posts: object  # publishing, settings: every page
    comments: object  # comment state changes: pages that show comments


class FileGeneration:
    """Each part of the generation is a file of its own: two workers bumping
    different parts at once cannot undo each other's bump."""

    def __init__(self, path):
        self.posts = FileStamp(Path(path))
        self.comments = FileStamp(Path(f"{path}-comments"))

    def current(self):
        return Generation(self.posts.current(), self.comments.current())

    def bump(self):
        self.posts.bump()

    def bump_comments(self):
        self.comments.bump()


class FileStamp:
    """The identity and modification time of one file.

    Every approved comment bumps, so a bump is one metadata change: the time
    set to now, to the nanosecond (6 us). Writing a new file and renaming it
    over the old one cost 0.5 ms, up to 2 ms on a busy disk (ext4 starts
    writing the new data out at the rename). A file system whose coarse times
    leave the stamp unchanged gets the file replaced instead.
    """

    def __init__(self, path: Path):
        self.path = path
        if not self.path.exists():
            self._replace()

    def current(self):
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            self._replace()
            info = os.stat(self.path)
        return (info.st_ino, info.st_mtime_ns)

    def bump(self):
        before = self.current()
        stamp = max(time.time_ns(), before[1] + 1)
        try:
            os.utime(self.path, ns=(stamp, stamp))
        except FileNotFoundError:
            pass
        if self.current() == before:
            self._replace()

    def _replace(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_name(
            f"{self.path.name}.{os.getpid()}.{threading.get_ident()}"
        )
        draft.write_text(str(time.time_ns()))
        os.replace(draft, self.path)


class Unknown:
    """A generation that could not be read: equal to none, not even itself,
    so no cached page is trusted and settings are read afresh."""

    def __eq__(self, other):
        return False

    __hash__ = None


class RedisGeneration:
    """The generation is two Redis keys, for app servers on several machines.

    A bump writes a new random value rather than counting up: a Redis
    restarted empty would count again from 1 and give back a generation
    that pages cached before the restart were made under.

    Redis down or slow must not take the site down: every page is then
    rendered afresh (no cached page is trusted), and a change that cannot be
    announced is logged and announced once Redis answers again: until then
    other workers' copies made before the outage are served (an hour at most).
    """

    KEY = "blog:generation"
    COMMENTS_KEY = "blog:generation:comments"
    TIMEOUT = 0.5  # seconds: a hanging Redis costs a page this much at most

    def __init__(self, url):
        import redis

        self.errors = redis.RedisError
        self.down = False
        self.unannounced = False  # a change made while Redis was away
        self.client = redis.Redis.from_url(
            url, socket_timeout=self.TIMEOUT, socket_connect_timeout=self.TIMEOUT
        )

    def current(self):
        try:
            if self.unannounced:
                # Every worker's pages cached before the outage predate it.
                self.client.set(self.KEY, _fresh())
                self.unannounced = False
            found = self.client.mget(self.KEY, self.COMMENTS_KEY)
            if None in found:
                # Never set, or lost in a restart: a generation of None would
                # come back with the next restart, pages of before with it.
                for key, value in zip(
                    (self.KEY, self.COMMENTS_KEY), found, strict=True
                ):
                    if value is None:
                        self.client.set(key, _fresh(), nx=True)
                found = self.client.mget(self.KEY, self.COMMENTS_KEY)
        except self.errors as error:
            if not self.down:  # said once an outage, not once a request
                logger.error("page cache off, Redis unusable: %s", error)
            self.down = True
            return Generation(Unknown(), Unknown())
        if self.down:
            logger.warning("page cache on again, Redis answers")
            self.down = False
        return Generation(*found)

    def bump(self):
        self._bump(self.KEY)

    def bump_comments(self):
        self._bump(self.COMMENTS_KEY)

    def _bump(self, key):
        try:
            self.client.set(key, _fresh())
        except self.errors as error:
            if not self.unannounced:  # said once an outage
                logger.error(
                    "other app servers may show stale pages until Redis answers: "
                    "Redis unusable: %s",
                    error,
                )
            self.unannounced = True


def _fresh() -> str:
    return secrets.token_hex(8)


def make_generation(config, instance_path):
    if config.get("REDIS_URL"):
        return RedisGeneration(config["REDIS_URL"])
    return FileGeneration(Path(instance_path) / "generation")


class PageStore:
    """A bounded LRU of rendered pages: (generation, expires, status, headers,
    body, etag, shows_comments); a page that shows no comment keeps only the
    posts part of its generation, and a comment leaves it current.

    Bounded in bytes as well as in pages: every query string is a key, even
    one the view ignores, so anyone could fill it with copies of the largest
    page (a full-text feed of 200 KB is 400 MB at 2,000 copies).
    """

    def __init__(self, capacity=2000, max_bytes=64 * 1024 * 1024):
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.size = 0  # bytes of the bodies held
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, generation, now):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            made = generation if entry[6] else generation.posts
            if entry[0] != made or now >= entry[1]:
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = entry
            self.size += len(entry[4])
            while len(self.entries) > self.capacity or self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, key):
        self.size -= len(self.entries.pop(key)[4])


class PageCache:
    """WSGI middleware answering GET/HEAD from the PageStore; the app fills it.

    Only requests without a session or comment-author cookie are answered here:
    those pages are the same for every reader.
    """

    def __init__(self, app, generation, store, bypass_cookies=("session",)):
        self.app = app
        self.generation = generation
        self.store = store
        self.bypass_cookies = tuple(f"{name}=" for name in bypass_cookies)

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or self._personal(environ):
            return self.app(environ, start_response)
        key = request_key(environ)
        generation = environ[SEEN] = self.generation.current()
        if isinstance(generation.posts, Unknown):
            return self.app(environ, start_response)
        entry = self.store.get(key, generation, time.time())
        if entry is None:
            environ["blog.cache"] = (self.store, key, generation)
            return self.app(environ, start_response)
        status, headers, body, etag = entry[2:6]
        if etag and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            kept = [
                (k, v)
                for k, v in headers
                if k.lower() not in ("content-length", "content-type")
            ]
            start_response("304 Not Modified", kept)
            return [b""]
        start_response(status, headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]

    def _personal(self, environ) -> bool:
        cookies = environ.get("HTTP_COOKIE", "")
        return bool(cookies) and any(name in cookies for name in self.bypass_cookies)


# The generation the page cache read for this request: asked once a request,
# a hanging Redis costs a page its timeout once, not once for each asker.
SEEN = "blog.generation"
# False when the view says its page shows no comment (the sitemap, a post feed).
SHOWS_COMMENTS = "blog.shows_comments"


def seen_generation(environ, generation):
    """The generation this request was served under, read now if not yet."""
    return environ[SEEN] if SEEN in environ else generation.current()


def request_key(environ) -> str:
    return environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")


def store_response(environ, response, personal=False):
    """Give a cacheable response its validators, keep a copy for next time and
    answer 304 when the reader's copy is this one.

    A personal response (to a signed-in editor) is for their browser alone:
    a shared cache keeping it would serve it, and any cookie it sets, to all.
    """
    response.headers["Cache-Control"] = (
        "private, no-cache" if personal else "public, max-age=0, must-revalidate"
    )
    response.headers["Vary"] = "Cookie"
    response.add_etag()
    if not personal:
        _keep(environ, response)
    # Rendered afresh (by another worker, or after a change elsewhere bumped
    # the generation), the page is often still the one the reader holds.
    if response.status_code == 200:
        response.make_conditional(environ)


def _keep(environ, response):
    until = environ["blog.cacheable"]
    store, key, generation = environ.get("blog.cache", (None, None, None))
    if store is None or response.status_code not in (200, 404, 410):
        return
    if "Set-Cookie" in response.headers or response.is_streamed:
        return
    etag = response.headers["ETag"]
    # Unsaid, a page may show comments: kept until the next comment.
    comments = environ.get(SHOWS_COMMENTS, True)
    entry = (
        generation if comments else generation.posts,
        until,
        response.status,
        list(response.headers.items()),
        response.get_data(),
        etag,
        comments,
    )
    store.put(key, entry)
