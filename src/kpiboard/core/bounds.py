"""The largest figure kpiboard stores, by unit kind: one rule for packs, imports and the web.

A figure far beyond anything a council or trust reports is a typing slip or hostile input
(``1e308`` is one keystroke from ``1e3``), and figures near the float limit overflow the
arithmetic built on them: a range, a moving range, a chart's axis. So every stored figure must
be finite and within a bound for its unit kind:

- a percentage within ±1,000: above 100 is legitimate for some measures (a caseload at 180% of
  its capacity, growth of 250% on a year ago), ten times over is not;
- anything else (a count, rate, ratio, money, days) within ±10^15: a thousand times England's
  population, or a quadrillion pounds, and still exact to the unit in a float.

The bound is on the figure as written, so a count kept in thousands may stand for 1,000 times
more. Figures computed from stored ones (a derived ratio) are not bounded: whatever reads them
must cope with any finite float (see ``report.chart_scales``).
"""

from __future__ import annotations

import math

from .units import Unit, UnitKind, plain

#: The largest magnitude of a percentage figure.
PERCENT_LIMIT = 1_000.0
#: The largest magnitude of a figure in any other unit (and of a number in a pack's settings).
LIMIT = 1e15


def limit(kind: UnitKind) -> float:
    """The largest magnitude a figure of unit ``kind`` may have."""
    return PERCENT_LIMIT if kind is UnitKind.PERCENT else LIMIT


def _written(value: float) -> str:
    """``value`` short enough for a message: plainly up to the bound, with an exponent beyond."""
    if math.isfinite(value) and abs(value) < 1e16:
        return plain(value)
    return f"{value:.6g}"


def number_problem(value: float, bound: float = LIMIT) -> str | None:
    """Why ``value`` may not be stored as a number within ``bound``, or None when it may."""
    if not math.isfinite(value):
        return f"{_written(value)} is not a finite number"
    if abs(value) > bound:
        span = f"{_written(-bound)} to {_written(bound)}"
        return f"{_written(value)} is out of range: give a number from {span}"
    return None


def figure_problem(value: float, unit: Unit) -> str | None:
    """Why ``value`` may not be stored as a figure in ``unit``, or None when it may."""
    problem = number_problem(value, limit(unit.kind))
    if problem and unit.kind is UnitKind.PERCENT and math.isfinite(value):
        return f"{problem} (a percentage, written without %)"
    return problem
