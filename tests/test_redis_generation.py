"""The page-cache generation in Redis across an outage, with a stand-in client."""

import redis

from blog import cache


class FlakyRedis:
    """A Redis counter that can be made to stop answering."""

    def __init__(self):
        self.values, self.down = {}, False

    def _check(self):
        if self.down:
            raise redis.ConnectionError("Connection refused")

    def get(self, key):
        self._check()
        value = self.values.get(key)
        return None if value is None else str(value).encode()

    def incr(self, key):
        self._check()
        self.values[key] = self.values.get(key, 0) + 1
        return self.values[key]


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
    worker.bump()  # a comment approved meanwhile
    worker.bump()
    worker.client.down = False
    assert worker.current() != before
    assert other.current() != before
    failures = [r for r in caplog.records if "stale pages" in r.getMessage()]
    assert len(failures) == 1  # said once an outage, not once a change
