"""Rendered page parts kept per data version, so a page read twice is built once.

The costly middle of a page (the dashboard's tables, an indicator's charts, tables and history)
depends on the data and on a few facts about the reader (what they may edit), never on anything
else in the request: no CSRF token or message is inside it. Each process keeps such parts in a
least-recently-used map bounded in bytes (``KPIBOARD_PAGE_CACHE_MB``). Entries belong to one data
version (``Site.version``, which every write moves on inside its transaction); the first request
that sees a newer version empties the map, so nothing stale is ever served after a change.

A version is read before the data a part is built from, so a part can only be newer than its
version, never older: at worst a part built just as a write commits is thrown away unused.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe


class FragmentCache:
    """A thread-safe LRU map of rendered HTML, emptied whenever the data version moves on."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, SafeString] = OrderedDict()
        self._bytes = 0
        self._version = -1
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        """Characters held (close to bytes for the mostly-ASCII markup kept here)."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self._version = -1

    def get_or_render(self, version: int, key: Hashable, render: Callable[[], str]) -> SafeString:
        """The part for ``key`` at data ``version``, rendering (outside the lock) on a miss."""
        with self._lock:
            if version > self._version:
                self._items.clear()
                self._bytes = 0
                self._version = version
            if version == self._version:
                found = self._items.get(key)
                if found is not None:
                    self._items.move_to_end(key)
                    self.hits += 1
                    return found
            self.misses += 1
        html = mark_safe(render())
        if len(html) > self.max_bytes:
            return html  # larger than the whole cache: serve it, keep nothing
        with self._lock:
            if version != self._version or key in self._items:
                return html  # the data moved on while rendering, or another thread won
            self._items[key] = html
            self._bytes += len(html)
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)
        return html


_cache: FragmentCache | None = None


def cache() -> FragmentCache:
    """This process's fragment cache, sized from settings on first use."""
    global _cache
    if _cache is None:
        _cache = FragmentCache(settings.PAGE_CACHE_MB * 1024 * 1024)
    return _cache


def clear() -> None:
    if _cache is not None:
        _cache.clear()
