"""Peer figures: ``peers/*.csv`` rows ``indicator,period,organisation,value`` for benchmarking.

A peer file holds many organisations' values for an indicator and period (for example all 152
English councils); the manifest names peer groups over those organisations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..core.indicators import Indicator
from ..core.periods import FinancialCalendar, Period, PeriodError
from .datafiles import read_csv_records, value_problem
from .problems import Problems

PEER_COLUMNS = ("indicator", "period", "organisation", "value")

PeerValues = dict[tuple[str, Period], dict[str, float]]


@dataclass(frozen=True)
class PeerRow:
    indicator: str
    period: str
    organisation: str
    value: float | None
    file: str
    line: int


def read_peer_csv(file: str, text: str, problems: Problems) -> list[PeerRow]:
    records = read_csv_records(file, text, PEER_COLUMNS, ("name",), problems)
    return [
        PeerRow(get["indicator"], get["period"], get["organisation"], value, file, line)
        for line, get, value in records
    ]


def assemble_peers(
    rows: list[PeerRow],
    indicators: dict[str, Indicator],
    calendar: FinancialCalendar,
    problems: Problems,
    *,
    bounded: bool = True,
) -> PeerValues:
    """Peer values by (indicator, period) then organisation code; with ``bounded``, each
    within the bound of the indicator's unit (see core.bounds)."""
    peers: PeerValues = defaultdict(dict)
    seen: dict[tuple[str, Period, str], str] = {}
    for row in rows:
        file, line = row.file, row.line
        if row.indicator not in indicators:
            problems.report(file, line, "indicator", f"unknown indicator {row.indicator!r}")
            continue
        message = value_problem(indicators[row.indicator], "actual", row.value) if bounded else None
        if message:  # a peer's figure is the indicator's own measure, in its unit
            problems.report(file, line, "value", message)
            continue
        try:
            period = calendar.parse(row.period)
        except PeriodError as exc:
            problems.report(file, line, "period", str(exc))
            continue
        key = (row.indicator, period, row.organisation)
        if key in seen:
            problems.report(
                file, line, "",
                f"duplicate row: {key[0]} {period.label} {key[2]} is already at {seen[key]}",
            )  # fmt: skip
            continue
        seen[key] = f"{file}:{line}"
        if row.value is not None:
            peers[(row.indicator, period)][row.organisation] = row.value
    return dict(peers)
