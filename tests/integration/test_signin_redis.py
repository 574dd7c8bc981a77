"""With Redis, every process counts an address's failed sign-ins in one place."""

from __future__ import annotations

import secrets

import redis

from kumoben.signin import _RedisCounter


def test_two_processes_share_one_count_that_expires(redis_url: str) -> None:
    prefix = f"kumoben-test-{secrets.token_hex(4)}"
    first, second = _RedisCounter(redis_url, prefix), _RedisCounter(redis_url, prefix)
    try:
        first.incr("203.0.113.7", ttl=600)
        second.incr("203.0.113.7", ttl=600)
        second.incr("203.0.113.7", ttl=5)  # a later failure does not extend the window

        count, ttl = first.get("203.0.113.7")
        assert count == 3
        assert 595 <= ttl <= 600
        assert second.get("198.51.100.9") == (0, 0)
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
