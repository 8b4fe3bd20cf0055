"""The page-cache generation in Redis across an outage, with a stand-in client."""

import redis

from blog import cache


class FlakyRedis:
    """A Redis that can be made to stop answering."""

    def __init__(self):
        self.values, self.down = {}, False

    def _check(self):
        if self.down:
            raise redis.ConnectionError("Connection refused")

    def mget(self, *keys):
        self._check()
        return [
            None if key not in self.values else str(self.values[key]).encode()
            for key in keys
        ]

    def set(self, key, value, nx=False):
        self._check()
        if not (nx and key in self.values):
            self.values[key] = value


def test_a_change_made_while_redis_was_away_is_announced_when_it_answers(caplog):
    """Other workers keep pages made before the outage: once Redis answers, the
    generation they hold them under must be over."""
    other, worker = (
        cache.RedisGeneration("redis://x"),
        cache.RedisGeneration("redis://x"),
    )
    other.client = worker.client = FlakyRedis()
    worker.bump()
    before = other.current()  # the other worker caches its pages under this
    worker.client.down = True
    worker.bump_comments()  # a comment approved meanwhile
    worker.bump()
    worker.client.down = False
    assert worker.current() != before
    assert other.current() != before
    failures = [r for r in caplog.records if "stale pages" in r.getMessage()]
    assert len(failures) == 1  # said once an outage, not once a change


def test_a_restarted_redis_never_gives_back_an_earlier_generation():
    """Redis keeps nothing on disk here: restarted, its keys are gone, and
    other workers still hold pages made under the generation before."""
    other, worker = (
        cache.RedisGeneration("redis://x"),
        cache.RedisGeneration("redis://x"),
    )
    other.client = worker.client = FlakyRedis()
    worker.bump()
    before = other.current()
    worker.client.values.clear()  # the restart
    worker.bump()
    assert other.current() != before


def test_pages_cached_before_any_change_are_not_current_after_a_restart():
    """A generation never set must not read as None: a restart would bring
    None back, and the pages cached under it before a change."""
    other, worker = (
        cache.RedisGeneration("redis://x"),
        cache.RedisGeneration("redis://x"),
    )
    other.client = worker.client = FlakyRedis()
    before = other.current()  # pages cached under this
    worker.bump()  # a post published
    worker.client.values.clear()  # the restart
    assert other.current() != before


class CountingRedis(FlakyRedis):
    def __init__(self):
        super().__init__()
        self.reads = 0

    def mget(self, *keys):
        self.reads += 1
        return super().mget(*keys)


def test_a_page_asks_redis_for_the_generation_once(make_app):
    """Each question waits up to the timeout when Redis hangs: one a request."""
    site = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    redis_client = site.extensions["generation"].client = CountingRedis()
    site.extensions["generation"].current()  # its first reader sets it
    with site.app_context():
        reader = site.test_client()
        for path in ("/", "/", "/search/?q=cache"):
            before = redis_client.reads
            assert reader.get(path).status_code == 200
            assert redis_client.reads - before == 1, path
