"""Peer figures: ``peers/*.csv`` rows ``indicator,period,organisation,value`` for benchmarking.

A peer file holds many organisations' values for an indicator and period (for example all 152
English councils); the manifest names peer groups over those organisations.
"""

from __future__ import annotations

from collections import defaultdict

from ..core.indicators import Indicator
from ..core.periods import FinancialCalendar, Period, PeriodError
from .datafiles import read_csv_records
from .problems import Problems

PEER_COLUMNS = ("indicator", "period", "organisation", "value")

PeerValues = dict[tuple[str, Period], dict[str, float]]


def read_peers(
    files: list[tuple[str, str]],
    indicators: dict[str, Indicator],
    calendar: FinancialCalendar,
    problems: Problems,
) -> PeerValues:
    """Peer values by (indicator, period) then organisation code, from (file name, text) pairs."""
    peers: PeerValues = defaultdict(dict)
    seen: dict[tuple[str, Period, str], str] = {}
    for file, text in files:
        for line, get, value in read_csv_records(file, text, PEER_COLUMNS, ("name",), problems):
            if get["indicator"] not in indicators:
                problems.report(file, line, "indicator", f"unknown indicator {get['indicator']!r}")
                continue
            try:
                period = calendar.parse(get["period"])
            except PeriodError as exc:
                problems.report(file, line, "period", str(exc))
                continue
            key = (get["indicator"], period, get["organisation"])
            if key in seen:
                problems.report(
                    file,
                    line,
                    "",
                    f"duplicate row: {key[0]} {period.label} {key[2]} is already at {seen[key]}",
                )
                continue
            seen[key] = f"{file}:{line}"
            if value is not None:
                peers[(get["indicator"], period)][get["organisation"]] = value
    return dict(peers)
