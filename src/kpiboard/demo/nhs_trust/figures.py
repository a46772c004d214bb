"""The NHS trust demo's data rows: every figure, target and extra series, long format.

Each ``_section`` function returns ``(indicator, period, series, value)`` rows for one section's
indicators; :func:`data_rows` draws them all from one seeded source, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .series import (
    MONTHS,
    Draw,
    financial_year,
    fy_label,
    month_labels,
    profile,
    winter,
    ytd,
)

Row = tuple[str, str, str, float]

#: The month the new urgent treatment centre opened: the 4-hour chart is rebased here.
UTC_OPENED = "2025-04"
#: The trust's yearly share of mothers smoking at the time of delivery (%), falling towards the
#: national ambition of 6%; Fingertips publishes the other trusts' (see .fingertips).
SMOKING_AT_DELIVERY = {"2022/23": 9.8, "2023/24": 8.7, "2024/25": 7.5, "2025/26": 6.4}
#: National 4-hour standards by financial year (the operational planning guidance's ambitions).
FOUR_HOUR_STANDARD = {2023: 76.0, 2024: 78.0, 2025: 78.0, 2026: 82.0}


def _rows(
    indicator: str, series: str, labels: list[str], values: Sequence[float], places: int
) -> Iterator[Row]:
    for label, value in zip(labels, values, strict=True):
        yield indicator, label, series, round(value, places)


def _by_year(labels: list[str], values: dict[int, float]) -> list[float]:
    return [values[financial_year(label)] for label in labels]


def _access(draw: Draw, labels: list[str]) -> Iterator[Row]:
    after_utc = [label >= UTC_OPENED for label in labels]
    four_hour = [
        72.5 + 0.05 * i + (3.2 if after else 0.0) - 3.5 * winter(label) + noise
        for i, (label, after, noise) in enumerate(
            zip(labels, after_utc, draw.noise(0.8), strict=True)
        )
    ]
    yield from _rows("AE01", "actual", labels, four_hour, 1)
    yield from _rows("AE01", "target", labels, _by_year(labels, FOUR_HOUR_STANDARD), 1)
    attendances = [
        11_400 + 900 * winter(label) + 12 * i + noise
        for i, (label, noise) in enumerate(zip(labels, draw.noise(260), strict=True))
    ]
    yield from _rows("LEAD01", "actual", labels, attendances, 0)
    rtt = [57.0 + 0.17 * i + noise for i, noise in enumerate(draw.noise(0.6))]
    yield from _rows("RTT01", "actual", labels, rtt, 1)
    rtt_target = {2023: 60.0, 2024: 62.0, 2025: 65.0, 2026: 70.0}
    yield from _rows("RTT01", "target", labels, _by_year(labels, rtt_target), 1)
    fds = [75.5 + 0.12 * i + noise for i, noise in enumerate(draw.noise(1.3))]
    yield from _rows("CAN01", "actual", labels, fds, 1)
    fds_target = {2023: 75.0, 2024: 77.0, 2025: 80.0, 2026: 80.0}
    yield from _rows("CAN01", "target", labels, _by_year(labels, fds_target), 1)
    day62 = [66.0 + 0.2 * i + noise for i, noise in enumerate(draw.noise(1.8))]
    yield from _rows("CAN02", "actual", labels, day62, 1)
    day62_target = {2023: 70.0, 2024: 70.0, 2025: 75.0, 2026: 75.0}
    yield from _rows("CAN02", "target", labels, _by_year(labels, day62_target), 1)
    six_weeks = [max(1.0, 13.0 - 0.22 * i + 1.5 * winter(lb) + n) for i, (lb, n) in
                 enumerate(zip(labels, draw.noise(0.7), strict=True))]  # fmt: skip
    yield from _rows("DM01", "actual", labels, six_weeks, 1)
    yield from _rows("DM01", "target", labels, [5.0] * MONTHS, 1)


def _quality(draw: Draw, labels: list[str]) -> Iterator[Row]:
    # Never events: four in three years; MRSA bacteraemia: three.
    never = draw.events({4: 1, 13: 1, 22: 1, 34: 1})
    yield from _rows("NE01", "actual", labels, never, 0)
    yield from _rows("NE01", "target", labels, [0] * MONTHS, 0)
    mrsa = draw.events({2: 1, 19: 1, 31: 1})
    yield from _rows("MRSA01", "actual", labels, mrsa, 0)
    yield from _rows("MRSA01", "target", labels, [0] * MONTHS, 0)
    cdiff = draw.poisson([4.6 + 1.2 * winter(label) for label in labels])
    yield from _rows("CDI01", "cases", labels, cdiff, 0)
    ceiling = {2023: 60.0, 2024: 58.0, 2025: 56.0, 2026: 54.0}
    yield from _rows("CDI01", "target", labels, profile(ceiling, labels), 1)
    bed_days = [19_600 + 1_100 * winter(lb) + n for lb, n in
                zip(labels, draw.noise(300), strict=True)]  # fmt: skip
    falls = draw.poisson([bd / 1000 * (5.6 - 0.02 * i) for i, bd in enumerate(bed_days)])
    yield from _rows("FALLS01", "falls", labels, falls, 0)
    yield from _rows("FALLS01", "bed_days", labels, bed_days, 0)
    yield from _rows("FALLS01", "target", labels, [5.5] * MONTHS, 2)
    yield from _hsmr(draw, labels)
    years = list(SMOKING_AT_DELIVERY)
    yield from _rows("MAT01", "actual", years, list(SMOKING_AT_DELIVERY.values()), 1)
    yield from _rows("MAT01", "target", years, [6.0] * len(years), 1)


def _hsmr(draw: Draw, labels: list[str]) -> Iterator[Row]:
    """A rolling 12-month mortality ratio with its 95% interval, around the national 100."""
    ratio = [108.5 - 0.42 * i + n for i, n in enumerate(draw.noise(0.9))]
    for label, value in zip(labels, ratio, strict=True):
        half = 5.5  # about 1.96 x sqrt(deaths) / expected deaths x 100 at ~1,300 deaths a year
        yield "HSMR01", label, "actual", round(value, 1)
        yield "HSMR01", label, "ci_lower", round(value - half, 1)
        yield "HSMR01", label, "ci_upper", round(value + half, 1)
        yield "HSMR01", label, "national", 100.0


def _quarters(labels: list[str]) -> list[str]:
    out = []
    for label in labels:
        month = int(label[5:7])
        if month % 3 == 0:  # June, September, December, March end a financial quarter
            year = financial_year(label)
            out.append(f"{fy_label(year)} Q{((month - 4) % 12) // 3 + 1}")
    return out


def _workforce(draw: Draw, labels: list[str]) -> Iterator[Row]:
    sickness = [4.7 + 0.8 * winter(lb) - 0.01 * i + n for i, (lb, n) in
                enumerate(zip(labels, draw.noise(0.15), strict=True))]  # fmt: skip
    yield from _rows("WF01", "actual", labels, sickness, 2)
    yield from _rows("WF01", "target", labels, [4.5] * MONTHS, 2)
    staff = [9_150 + 6 * i + n for i, n in enumerate(draw.noise(25))]
    leavers = draw.poisson([95 - 0.5 * i for i in range(MONTHS)])
    yield from _rows("WF02", "leavers", labels, leavers, 0)
    yield from _rows("WF02", "staff_in_post", labels, staff, 0)
    yield from _rows("WF02", "target", labels[11:], [12.0] * (MONTHS - 11), 1)
    quarters = _quarters(labels)
    appraisal = [83.0 + 0.6 * i + n for i, n in enumerate(draw.noise(1.0)[: len(quarters)])]
    yield from _rows("WF03", "actual", quarters, appraisal, 1)
    yield from _rows("WF03", "target", quarters, [90.0] * len(quarters), 1)
    vacancy = [9.6 - 0.07 * i + n for i, n in enumerate(draw.noise(0.25))]
    yield from _rows("WF04", "actual", labels, vacancy, 1)
    yield from _rows("WF04", "target", labels, [8.0] * MONTHS, 1)


def _finance(draw: Draw, labels: list[str]) -> Iterator[Row]:
    # Income and expenditure, £k: a planned deficit each year, delivered a little worse.
    plan = {2023: -3_600.0, 2024: -3_000.0, 2025: -2_400.0, 2026: -1_800.0}
    in_month = [plan[financial_year(lb)] / 12 * 1.15 + n for lb, n in
                zip(labels, draw.noise(40), strict=True)]  # fmt: skip
    # This year runs further behind plan: the half-year closes on a deficit of £2,068k.
    in_month[-6:] = [-2_068 / 6 + (x - in_month[-6]) / 4 for x in in_month[-6:]]
    in_month[-1] -= sum(in_month[-6:]) + 2_068
    yield from _rows("FIN01", "actual", labels, ytd(in_month, labels), 0)
    yield from _rows("FIN01", "target", labels, profile(plan, labels), 0)
    cip_plan = {2023: 14_400.0, 2024: 15_600.0, 2025: 16_800.0, 2026: 18_000.0}
    cip = [cip_plan[financial_year(lb)] / 12 * (0.82 + 0.004 * i) + n for i, (lb, n) in
           enumerate(zip(labels, draw.noise(60), strict=True))]  # fmt: skip
    yield from _rows("FIN02", "actual", labels, ytd(cip, labels), 0)
    yield from _rows("FIN02", "target", labels, profile(cip_plan, labels), 0)
    agency = [1_520 - 9 * i + 80 * winter(lb) + n for i, (lb, n) in
              enumerate(zip(labels, draw.noise(45), strict=True))]  # fmt: skip
    yield from _rows("FIN03", "actual", labels, agency, 0)
    yield from _rows("FIN03", "target", labels, [1_250.0] * MONTHS, 0)
    cash = [31.0 - 0.22 * i + n for i, n in enumerate(draw.noise(0.6))]
    yield from _rows("FIN04", "actual", labels, cash, 1)
    yield from _rows("FIN04", "target", labels, [20.0] * MONTHS, 1)


def data_rows() -> dict[str, list[Row]]:
    """Every row of the demo's data files, by file name."""
    draw, labels = Draw.seeded(), month_labels()
    return {
        "access.csv": list(_access(draw, labels)),
        "quality.csv": list(_quality(draw, labels)),
        "workforce.csv": list(_workforce(draw, labels)),
        "finance.csv": list(_finance(draw, labels)),
    }


def peer_rows(own_code: str, own_value: float, period: str) -> list[tuple[str, str, str, float]]:
    """The 4-hour figures of 121 other acute trusts for one month: illustrative, made up here."""
    draw = Draw(Draw.seeded().rng.spawn(1)[0])
    values = draw.rng.normal(74.5, 5.5, 121).clip(55, 96)
    rows = [("AE01", period, f"T{i + 1:03d}", round(float(v), 1)) for i, v in enumerate(values)]
    rows.append(("AE01", period, own_code, own_value))
    return rows
