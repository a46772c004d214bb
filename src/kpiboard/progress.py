"""Progress of long work on a terminal: one line on stderr, redrawn in place, then cleared.

The command line's long steps (reading a large pack, rating it, building a report, loading a
million figures into the database) tell a :class:`TerminalProgress` how far they are with the
same call web jobs use: ``progress(done, total, step, force=False)`` (see web.jobs.Reporter).
When the stream is not a terminal (a pipe, a log file, the tests) nothing at all is written, so
output that is read by other programs stays as it was.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 24  # characters of the bar itself


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def line(done: int, total: int, step: str, elapsed: float) -> str:
    """What the line says: a bar when the total is known, else the step and the time so far."""
    if total <= 0:
        return f"{step}..." + (f" {elapsed:.0f} s" if elapsed >= 1 else "")
    share = min(max(done / total, 0.0), 1.0)
    filled = round(share * WIDTH)
    rate = f", {done / elapsed:,.0f}/s" if elapsed >= 1 and done else ""
    return (
        f"{step} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%} "
        f"({done:,} of {total:,}{rate})"
    )


class TerminalProgress:
    """``progress(done, total, step, force=False)`` drawn on ``stream`` (stderr) when it is a
    terminal, at most every ``every`` seconds unless ``force``; a context manager that clears
    the line when the work ends, however it ends."""

    def __init__(
        self,
        stream: TextIO | None = None,
        every: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.active = _is_terminal(self.stream)
        self.every = every
        self.clock = clock
        self.started = clock()
        self.last = float("-inf")
        self.step = ""
        self.shown = 0  # characters on the line now

    def __call__(self, done: int, total: int, step: str, force: bool = False) -> None:
        if not self.active:
            return
        now = self.clock()
        if not force and step == self.step and now - self.last < self.every:
            return
        if step != self.step:
            self.step, self.started = step, now
        self.last = now
        self._draw(line(done, total, step, now - self.started))

    def counter(self, total: int, step: str) -> Callable[[int], None]:
        """A ``tick(n)`` that adds ``n`` to a count out of ``total`` (for code that reports
        each item done, such as a report's pages)."""
        done = 0

        def tick(n: int = 1) -> None:
            nonlocal done
            done += n
            self(done, total, step, force=done >= total)

        self(0, total, step, force=True)
        return tick

    def _draw(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def close(self) -> None:
        """Clear the line, so what is printed next starts at the left margin."""
        if self.active and self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
