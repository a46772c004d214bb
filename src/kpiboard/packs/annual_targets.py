"""``annual_targets``, ``target_profile`` and ``seasonal_weights`` of an indicator file.

A year is written ``2013/14: 85`` (profiled by the indicator's ``target_profile``) or as a mapping
``2014/15: {target: 87, profile: seasonal, seasonal_weights: [...]}``. The arithmetic and the
rules on which profile suits which figures are in :mod:`kpiboard.core.targets`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.bounds import figure_problem
from ..core.indicators import AnnualTarget, Indicator, TargetProfile
from ..core.periods import FinancialCalendar, PeriodError, PeriodKind
from ..core.targets import default_profile, profile_problem, weights_problem
from .fields import FieldReader
from .yamlsource import Mapping, Sequence

KEYS = ("annual_targets", "target_profile", "seasonal_weights")
YEAR_KEYS = ("target", "profile", "seasonal_weights")
PROFILES = [p.value for p in TargetProfile]


@dataclass(frozen=True)
class _Given:
    """One year as the file gives it; the profile is settled once the aggregation is known."""

    year: int
    value: float
    where: str
    line: int
    profile: TargetProfile | None
    weights: tuple[float, ...] | None
    weights_line: int
    weights_given: bool  # written, even if wrong (and so reported already)


def _weights(r: FieldReader, key: str) -> tuple[float, ...] | None:
    """``seasonal_weights`` of ``r``'s mapping, or None (absent, or reported as wrong)."""
    value = r.mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, Sequence) or isinstance(value, str):
        r.problem(key, "must be a list of 12 numbers, one for each month of the year")
        return None
    problem = weights_problem(list(value))
    if problem:
        r.problem(key, problem)
        return None
    return tuple(float(w) for w in value)


def _profile(r: FieldReader, key: str) -> TargetProfile | None:
    if key not in r.mapping:
        return None
    value = r.choice(key, PROFILES, "")
    return TargetProfile(value) if value else None


def _year(r: FieldReader, block: Mapping, key: object, calendar: FinancialCalendar) -> int | None:
    where = f"annual_targets.{key}"
    try:
        period = calendar.parse(str(key))
    except PeriodError as exc:
        r.problems.report(r.file, block.line_of(key), where, str(exc))
        return None
    if period.kind is not PeriodKind.YEAR:
        r.problems.report(r.file, block.line_of(key), where, "must be a financial year: 2013/14")
        return None
    return calendar.year_of(period.start)


def read_given(r: FieldReader, calendar: FinancialCalendar, indicator: Indicator) -> list[_Given]:
    """Every well-formed year of ``annual_targets``; each mistake is reported with its line."""
    block = r.mapping_at("annual_targets")
    out: list[_Given] = []
    if block is None:
        return out
    for key, body in block.items():
        year = _year(r, block, key, calendar)
        where = f"annual_targets.{key}"
        line = block.line_of(key)
        profile, weights, weights_line = None, None, line
        if isinstance(body, Mapping):
            yr = FieldReader(r.problems, r.file, body, where + ".")
            yr.check_keys(YEAR_KEYS, required=["target"])
            value = body.get("target")
            profile, weights = _profile(yr, "profile"), _weights(yr, "seasonal_weights")
            weights_line = yr.line("seasonal_weights") if "seasonal_weights" in body else line
            where, line = f"{where}.target", yr.line("target") if "target" in body else line
        else:
            value = body
        if value is None:
            continue  # reported as required above
        if isinstance(value, bool) or not isinstance(value, int | float):
            r.problems.report(r.file, line, where, f"must be a number, not {value!r}")
            continue
        problem = figure_problem(float(value), indicator.unit)  # a target is a figure in the unit
        if problem:
            r.problems.report(r.file, line, where, problem)
            continue
        if year is not None:
            given = isinstance(body, Mapping) and "seasonal_weights" in body
            out.append(
                _Given(year, float(value), where, line, profile, weights, weights_line, given)
            )
    return out


