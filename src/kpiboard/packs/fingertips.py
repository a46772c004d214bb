"""Reading a Fingertips CSV download into comparator and peer rows for a pack.

Fingertips' ``all_data/csv`` endpoints answer with one row per indicator, area, sex, age,
category and time period, England and the parent areas (regions) beside the areas themselves.
:func:`read_fingertips_csv` reads that layout, naming the file and line of anything it cannot
use; :func:`select` picks out, for each mapped indicator (see :mod:`.benchmarks`), the rows of the
right sex and age and turns them into the pack's own terms: a comparator series per period, and
every area's figure as a peer row with our own area under the pack's ``organisation_code``.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

from ..core.periods import FinancialCalendar, Period, PeriodError, PeriodKind
from .benchmarks import BENCHMARKS_FILE, BenchmarkMapping, ComparatorSource, IndicatorLink
from .problems import Problems

#: The columns kpiboard reads, by their names in Fingertips' header (the download has more, and
#: their order does not matter).
INDICATOR_ID, AREA_CODE, AREA_TYPE = "Indicator ID", "Area Code", "Area Type"
PARENT_CODE = "Parent Code"
SEX, AGE, CATEGORY_TYPE, TIME_PERIOD, VALUE = "Sex", "Age", "Category Type", "Time period", "Value"
REQUIRED = (INDICATOR_ID, PARENT_CODE, AREA_CODE, AREA_TYPE, SEX, AGE, CATEGORY_TYPE, TIME_PERIOD,
            VALUE)  # fmt: skip
#: Fingertips' label for the England row's area type.
ENGLAND = "England"
#: Fingertips' financial years run from April: a pack with another year start cannot take them.
FINGERTIPS_YEAR_START = 4
FINGERTIPS_CALENDAR = FinancialCalendar(FINGERTIPS_YEAR_START)

PeriodRows = dict[tuple[str, Period, str], float]  # (indicator, period, series or area) -> value


@dataclass(frozen=True)
class FingertipsRow:
    indicator_id: int
    area_code: str
    area_type: str
    parent_code: str
    sex: str
    age: str
    category_type: str
    period: str
    value: float | None
    file: str
    line: int


def read_fingertips_csv(file: str, text: str, problems: Problems) -> list[FingertipsRow]:
    """Every data row of a Fingertips CSV; a missing column or a bad number is reported."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if header is None:
        problems.report(file, 1, "", "empty file: expected Fingertips' CSV layout")
        return []
    columns = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        problems.report(
            file, 1, "", f"not Fingertips' CSV layout: no column {', '.join(map(repr, missing))}"
        )
        return []
    at = [columns[c] for c in REQUIRED]
    rows = []
    for line, cells in enumerate(reader, 2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            problems.report(file, line, "", f"{len(cells)} cells, the header has {len(header)}")
            continue
        ind, parent, code, kind, sex, age, category, period, value = (cells[i].strip() for i in at)
        number = _number(file, line, ind, value, problems)
        if number is False or not ind.isdigit():
            if not ind.isdigit():
                problems.report(file, line, INDICATOR_ID, f"{ind!r} is not a Fingertips id")
            continue
        rows.append(FingertipsRow(int(ind), code, kind, parent, sex, age, category, period,
                                  number, file, line))  # fmt: skip
    return rows


def _number(file: str, line: int, ind: str, text: str, problems: Problems) -> float | bool | None:
    """The value, None for an empty cell (no figure), False (reported) for anything else."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.report(file, line, VALUE, f"{text!r} is not a number")
        return False
    return value


@dataclass
class Selected:
    """What a download holds for a pack: comparator figures and peer figures, by key."""

    comparators: PeriodRows = field(default_factory=dict)  # (indicator, period, series)
    peers: PeriodRows = field(default_factory=dict)  # (indicator, period, organisation)
    notes: list[str] = field(default_factory=list)  # what was looked for and not found


def select(
    rows: list[FingertipsRow],
    mapping: BenchmarkMapping,
    own_code: str,
    calendar: FinancialCalendar,
    problems: Problems,
) -> Selected:
    """The mapped indicators' comparator and peer figures; ``own_code`` (the manifest's
    ``organisation_code``) names our own area among the peers."""
    selected = Selected()
    by_id: dict[int, list[FingertipsRow]] = defaultdict(list)
    for row in rows:
        if not row.category_type:  # category rows (by deprivation decile ...) are breakdowns
            by_id[row.indicator_id].append(row)
    for link in mapping.links:
        chosen = _filtered(link, by_id.get(link.fingertips_id, []), problems)
        if chosen:
            _select_link(link, chosen, mapping, own_code, calendar, problems, selected)
    return selected


def _where(link: IndicatorLink) -> tuple[str, int, str]:
    return BENCHMARKS_FILE, link.line, f"fingertips.indicators.{link.indicator}"


def _filtered(
    link: IndicatorLink, rows: list[FingertipsRow], problems: Problems
) -> list[FingertipsRow]:
    """The link's rows of its sex and age; a missing or ambiguous choice is reported."""
    file, line, where = _where(link)
    if not rows:
        problems.report(file, line, where, f"the download has no rows for Fingertips indicator "
                        f"{link.fingertips_id}")  # fmt: skip
        return []
    for key, wanted in (("sex", link.sex), ("age", link.age)):
        found = sorted({getattr(r, key) for r in rows})
        if wanted:
            rows = [r for r in rows if getattr(r, key) == wanted]
            if not rows:
                problems.report(file, line, f"{where}.{key}", f"no rows with {key} {wanted!r} "
                                f"(the download has {', '.join(map(repr, found))})")  # fmt: skip
                return []
        elif len(found) > 1:
            problems.report(file, line, f"{where}.{key}", f"the download has several: "
                            f"{', '.join(map(repr, found))}; say which")  # fmt: skip
            return []
    return rows


