"""Rendered page parts kept per data generation, so a page read twice is built once.

The costly middle of a page (the dashboard's tables, an indicator's charts, tables and history)
depends on the data and on a few facts about the reader (what they may edit), never on anything
else in the request: no CSRF token or message is inside it. Each process keeps such parts in a
least-recently-used map bounded in bytes of memory (``KPIBOARD_PAGE_CACHE_MB``).

Entries belong to one generation of the data: the built pack of :mod:`kpiboard.web.store`, which
is rebuilt whenever ``Site.version`` changes (every write moves it on inside its transaction).
The first request with another generation empties the map. The pack object, not the version
number, marks a generation, because a number can come round again (a restored backup, a reloaded
database) with other data behind it; an object never does while it is held here.

A version is read before the data a part is built from, so a part can only be newer than its
generation, never older.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe


class FragmentCache:
    """A thread-safe LRU map of rendered HTML, emptied whenever the data generation changes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[SafeString, int]] = OrderedDict()
        self._bytes = 0
        self._generation: object = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        """Bytes of memory the kept parts take."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self._generation = None

    def get_or_render(
        self, generation: object, key: Hashable, render: Callable[[], str]
    ) -> SafeString:
        """The part for ``key`` in data ``generation``, rendering (outside the lock) on a miss."""
        with self._lock:
            if generation is not self._generation:
                self._items.clear()
                self._bytes = 0
                self._generation = generation
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        html = mark_safe(render())
        # What the string takes in memory: Python stores a whole string at 2 or 4 bytes a
        # character once one character needs it (an arrow, a dash, an emoji in commentary).
        size = sys.getsizeof(html)
        if size > self.max_bytes:
            return html  # larger than the whole cache: serve it, keep nothing
        with self._lock:
            if generation is not self._generation or key in self._items:
                return html  # the data moved on while rendering, or another thread won
            self._items[key] = (html, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
        return html


_cache: FragmentCache | None = None
_create = threading.Lock()


def cache() -> FragmentCache:
    """This process's fragment cache, sized from settings on first use."""
    global _cache
    if _cache is None:
        with _create:
            if _cache is None:
                _cache = FragmentCache(settings.PAGE_CACHE_MB * 1024 * 1024)
    return _cache


def clear() -> None:
    if _cache is not None:
        _cache.clear()
