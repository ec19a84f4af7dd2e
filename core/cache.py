"""The cache every app process shares (Redis), and the rule for what goes in it.

With ``REDIS_URL`` set, Django's own ``RedisCache`` is the default cache: plan
analyses (coverage.analysis) and rendered matrix fragments (core.fragments) are
computed by one process and read by all, so an edit is cheap whichever server
and worker the next request lands on. Without it, the default cache is
per-process memory (the zero-setup default) and nothing is shared.

A cache is never the only copy of anything: when Redis is unreachable, reads
miss and writes are dropped (logged once a minute), and pages compute what they
need, slower but correct.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("hiringplan.cache")


def shared() -> bool:
    """Whether the default cache is seen by every process (worth writing analyses to)."""
    return bool(getattr(settings, "SHARED_CACHE", False))


def shared_get(key: str):
    return cache.get(key) if shared() else None


def shared_set(key: str, value, timeout: float | None) -> None:
    if shared():
        cache.set(key, value, timeout)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, for which an unreachable Redis is a miss, not a 500."""

    _warned_at = 0.0

    def _fail(self, error) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._warned_at > 60:
            ResilientRedisCache._warned_at = now
            logger.warning("Redis cache unavailable, computing instead: %s", error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception as error:  # redis.exceptions.ConnectionError, TimeoutError
            self._fail(error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except Exception as error:
            self._fail(error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except Exception as error:
            self._fail(error)
            return False

    def set(self, key, value, timeout=..., version=None):
        try:
            if timeout is ...:
                super().set(key, value, version=version)
            else:
                super().set(key, value, timeout, version)
        except Exception as error:
            self._fail(error)

    def add(self, key, value, timeout=..., version=None):
        try:
            if timeout is ...:
                return super().add(key, value, version=version)
            return super().add(key, value, timeout, version)
        except Exception as error:
            self._fail(error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except Exception as error:
            self._fail(error)
            return False