def with_annual_targets(
    r: FieldReader, calendar: FinancialCalendar, indicator: Indicator
) -> Indicator:
    """``indicator`` with its annual targets read, each profile checked against its figures."""
    given = read_given(r, calendar, indicator)
    fallback = _profile(r, "target_profile")
    fallback_weights = _weights(r, "seasonal_weights")
    has_block = "annual_targets" in r.mapping
    if not has_block:
        for key in ("target_profile", "seasonal_weights"):
            if key in r.mapping:
                r.problem(key, "only used with annual_targets")
        return indicator
    if not indicator.needs_target:
        r.problem("annual_targets", _no_targets_reason(indicator))
        return indicator
    uses_fallback = fallback is TargetProfile.SEASONAL or any(
        g.profile is TargetProfile.SEASONAL and g.weights is None for g in given
    )
    if fallback_weights is not None and not uses_fallback:
        r.problem("seasonal_weights", "only used with a seasonal profile (profile: seasonal)")
    explicit_years = dict(indicator.year_end_targets)
    seen: set[int] = set()
    targets = []
    for item in given:
        label = calendar.year_label(item.year)
        if item.year in seen:
            r.problems.report(r.file, item.line, item.where, f"{label} is given twice")
            continue
        seen.add(item.year)
        if item.year in explicit_years:
            r.problems.report(
                r.file, item.line, item.where,
                f"{label} also has a year_end_targets entry: give the year's target once, "
                "in annual_targets",
            )  # fmt: skip
            continue
        annual = _settle(r, item, indicator, fallback, fallback_weights)
        if annual is not None:
            targets.append(annual)
    return replace(indicator, annual_targets=tuple(sorted(targets, key=lambda a: a.year)))


def _settle(
    r: FieldReader,
    item: _Given,
    indicator: Indicator,
    fallback: TargetProfile | None,
    fallback_weights: tuple[float, ...] | None,
) -> AnnualTarget | None:
    profile = item.profile or fallback
    profile = profile or default_profile(indicator.aggregation, indicator.accumulation)
    weights = item.weights if item.weights is not None else fallback_weights
    problem = profile_problem(profile, indicator.aggregation, indicator.accumulation)
    if problem:
        r.problems.report(r.file, item.line, item.where, problem)
        return None
    given_weights = item.weights_given or "seasonal_weights" in r.mapping
    if profile is TargetProfile.SEASONAL and weights is None:
        if given_weights:
            return None  # the weights are wrong, and already reported
        r.problems.report(
            r.file, item.line, item.where,
            "a seasonal profile needs seasonal_weights: 12 numbers, one for each month from the "
            "first month of the financial year",
        )  # fmt: skip
        return None
    if profile is not TargetProfile.SEASONAL and item.weights is not None:
        r.problems.report(
            r.file, item.weights_line, item.where.rsplit(".", 1)[0] + ".seasonal_weights",
            f"only used with profile: seasonal (this year's profile is {profile.value})",
        )  # fmt: skip
        return None
    kept = weights if profile is TargetProfile.SEASONAL and weights is not None else ()
    return AnnualTarget(item.year, item.value, profile, kept)


def _no_targets_reason(indicator: Indicator) -> str:
    if indicator.rated_by_benchmark:
        return "an indicator rated by its benchmark (benchmark.rate) has no targets to profile"
    return "a not-rated or lead indicator has no targets"


def annual_targets_body(targets: tuple[AnnualTarget, ...], calendar: FinancialCalendar) -> dict:
    """``annual_targets`` as a definition writes it: every year in the mapping form, so the web's
    definition says each year's profile in full whatever the indicator's default."""
    out: dict = {}
    for annual in sorted(targets, key=lambda a: a.year):
        body: dict = {"target": annual.value, "profile": annual.profile.value}
        if annual.profile is TargetProfile.SEASONAL:
            body["seasonal_weights"] = list(annual.weights)
        out[calendar.year_label(annual.year)] = body
    return out
