"""One generation of the data in a worker process, and everything built from it, in one object.

Every write moves ``Site.version`` on inside its transaction. For the version the database holds,
each process keeps one :class:`Generation` (see :func:`kpiboard.web.store.generation`): the built
pack, the dashboard's boards by month shown (:mod:`kpiboard.web.dashboard_cache`), the rendered
middles of pages (:class:`PageCache`) and facts worked out from the pack (:meth:`Generation.fact`,
such as the months a reader can pick). A request asks the current generation for what it needs
and so cannot mix parts of two versions; when the version moves on the process takes a new
generation and lets the old one go, with everything in it, at once.

The object, not the version number, marks a generation: a number can come round again (a
restored backup, a reloaded database) with other data behind it, and an object never does while
it is held.

Why not Django's cache framework: its local-memory backend pickles each value on the way in and
out, and unpickling a 500-indicator board (analyses with their numpy arrays) costs more than
serving the page; its entries would outlive their version until culled (a second copy of every
page in memory after each write) and are bounded by count, not bytes; and a shared cache server
would add the same pickling and a round trip, for objects each process rebuilds in milliseconds
from the rows a write names. Processes agree because the key, the version, is in the database.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from ..packs.model import Pack

T = TypeVar("T")


class PageCache:
    """Rendered page middles of one generation: a thread-safe least-recently-used map bounded
    in bytes of memory (``KPIBOARD_PAGE_CACHE_MB``).

    The costly middle of a page (the dashboard's tables, an indicator's charts, tables and
    history) depends on the data and on a few facts about the reader (what they may edit), never
    on anything else in the request: no CSRF token or message is inside it. The key names those
    facts; the generation holding the map names the data.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[SafeString, int]] = OrderedDict()
        self._bytes = 0
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

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> SafeString:
        """The part for ``key``, rendering it (outside the lock) on a miss."""
        with self._lock:
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
            if key in self._items:
                return html  # another thread rendered it meanwhile
            self._items[key] = (html, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
        return html


def page_cache() -> PageCache:
    """An empty page cache of the configured size."""
    return PageCache(settings.PAGE_CACHE_MB * 1024 * 1024)


@dataclass(eq=False)
class Generation:
    """Everything one process built for one data ``version``.

    ``parent`` is the pack this one was made from and ``touched`` the indicators read again for
    it (None: built in full); ``earlier`` holds the parent's boards and ``inherited`` its facts,
    from which the dashboard and :meth:`fact` makers redo only the touched indicators. They are
    the parent's own maps, not the parent: its pages are let go with it.
    """

    version: int
    pack: Pack
    parent: Pack | None = None
    touched: frozenset[str] | None = None
    earlier: dict = field(default_factory=dict)
    inherited: dict[str, Any] = field(default_factory=dict)
    boards: OrderedDict = field(default_factory=OrderedDict)
    pages: PageCache = field(default_factory=page_cache)
    facts: dict[str, Any] = field(default_factory=dict)

    def page(self, key: Hashable, render: Callable[[], str]) -> SafeString:
        """A page's middle as this generation's data renders it (see :class:`PageCache`)."""
        return self.pages.get_or_render(key, render)

    def fact(self, name: str, make: Callable[[Generation], T]) -> T:
        """``make(self)``, worked out once for this generation (two threads asking at once may
        both work it out; either answer is the same)."""
        try:
            return self.facts[name]
        except KeyError:
            return self.facts.setdefault(name, make(self))

    def successor(self, version: int, pack: Pack, touched: frozenset[str]) -> Generation:
        """The generation of ``version`` made from this one by reading ``touched`` again."""
        return Generation(version, pack, self.pack, touched, self.boards, self.facts)
