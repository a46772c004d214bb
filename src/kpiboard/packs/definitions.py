"""Indicator definitions: ``indicators/ID.yaml`` to :class:`~kpiboard.core.indicators.Indicator`."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from ..core.aggregate import how_problem
from ..core.bounds import figure_problem
from ..core.direction import Basis
from ..core.forecast import CHOSEN_METHODS, ForecastMethod
from ..core.indicators import (
    BUILTIN_SERIES,
    Accumulation,
    Aggregation,
    Derivation,
    ForecastOptions,
    Indicator,
    IndicatorKind,
    Override,
    SeriesDef,
    SeriesRole,
    SpcChart,
    SpcOptions,
)
from ..core.periods import FinancialCalendar, PeriodError
from ..core.rating import Polarity, Rating, RuleVersion
from ..core.significance import LEVELS, BenchmarkOptions
from ..core.spc_codes import Improvement
from ..core.units import SCALABLE, Scale, Unit, UnitKind
from .annual_targets import KEYS as ANNUAL_KEYS
from .annual_targets import with_annual_targets
from .fields import ID_PATTERN, FieldReader
from .problems import Problems
from .yamlsource import Mapping

INDICATOR_KEYS = [
    "id", "section", "number", "title", "short_title", "kind", "tags", "unit", "decimals", "scale",
    "polarity", "frequency", "data_period", "rated", "not_rated_reason", "direction_basis",
    "metadata", "notes", "series", "rules", "year_end_targets", "overrides", "illustrative",
    "derive", "spc", "expected_range", "forecast", "peer_groups", "draft_commentary",
    "benchmark", "accumulation", "aggregation", *ANNUAL_KEYS,
]  # fmt: skip
FREQUENCIES = ("month", "quarter", "year", "irregular")
_Choice = TypeVar("_Choice", Basis, Accumulation, Aggregation)
PLAIN_UNIT = Unit()  # the house style of a manifest that sets neither currency_symbol nor negatives
UNIT_KINDS = [u.value for u in UnitKind]
SCALES = [s.value for s in Scale if s is not Scale.ONE]
_MONEY_WORDS = ("gbp", "eur", "usd", "pound", "euro", "dollar", "money", "cash", "£", "€", "$")
_SCALE_ENDINGS = {
    "thousands": ("_k", "£k", "€k", "$k", "000s"),
    "millions": ("_m", "_mn", "£m", "€m", "$m"),
}
OVERRIDE_RATINGS = ("GREEN", "AMBER", "RED", "NOT_RATED")


def _unit_hint(value: object) -> str:
    """A fix for a unit name that packs a currency or a scale into it (``gbp_thousands``)."""
    text = str(value).strip().lower()
    scale = next(
        (name for name, ends in _SCALE_ENDINGS.items() if name[:-1] in text or text.endswith(ends)),
        "",
    )
    money = any(word in text for word in _MONEY_WORDS)
    if not scale and not money:
        return ""
    fix = f"unit: {'currency' if money else 'count'}" + (f" with scale: {scale}" if scale else "")
    where = " (and currency_symbol: in kpiboard.yaml for a symbol other than £)" if money else ""
    return f"{value!r} is not a unit: write {fix}{where}"


def _read_unit(r: FieldReader, base: Unit, default: UnitKind) -> Unit:
    """``unit``, ``decimals`` and ``scale`` of an indicator or series, in the pack's house style
    (``base`` carries the manifest's currency symbol and negatives)."""
    value = r.mapping.get("unit")
    hint = "" if value is None or str(value) in UNIT_KINDS else _unit_hint(value)
    if hint:
        r.problem("unit", hint)
        kind = default
    else:
        kind = UnitKind(r.choice("unit", UNIT_KINDS, default.value))
    scale = Scale(r.choice("scale", SCALES, Scale.ONE.value))
    if scale is not Scale.ONE and kind not in SCALABLE and not hint:
        r.problem(
            "scale",
            f"only currency and count figures can be in {scale.value}, not {kind.value}",
        )
        scale = Scale.ONE
    return replace(base, kind=kind, decimals=r.integer("decimals", None, 0, 6), scale=scale)


def _read_rules(
    r: FieldReader, calendar: FinancialCalendar, default: RuleVersion, polarity: Polarity
) -> tuple[RuleVersion, ...]:
    seq = r.sequence_at("rules")
    if not seq:
        return (default,)
    rules: list[RuleVersion] = []
    last_year: int | None = None
    for i, item in enumerate(seq):
        if not isinstance(item, Mapping):
            r.problems.report(r.file, seq.line_of(i), f"rules[{i}]", "must be a mapping")
            continue
        rr = FieldReader(r.problems, r.file, item, f"rules[{i}].")
        rr.check_keys(["from", "amber", "floor", "green", "close_amber"])
        from_year = None
        if "from" in item:
            try:
                from_year = calendar.year_of(calendar.parse(str(item["from"])).start)
            except PeriodError as exc:
                rr.problem("from", str(exc))
        elif i > 0:
            rr.problem("from", "every rule after the first needs the financial year it starts")
        if from_year is not None and last_year is not None and from_year <= last_year:
            rr.problem("from", "rules must be in order of the year they start, each year once")
        last_year = from_year if from_year is not None else last_year
        has_amber, amber = rr.band("amber")
        _, green = rr.band("green", allow_none=False)
        _, close_amber = rr.band("close_amber", allow_none=False)
        floor = rr.number("floor")
        if floor is not None and polarity is Polarity.CLOSE:
            rr.problem(
                "floor", "close-to-target indicators use green/close_amber bands, not a floor"
            )
        if floor is not None and has_amber and amber is not None:
            rr.problem("floor", "give either an amber band or a floor, not both")
        rules.append(
            RuleVersion(
                from_year=from_year,
                amber=amber if has_amber else default.amber,
                floor=floor,
                green=green or default.green,
                close_amber=close_amber or default.close_amber,
            )
        )
    return tuple(rules) or (default,)


def _read_series(r: FieldReader, base: Unit) -> tuple[SeriesDef, ...]:
    block = r.mapping_at("series")
    if block is None:
        return ()
    out = []
    for name, body in block.items():
        where = f"series.{name}"
        name = str(name)
        if name in BUILTIN_SERIES:
            r.problems.report(r.file, block.line_of(name), where, "is built in; do not declare it")
            continue
        if not ID_PATTERN.fullmatch(name):
            r.problems.report(r.file, block.line_of(name), where, "is not a valid series name")
            continue
        if not isinstance(body, Mapping):
            r.problems.report(r.file, block.line_of(name), where, "must be {label: ..., role: ...}")
            continue
        sr = FieldReader(r.problems, r.file, body, where + ".")
        sr.check_keys(["label", "role", "unit", "decimals", "scale"], required=["label"])
        role = sr.choice("role", [x.value for x in SeriesRole], SeriesRole.EXTRA.value)
        unit = None
        if "unit" in body or "decimals" in body or "scale" in body:
            unit = _read_unit(sr, base, UnitKind.COUNT)
        out.append(SeriesDef(name, sr.text("label"), SeriesRole(role), unit))
    return tuple(out)


def _read_overrides(r: FieldReader, calendar: FinancialCalendar) -> tuple[Override, ...]:
    seq = r.sequence_at("overrides")
    out: list[Override] = []
    seen = set()
    if seq is None:
        return ()
    for i, item in enumerate(seq):
        if not isinstance(item, Mapping):
            r.problems.report(r.file, seq.line_of(i), f"overrides[{i}]", "must be a mapping")
            continue
        orr = FieldReader(r.problems, r.file, item, f"overrides[{i}].")
        orr.check_keys(
            ["period", "rating", "reason", "by"], required=["period", "rating", "reason", "by"]
        )
        period = orr.period("period", calendar)
        rating = orr.choice("rating", OVERRIDE_RATINGS, "")
        if period is not None and period in seen:
            orr.problem("period", f"{period.label} is overridden twice")
        if period is not None and rating and orr.text("reason") and orr.text("by"):
            seen.add(period)
            out.append(Override(period, Rating[rating], orr.text("reason"), orr.text("by")))
    return tuple(out)


def _read_year_end_targets(
    r: FieldReader, calendar: FinancialCalendar, unit: Unit
) -> tuple[tuple[int, float], ...]:
    block = r.mapping_at("year_end_targets")
    out: list[tuple[int, float]] = []
    if block is None:
        return ()
    for year, value in block.items():
        where = f"year_end_targets.{year}"
        try:
            period = calendar.parse(str(year))
        except PeriodError as exc:
            r.problems.report(r.file, block.line_of(year), where, str(exc))
            continue
        if period.kind.value != "year":
            r.problems.report(
                r.file, block.line_of(year), where, "must be a financial year like 2013/14"
            )
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            r.problems.report(
                r.file, block.line_of(year), where, f"must be a number, not {value!r}"
            )
            continue
        problem = figure_problem(float(value), unit)  # a target is a figure in the unit
        if problem:
            r.problems.report(r.file, block.line_of(year), where, problem)
            continue
        out.append((calendar.year_of(period.start), float(value)))
    return tuple(out)


def _read_derive(r: FieldReader, series: tuple[SeriesDef, ...]) -> Derivation | None:
    block = r.mapping_at("derive")
    if block is None:
        return None
    dr = FieldReader(r.problems, r.file, block, "derive.")
    dr.check_keys(
        ["method", "how", "source", "numerator", "denominator", "scale"], ["method", "how"]
    )
    method = dr.choice("method", [a.value for a in Accumulation], "rolling_12")
    how = dr.choice("how", ["sum", "mean", "ratio"], "sum")
    if message := how_problem(method, how):
        dr.problem("how", message)
    scale = dr.number("scale")
    if scale == 0:
        dr.problem("scale", "must not be 0 (every figure would be 0)")
    derivation = Derivation(
        method,
        how,
        source=dr.text("source"),
        numerator=dr.text("numerator"),
        denominator=dr.text("denominator"),
        scale=scale or 1.0,
    )
    declared = {s.name for s in series}
    needed = ("numerator", "denominator") if how == "ratio" else ("source",)
    for key in needed:
        name = getattr(derivation, key)
        if not name:
            dr.problem(key, f"required when how is {how}")
        elif name not in declared:
            dr.problem(key, f"{name!r} is not declared under series:")
    for key in {"source", "numerator", "denominator"} - set(needed):
        if key in block:
            dr.problem(key, f"not used when how is {how} (give {' and '.join(needed)})")
    return derivation


_DEFAULT_IMPROVEMENT = {
    Polarity.HIGHER: Improvement.INCREASE,
    Polarity.LOWER: Improvement.DECREASE,
    Polarity.CLOSE: Improvement.NEUTRAL,
}


def _read_spc(
    r: FieldReader,
    calendar: FinancialCalendar,
    polarity: Polarity,
    unit: UnitKind,
    series: tuple[SeriesDef, ...],
) -> SpcOptions | None:
    value = r.mapping.get("spc")
    if value is None or value is False:
        return None
    if value is True:
        return SpcOptions(improvement=_DEFAULT_IMPROVEMENT[polarity])
    block = r.mapping_at("spc")
    if block is None:
        return None
    sr = FieldReader(r.problems, r.file, block, "spc.")
    sr.check_keys(["improvement", "baseline", "rebase", "shift_length", "mdc_2023", "chart", "on"])
    improvement = Improvement(
        sr.choice("improvement", [i.value for i in Improvement], _DEFAULT_IMPROVEMENT[polarity])
    )
    baseline = sr.integer("baseline", None, 12, 10_000)
    shift = sr.integer("shift_length", 7, 6, 8) or 7
    rebase = []
    for i, label in enumerate(sr.text_list("rebase")):
        try:
            rebase.append(calendar.parse(label))
        except PeriodError as exc:
            seq = block["rebase"]
            r.problems.report(r.file, seq.line_of(i), f"spc.rebase[{i}]", str(exc))
    chart = SpcChart(sr.choice("chart", [c.value for c in SpcChart], SpcChart.XMR.value))
    on = sr.text("on")
    charted = next((s for s in series if s.name == on), None)
    if on and charted is None:
        sr.problem("on", f"{on!r} is not declared under series: (SPC charts a declared series)")
        on = ""
    if chart is not SpcChart.XMR:
        kind = charted.unit.kind if charted is not None and charted.unit is not None else unit
        if kind is not UnitKind.COUNT:
            sr.problem(
                "chart",
                f"a {chart.value}-chart counts events: the figures it charts must be counts "
                f"(unit: count), not {kind.value}",
            )
    return SpcOptions(
        improvement,
        baseline,
        tuple(sorted(rebase)),
        shift,
        sr.boolean("mdc_2023", False),
        chart=chart,
        on=on,
    )


_RUNNING = {
    Accumulation.YEAR_TO_DATE: "a year-to-date (cumulative) figure",
    Accumulation.ROLLING_12: "a rolling 12-month figure",
}


def _check_spc(r: FieldReader, indicator: Indicator) -> None:
    """SPC needs figures that each cover their own period; a t- or g-chart has no XmR limits."""
    spc = indicator.spc
    if spc is None:
        return
    running = _RUNNING.get(indicator.accumulation)
    if running and not spc.on:
        derive = indicator.derive
        example = derive.source if derive is not None and derive.source else "SERIES"
        r.problem(
            "spc",
            f"SPC cannot chart {running}: each figure repeats the periods before it, so the "
            "points are not independent and the limits mean nothing. Chart the per-period "
            f"series beneath it instead, with spc: {{on: {example}}} (a series declared under "
            "series:)",
        )
    if spc.chart is not SpcChart.XMR and indicator.expected_range == "spc":
        r.problem(
            "expected_range",
            f"an expected range from SPC limits needs an XmR chart, not a {spc.chart.value}-chart "
            "(which charts the days between events)",
        )


def _read_forecast(r: FieldReader) -> ForecastOptions | None:
    value = r.mapping.get("forecast")
    if value is None or value is True:
        return ForecastOptions()
    if value is False:
        return None
    block = r.mapping_at("forecast")
    if block is None:
        return ForecastOptions()
    fr = FieldReader(r.problems, r.file, block, "forecast.")
    fr.check_keys(["method", "cumulative"])
    method = ForecastMethod(
        fr.choice("method", [m.value for m in CHOSEN_METHODS], ForecastMethod.AUTO.value)
    )
    return ForecastOptions(method, fr.boolean("cumulative", False))


def _read_benchmark(
    r: FieldReader, series: tuple[SeriesDef, ...], polarity: Polarity, rated: bool
) -> BenchmarkOptions | None:
    block = r.mapping_at("benchmark")
    if block is None:
        return None
    br = FieldReader(r.problems, r.file, block, "benchmark.")
    br.check_keys(["series", "level", "rate"], required=["series"])
    name = br.text("series")
    definition = next((s for s in series if s.name == name), None)
    if name and definition is None:
        br.problem("series", f"{name!r} is not declared under series:")
    elif definition is not None and definition.role is not SeriesRole.COMPARATOR:
        br.problem("series", f"{name!r} must be a comparator series (role: comparator)")
    level = br.number("level")
    if level is not None and level not in LEVELS:
        br.problem("level", f"{level:g} is not one of: {', '.join(f'{x:g}' for x in LEVELS)}")
        level = None
    rate = br.boolean("rate", False)
    if rate and polarity is Polarity.CLOSE:
        br.problem(
            "rate",
            "a close-to-target indicator has no better side: the comparison says only higher, "
            "lower or similar, so it cannot rate (use rate: false)",
        )
        rate = False
    if rate and not rated:
        br.problem("rate", "a not-rated indicator cannot be rated by its benchmark")
        rate = False
    return BenchmarkOptions(name, level if level is not None else 95.0, rate)


def _optional(r: FieldReader, key: str, enum: type[_Choice]) -> _Choice | None:
    """A choice the indicator may leave out, to be worked out from its other keys."""
    if key not in r.mapping:
        return None
    value = r.choice(key, [e.value for e in enum], "")
    return enum(value) if value else None


def _check_accumulation(r: FieldReader, ind: Indicator) -> None:
    """Refuse accumulation, aggregation and forecast choices that contradict each other."""
    derive, declared = ind.derive, ind.accumulation_declared
    if derive is not None and declared is not None and declared.value != derive.method:
        r.problem(
            "accumulation",
            f"the figures are derived with method: {derive.method}, so they are {derive.method}"
            f" figures; remove accumulation or make it {derive.method}",
        )
    how = ind.aggregation_declared
    if how is Aggregation.RATIO and (derive is None or derive.how != "ratio"):
        r.problem(
            "aggregation",
            "ratio divides the year's numerator by its denominator: it needs "
            "derive: {how: ratio, numerator: ..., denominator: ...}",
        )
    if how is Aggregation.SUM and ind.accumulation is not Accumulation.PERIOD:
        r.problem(
            "aggregation",
            f"{ind.accumulation.value} figures are already totals; adding them up would count "
            "months twice: use last",
        )
    if how is Aggregation.SUM and ind.frequency not in ("month", "quarter", "year"):
        r.problem(
            "aggregation", "sum adds up monthly or quarterly figures (frequency month or quarter)"
        )
    options = ind.forecast
    if (
        options is not None
        and options.method is ForecastMethod.RUN_RATE
        and not options.cumulative
        and ind.aggregation is not Aggregation.SUM
    ):
        r.problems.report(
            r.file,
            r.line("forecast"),
            "forecast.method",
            "run_rate scales up a count so far: it needs running totals (cumulative: true) "
            "or monthly counts that add up (aggregation: sum)",
        )


def read_indicator(
    data: object,
    file: str,
    expected_id: str,
    calendar: FinancialCalendar,
    default_rule: RuleVersion,
    problems: Problems,
    base_unit: Unit = PLAIN_UNIT,
) -> tuple[Indicator, int] | None:
    """The indicator and the line of its ``section`` key, or None when unusable.

    ``base_unit`` is the manifest's house style (currency symbol, negatives)."""
    if not isinstance(data, Mapping):
        problems.report(file, 1, "", "must be a mapping of indicator fields")
        return None
    r = FieldReader(problems, file, data)
    r.check_keys(INDICATOR_KEYS, required=["id", "title", "section", "unit", "polarity"])
    ind_id = r.ident("id")
    if ind_id and ind_id != expected_id:
        r.problem("id", f"{ind_id!r} does not match the file name {expected_id}.yaml")
    kind = IndicatorKind(r.choice("kind", [k.value for k in IndicatorKind], "kpi"))
    polarity = Polarity(r.choice("polarity", [p.value for p in Polarity], Polarity.HIGHER.value))
    unit = _read_unit(r, base_unit, UnitKind.COUNT)
    rated = r.boolean("rated", kind is IndicatorKind.KPI)
    if kind is IndicatorKind.LEAD and rated:
        r.problem("rated", "lead indicators are never rated; remove rated: true")
        rated = False
    series = _read_series(r, base_unit)
    number = data.get("number")
    indicator = Indicator(
        id=ind_id or expected_id,
        title=r.text("title"),
        section=r.ident("section"),
        number="" if number is None else str(number),
        short_title=r.text("short_title"),
        kind=kind,
        tags=tuple(r.text_list("tags")),
        unit=unit,
        polarity=polarity,
        frequency=r.choice("frequency", FREQUENCIES, "month"),
        data_period=r.text("data_period"),
        rated=rated,
        not_rated_reason=r.text("not_rated_reason"),
        metadata=r.ordered_texts("metadata"),
        notes=r.ordered_texts("notes"),
        rules=_read_rules(r, calendar, default_rule, polarity),
        series=series,
        overrides=_read_overrides(r, calendar),
        year_end_targets=_read_year_end_targets(r, calendar, unit),
        direction_basis_declared=_optional(r, "direction_basis", Basis),
        illustrative=r.text("illustrative"),
        derive=_read_derive(r, series),
        spc=_read_spc(r, calendar, polarity, unit.kind, series),
        expected_range=r.choice("expected_range", ["thresholds", "spc"], "thresholds"),
        forecast=_read_forecast(r),
        peer_groups=tuple(r.text_list("peer_groups")),
        draft_commentary=r.boolean("draft_commentary", False),
        benchmark=_read_benchmark(r, series, polarity, rated),
        accumulation_declared=_optional(r, "accumulation", Accumulation),
        aggregation_declared=_optional(r, "aggregation", Aggregation),
    )
    _check_spc(r, indicator)
    _check_accumulation(r, indicator)
    indicator = with_annual_targets(r, calendar, indicator)
    if not rated and "rules" in data:
        r.problem("rules", "a not-rated indicator has no rating rules")
    if indicator.rated_by_benchmark and "rules" in data:
        r.problem("rules", "rating rules do not apply: benchmark.rate rates by the comparison")
    if not rated and indicator.overrides:
        r.problem("overrides", "a not-rated indicator cannot have rating overrides")
    return indicator, r.line("section")
