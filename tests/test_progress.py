"""Progress bars on stderr: drawn in place on a terminal, cleared at the end, silent elsewhere."""

from __future__ import annotations

import io

from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.progress import TerminalProgress, line


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_line_shows_a_bar_share_count_and_rate():
    assert line(500, 1000, "Writing the figures", 2.0) == (
        "Writing the figures [############............]  50% (500 of 1,000, 250/s)"
    )
    assert (
        line(0, 0, "Reading and checking the pack", 3.2) == "Reading and checking the pack... 3 s"
    )


def test_progress_is_drawn_in_place_at_most_every_interval_then_cleared():
    stream, clock = Terminal(), Clock()
    with TerminalProgress(stream, every=0.5, clock=clock) as progress:
        progress(0, 4, "Writing", force=True)
        clock.now += 0.1
        progress(1, 4, "Writing")  # too soon: not drawn
        clock.now += 0.5
        progress(2, 4, "Writing")
        drawn = stream.getvalue()
    assert drawn.count("\r") == 2
    assert drawn.endswith("\rWriting [############............]  50% (2 of 4)")
    cleared = stream.getvalue()[len(drawn) :]
    assert cleared == "\r" + " " * len("Writing [############............]  50% (2 of 4)") + "\r"


def test_a_new_step_is_drawn_at_once_over_a_longer_line():
    stream, clock = Terminal(), Clock()
    progress = TerminalProgress(stream, every=10, clock=clock)
    progress(0, 0, "A long first step", force=True)
    progress(0, 0, "Next")
    assert stream.getvalue().endswith("\rNext..." + " " * (len("A long first step...") - 7))


def test_counter_adds_up_items_and_draws_the_last():
    stream = Terminal()
    progress = TerminalProgress(stream, every=60, clock=Clock())
    tick = progress.counter(3, "Building pages")
    tick()
    tick()
    tick()
    assert stream.getvalue().endswith("(3 of 3)")


def test_nothing_is_written_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with TerminalProgress(stream) as progress:
        progress(0, 10, "Writing", force=True)
        progress.counter(5, "Pages")(5)
    assert stream.getvalue() == ""


def test_commands_print_no_progress_when_stderr_is_not_a_terminal(demo_pack_dir, tmp_path):
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(demo_pack_dir)])
    assert checked.exit_code == 0 and checked.stderr == ""
    report = runner.invoke(main, ["report", str(demo_pack_dir), "--out", str(tmp_path / "r.html")])
    assert report.exit_code == 0 and report.stderr == ""
