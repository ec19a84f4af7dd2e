"""The one in-process cache shape: bounded, least recently used out first, thread-safe.

Used for values that are expensive to compute and safe to share within a
process because their key names everything they depend on (a plan's revision,
a text's digest). What must survive a process or be seen by other processes
lives in the database or the shared cache, never here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from contextlib import suppress
from typing import Any

from cachetools import LRUCache


class LRU:
    """``maxsize`` entries (or, with ``getsizeof``, that much total size)."""

    def __init__(self, maxsize: int, getsizeof: Callable[[Any], int] | None = None):
        self._cache = LRUCache(maxsize=maxsize, getsizeof=getsizeof)
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            return self._cache.get(key, default)

    def set(self, key: Hashable, value) -> None:
        with self._lock, suppress(ValueError):  # larger than the whole cache: not kept
            self._cache[key] = value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)
