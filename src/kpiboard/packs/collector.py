"""Python's cycle collector held off while a large pack is read and stored.

Reading a long CSV makes a few objects per row and keeps them all, so the collector keeps
running and walking every object made so far, finding nothing to free: at a million rows that
was more than half the time of reading the file. None of those objects forms a cycle, so
collecting can wait until the work is done; the collector's earlier state is restored after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Hold off cyclic garbage collection for the block (nested blocks are fine)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