def _periods(
    rows: list[FingertipsRow], calendar: FinancialCalendar, problems: Problems
) -> dict[Period, list[FingertipsRow]]:
    by_label: dict[str, list[FingertipsRow]] = defaultdict(list)
    for row in rows:
        by_label[row.period].append(row)
    out: dict[Period, list[FingertipsRow]] = {}
    for label, group in by_label.items():
        first = group[0]
        try:
            monthly = FINGERTIPS_CALENDAR.parse(label).kind is PeriodKind.MONTH
        except PeriodError:
            message = (
                f"{label!r} is not a financial year (2022/23), quarter (2022/23 Q1) or "
                "month: kpiboard's periods cannot hold calendar years or ranges of years"
            )
            problems.report(first.file, first.line, TIME_PERIOD, message)
            continue
        if calendar.start_month != FINGERTIPS_YEAR_START and not monthly:
            message = (
                f"{label!r}: Fingertips' financial years start in April and this pack's "
                "do not (financial_year_start), so only its monthly figures can be read"
            )
            problems.report(first.file, first.line, TIME_PERIOD, message)
            continue
        period = calendar.parse(label)
        out[period] = group
    return out


def _select_link(
    link: IndicatorLink,
    rows: list[FingertipsRow],
    mapping: BenchmarkMapping,
    own_code: str,
    calendar: FinancialCalendar,
    problems: Problems,
    selected: Selected,
) -> None:
    own_rows = [r for r in rows if r.area_code == mapping.area_code and r.area_type != ENGLAND]
    if not own_rows:
        file, line, where = _where(link)
        problems.report(file, line, where, f"our area {mapping.area_code} is not in the download "
                        f"for Fingertips indicator {link.fingertips_id}: check "
                        "fingertips.area_code and area_type")  # fmt: skip
        return
    area_type = own_rows[0].area_type
    parent = own_rows[0].parent_code
    neighbours = set(mapping.neighbours)
    for period, group in _periods(rows, calendar, problems).items():
        by_code: dict[str, FingertipsRow] = {}
        for row in group:
            if row.area_code in by_code:
                first = by_code[row.area_code].line
                message = f"{row.area_code} {row.period} appears twice (also at line {first})"
                problems.report(row.file, row.line, AREA_CODE, message)
                continue
            by_code[row.area_code] = row
        england = next((r.value for r in group if r.area_type == ENGLAND), None)
        values = {
            ComparatorSource.ENGLAND: england,
            ComparatorSource.REGION: by_code[parent].value if parent in by_code else None,
            ComparatorSource.NEIGHBOURS: _mean(
                [r.value for c, r in by_code.items() if c in neighbours]
            ),
        }
        for series, source in link.comparators:
            value = values[source]
            if value is None:
                selected.notes.append(f"{link.indicator} {period.label}: no {source} figure")
            else:
                selected.comparators[(link.indicator, period, series)] = value
        if link.peers:
            for code, row in by_code.items():
                if row.area_type == area_type and row.value is not None:
                    name = own_code if code == mapping.area_code else code
                    selected.peers[(link.indicator, period, name)] = row.value


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(math.fsum(present) / len(present), 10) if present else None
