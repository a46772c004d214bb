"""Turn the seed report into the demo pack's indicator files and data (a dev tool, run by hand).

The seed (``../shared/seed/report-2013-09.yaml``) transcribes a real committee report as data. This
script maps it onto the pack format (docs/pack-format.md) and writes:

- ``src/kpiboard/demo/pack/indicators/*.yaml``  the 17 KPIs and 6 lead indicators
- ``src/kpiboard/demo/pack/data/*.csv``         the figures, long format
- ``tests/fixtures/seed_ratings.csv``           the 143 ratings printed in the seed

It never writes the manifest, ``commentary/`` or ``narrative/``: those are written by hand. Tests do
not use this script; run it again only to regenerate the files above::

    .venv/bin/python tools/seed_to_pack.py [--seed PATH] [--pack DIR] [--fixture FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = ROOT.parent / "shared" / "seed" / "report-2013-09.yaml"
DEFAULT_PACK = ROOT / "src" / "kpiboard" / "demo" / "pack"
DEFAULT_FIXTURE = ROOT / "tests" / "fixtures" / "seed_ratings.csv"

MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1
)}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------


def month_label(printed: str) -> str:
    """``Sep-12`` -> ``2012-09``."""
    name, yy = printed.split("-")
    return f"{2000 + int(yy):04d}-{MONTHS[name]:02d}"


def quarter_label(year: int, month: int) -> str:
    """The financial quarter (April start) ending in ``month`` of calendar ``year``."""
    fy = year if month >= 4 else year - 1
    q = ((month - 4) % 12) // 3 + 1
    return f"{fy}/{(fy + 1) % 100:02d} Q{q}"


def scs_label(printed: str, indicator_id: str) -> str:
    """Children's columns: earlier year-end outturns, then 2013/14 quarters.

    ``Mar 11``-``Mar 13`` are year-end outturns (``2010/11``-``2012/13``) and 2013/14's quarters
    follow; SCS02's columns are all quarter ends.
    """
    name, yy = printed.split()
    year, month = 2000 + int(yy), MONTHS[name]
    if indicator_id != "SCS02" and month == 3 and year <= 2013:
        return f"{year - 1}/{year % 100:02d}"
    return quarter_label(year, month)


# --------------------------------------------------------------------------------------------
# Hand-written wording that belongs in the indicator files
# --------------------------------------------------------------------------------------------

ASC_DECIMALS = {
    "ASC01": 0, "ASC02": 1, "ASC03": 0, "ASC04": 1, "ASC05": 0, "ASC06": 0,
    "ASC07": 2, "ASC08": 0, "ASC09": 0, "ASC10": 0, "ASC11": 1,
}  # fmt: skip

ASC_UNIT_OF_MEASURE = {  # only where the seed gives none
    "ASC11": "Percentage of contacts resolved at source",
}

ASC02_NOT_RATED = (
    "Taking a personal budget as a direct payment is each person's own choice, so the "
    "share is monitored against the ambition for the year rather than rated."
)

ASC06_OVERRIDE_REASON = (
    "Published as Amber although 87% is above the 85% target, while the same 87% was Green in "
    "May 2011. No reason was recorded; the published rating is kept as the record."
)

SCS_UNIT_OF_MEASURE = {
    "SCS01": "Percentage of initial assessments completed within 10 days",
    "SCS02": "Percentage of case holding social work posts filled by permanent qualified social "
    "workers",
    "SCS03": "Percentage of children becoming subject to a child protection plan who had been "
    "subject to a plan before",
    "SCS04": "Percentage of children leaving a child protection plan who had been subject to it "
    "for two years or more",
    "SCS05": "Adoptions as a percentage of all children leaving care",
    "SCS06": "Percentage of children in care who had three or more placements in the last 12 "
    "months",
}

SCS_COUNTS = {  # the seed's counts_text with thousands separators, for reading
    "SCS01": "5,567 of 6,531 initial assessments completed within 10 days, April-September 2013",
}

SCS_DATA_PERIOD = {
    "SCS01": "YTD",  # "reported as year to date"
    "SCS02": "Snapshot",  # "position at quarter end"
    "SCS03": "YTD",  # counts_text covers April-September (79 of 817 = 9.7%)
    "SCS04": "Quarterly",
    "SCS05": "YTD",  # "reported as financial year to date"
    "SCS06": "Snapshot",  # "snapshot at each quarter end"
}

SCS_RULES = {
    "SCS02": [{"amber": "10%"}, {"from": "2013/14", "amber": "none"}],
    "SCS04": [{"floor": 8.0}],
    "SCS06": [{"amber": 3}],
}

SCS_FLOOR_NOTES = {
    "SCS04": "The report did not print the floor. A floor of 8.0% is inferred from the printed "
    "ratings: 8.0% was rated Amber and 8.1% Red against the 6% target.",
    "SCS06": "The report did not print the floor. An Amber band of 3 percentage points behind "
    "target is inferred from the printed ratings: 11.3% against a 9% target was rated Amber.",
}

SCS_COMPARATOR_NOTES = {
    "SCS01": "England 75.5%, the latest published rate at the time of the report (shown against "
    "2012/13); the council ranked 13th of 152 local authorities in the latest published "
    "statistics. The statistical neighbours' average is shown for past years.",
    "SCS06": "England 11.0%, the latest published rate at the time of the report (shown against "
    "2012/13). The statistical neighbours' average is shown for past years.",
}

ENGLAND = {"SCS01": 75.5, "SCS06": 11.0}  # placed at 2012/13, the latest published year

ILLUSTRATIVE = (
    "The published report showed this chart without printing its numbers, so these figures are "
    "made up to show the chart; the facts in the notes are the report's."
)

# --------------------------------------------------------------------------------------------
# Lead indicators: illustrative series from fixed formulas, anchored on the stated facts
# --------------------------------------------------------------------------------------------

QUARTERS = [
    "2012/13 Q1", "2012/13 Q2", "2012/13 Q3", "2012/13 Q4", "2013/14 Q1", "2013/14 Q2",
]  # 18 months, April 2012 to September 2013  # fmt: skip
MONTHS_13 = [f"2012-{m:02d}" for m in range(9, 13)] + [f"2013-{m:02d}" for m in range(1, 10)]


def wave(n: int, base: float, slope: float, amp: float, step: float, phase: float = 0.0) -> list:
    """A deterministic, gently wavy series: base + slope*i + amp*sin(step*i + phase)."""
    return [round(base + slope * i + amp * math.sin(step * i + phase)) for i in range(n)]


def lead_series() -> dict[str, dict]:
    contacts = wave(6, 6480, 0, 110, 1.7, 0.4)
    referrals = wave(6, 4580, 55, 30, 1.4, 0.2)  # rising above the range by 2012/13 Q4 ...
    referrals[-2:] = [4610, 4490]  # ... and back within it for the last two quarters
    children_in_care = wave(6, 1520, 18, 12, 1.1)
    children_in_care[-1] = 1619  # about 50.1 per 10,000 on the population implied by LEAD04
    plans = wave(6, 1120, 28, 15, 1.3)
    plans[-1] = 1273  # stated: 1,273 at end of September 2013
    initial = wave(13, 150, -1.5, 14, 0.9)
    core = wave(13, 82, 1.2, 6, 0.8)
    core[-1] = 104  # stated: slightly above the upper threshold of 100
    return {
        "LEAD01": {"periods": QUARTERS, "actual": contacts, "lower": 6000, "upper": 7000},
        "LEAD02": {"periods": QUARTERS, "actual": referrals, "lower": 4200, "upper": 4700},
        "LEAD03": {"periods": QUARTERS, "actual": children_in_care, "lower": 1450, "upper": 1650},
        "LEAD04": {"periods": QUARTERS, "actual": plans, "lower": 1000, "upper": 1300},
        "LEAD05": {"periods": MONTHS_13, "actual": initial, "lower": 100, "upper": 180},
        "LEAD06": {"periods": MONTHS_13, "actual": core, "lower": 50, "upper": 100},
    }


def check_lead_facts(series: dict[str, dict]) -> None:
    """The illustrative figures must agree with what the report says about each chart."""
    c = series["LEAD01"]
    assert all(c["lower"] <= v <= c["upper"] for v in c["actual"]), "contacts stable, in range"
    r = series["LEAD02"]
    assert all(r["lower"] <= v <= r["upper"] for v in r["actual"][-2:]), "referrals in range"
    assert not r["lower"] <= r["actual"][-3] <= r["upper"], "outside the range the quarter before"
    assert series["LEAD04"]["actual"][-1] == 1273
    i = series["LEAD05"]
    assert i["lower"] <= i["actual"][-1] <= i["upper"], "initial assessments within range"
    core = series["LEAD06"]
    assert core["upper"] == 100 and 100 < core["actual"][-1] <= 110, "core slightly above 100"
    assert all(core["lower"] <= v <= core["upper"] for v in core["actual"][:-1])


FACTS = "From the published report"

LEADS = [
    {
        "id": "LEAD01",
        "title": "Quarterly number of contacts received",
        "short_title": "Contacts received",
        "unit": "count",
        "polarity": "close_to_target",
        "frequency": "quarter",
        "data_period": "Quarterly",
        "notes": {
            "Unit of measure": "Contacts received by Specialist Children's Services in the quarter",
            "Expected range": "Charted against an expected range with lower and upper thresholds",
            FACTS: "The number of contacts has been stable over the last 18 months.",
        },
    },
    {
        "id": "LEAD02",
        "title": "Quarterly number of referrals",
        "short_title": "Referrals",
        "unit": "count",
        "polarity": "close_to_target",
        "frequency": "quarter",
        "data_period": "Quarterly",
        "notes": {
            "Unit of measure": "Referrals to Specialist Children's Services in the quarter",
            "Expected range": "Charted against an expected range with lower and upper thresholds",
            FACTS: "Referrals have been within the expected range for the last "
            "two quarters. The contact-to-referral conversion rate was 69.1% in September 2013.",
        },
    },
    {
        "id": "LEAD03",
        "title": "Number of indigenous children in care",
        "short_title": "Children in care",
        "unit": "count",
        "polarity": "lower_is_better",
        "frequency": "quarter",
        "data_period": "Snapshot",
        "notes": {
            "Unit of measure": "Children in care at the quarter end, excluding unaccompanied "
            "asylum-seeking children",
            "Expected range": "Charted against an expected range with lower and upper thresholds",
            FACTS: "At the end of September 2013 the rate was 50.1 per 10,000 "
            "children aged 0-17, against a target rate of 48.5.",
        },
    },
    {
        "id": "LEAD04",
        "title": "Number of children with child protection plans",
        "short_title": "Children with child protection plans",
        "unit": "count",
        "polarity": "lower_is_better",
        "frequency": "quarter",
        "data_period": "Snapshot",
        "notes": {
            "Unit of measure": "Children subject to a child protection plan at the quarter end",
            "Expected range": "Charted against an expected range with lower and upper thresholds",
            FACTS: "1,273 children had a child protection plan at the end of "
            "September 2013: a rate of 39.4 per 10,000 children aged 0-17, against an indicative "
            "rate of 34.9 (the statistical neighbours' level).",
        },
    },
    {
        "id": "LEAD05",
        "title": "Initial assessments in progress, out of timescale",
        "short_title": "Initial assessments out of timescale",
        "unit": "count",
        "polarity": "lower_is_better",
        "frequency": "month",
        "data_period": "Snapshot",
        "notes": {
            "Unit of measure": "Initial assessments in progress and past their timescale at the "
            "month end",
            "Expected range": "Charted against an expected range with lower and upper thresholds",
            FACTS: "Within the expected range at the end of September 2013.",
        },
    },
    {
        "id": "LEAD06",
        "title": "Core assessments in progress, out of timescale",
        "short_title": "Core assessments out of timescale",
        "unit": "count",
        "polarity": "lower_is_better",
        "frequency": "month",
        "data_period": "Snapshot",
        "notes": {
            "Unit of measure": "Core assessments in progress and past their timescale at the "
            "month end",
            "Expected range": "Charted against an expected range; the upper threshold is 100",
            FACTS: "Slightly above the upper threshold of 100 at the end of September 2013.",
        },
    },
]

LEAD_NOT_RATED = (
    "this is an activity volume, watched against its expected range rather than a target."
)

# --------------------------------------------------------------------------------------------
# Building the indicator definitions
# --------------------------------------------------------------------------------------------


def tags_of(ind: dict) -> list[str]:
    return [t for t, flag in (("bold-steps", "bold_steps"), ("qpr", "qpr")) if ind.get(flag)]


def tidy(text: str) -> str:
    return " ".join(str(text).replace(" & ", " and ").split())


def asc_definition(ind: dict, section: dict) -> dict:
    d: dict = {
        "id": ind["id"],
        "section": "asc",
        "number": str(ind["number"]),
        "title": ind["title"],
    }
    if ind.get("chart_title"):
        d["short_title"] = ind["chart_title"]
    if tags_of(ind):
        d["tags"] = tags_of(ind)
    d["unit"] = ind["unit"]
    d["decimals"] = ASC_DECIMALS[ind["id"]]
    d["polarity"] = ind["polarity"]
    d["frequency"] = "irregular" if ind["id"] == "ASC06" else "month"
    d["data_period"] = ind["summary"]["data_period"]
    rated = ind.get("rag_rated", True)
    d["rated"] = rated
    if not rated:
        d["not_rated_reason"] = ASC02_NOT_RATED
    meta = {
        "Bold Steps priority": ind.get("bold_steps_priority"),
        "Bold Steps ambition": ind.get("bold_steps_ambition"),
        "Cabinet member": section.get("cabinet_member"),
        "Director": ind.get("director"),
        "Portfolio": section.get("portfolio"),
        "Division": ind.get("division"),
    }
    d["metadata"] = {k: tidy(v) for k, v in meta.items() if v}
    notes = {
        "Unit of measure": ind.get("units_of_measure") or ASC_UNIT_OF_MEASURE.get(ind["id"]),
        "Data source": ind.get("data_source"),
        "How it is calculated": ind.get("data_notes"),
        "Target": ind.get("target_note"),
    }
    d["notes"] = {k: tidy(v) for k, v in notes.items() if v}
    if "client_numbers" in ind.get("extra_series", {}):
        d["series"] = {"clients": {"label": "Number of clients", "role": "extra", "unit": "count"}}
    year_end = {"ASC04": 60, "ASC11": 35, "ASC02": ind["summary"]["target_2013_14"]}
    if ind["id"] in year_end:
        d["year_end_targets"] = {"2013/14": year_end[ind["id"]]}
    if ind["id"] != "ASC06":  # monthly series: an SPC chart beside the RAG chart
        d["spc"] = True
    if ind["id"] == "ASC06":
        d["overrides"] = [{
            "period": "2011-08", "rating": "AMBER", "reason": ASC06_OVERRIDE_REASON,
            "by": "Performance team",
        }]  # fmt: skip
    return d


def scs_definition(ind: dict, section: dict) -> dict:
    i = ind["id"]
    d: dict = {"id": i, "section": "scs", "title": ind["title"]}
    d["unit"] = ind["unit"]
    d["decimals"] = 1
    d["polarity"] = ind["polarity"]
    d["frequency"] = "quarter"
    d["data_period"] = SCS_DATA_PERIOD[i]
    d["rated"] = True
    d["metadata"] = {
        "Bold Steps priority": section["bold_steps_priority"],
        "Cabinet member": section["cabinet_member"],
        "Director": section["director"],
        "Portfolio": section["portfolio"],
        "Division": section["division"],
    }
    data_notes = ind.get("data_notes", "")
    how, definition = data_notes, ""
    if i == "SCS02":  # the rule change is expressed by rules:, the report describes it
        how = data_notes.split("Rating rule changed")[0]
    if i == "SCS03":
        how, definition = "", data_notes
    notes = {
        "Unit of measure": SCS_UNIT_OF_MEASURE[i],
        "Data source": ind.get("data_source"),
        "How it is calculated": how,
        "Floor": SCS_FLOOR_NOTES.get(i),  # in the place of a target note
        "Numbers behind the figure": SCS_COUNTS.get(i, ind.get("counts_text")),
        "Comparators": SCS_COMPARATOR_NOTES.get(i),
        "Definition changes": definition,
    }
    d["notes"] = {k: tidy(v) for k, v in notes.items() if v and tidy(v)}
    series = {}
    if "stat_neighbours" in ind:
        series["stat_neighbours"] = {
            "label": "Statistical neighbours' average",
            "role": "comparator",
        }
    if i in ENGLAND:
        series["england"] = {"label": "England average", "role": "comparator"}
    if "agency_percent" in ind.get("extra_series", {}):
        series["agency"] = {"label": "Posts filled by agency staff (%)", "role": "extra"}
    if series:
        d["series"] = series
    if i in SCS_RULES:
        d["rules"] = SCS_RULES[i]
    if i == "SCS01":  # the only indicator whose national rank the report states
        d["peer_groups"] = ["england", "stat_neighbours"]
    return d


def lead_definition(spec: dict) -> dict:
    d = {"id": spec["id"], "section": "scs", "title": spec["title"],
         "short_title": spec["short_title"], "kind": "lead"}  # fmt: skip
    for key in ("unit", "polarity", "frequency", "data_period"):
        d[key] = spec[key]
    d["rated"] = False
    d["not_rated_reason"] = LEAD_NOT_RATED
    d["notes"] = spec["notes"]
    d["illustrative"] = ILLUSTRATIVE
    d["draft_commentary"] = True  # the report printed no commentary for these
    return d


# --------------------------------------------------------------------------------------------
# A small YAML writer: stable key order, flow style for short lists and series entries
# --------------------------------------------------------------------------------------------


FLOW_KEYS = ("clients", "stat_neighbours", "england", "agency")  # series entries on one line


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or "\n" in text:
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    probe = f"{{k: {text}}}" if flow else f"k: {text}"
    try:
        return yaml.safe_load(probe) == {"k": text}
    except yaml.YAMLError:
        return False


def scalar(value: object, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    return text if _plain_ok(text, flow) else json.dumps(text, ensure_ascii=False)


def _long_text(key_indent: str, key: str, text: str) -> list[str]:
    """A folded block for long text, wrapped at 100 columns."""
    width = 100 - len(key_indent) - 2
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [f"{key_indent}{key}: >-"] + [f"{key_indent}  {x}" for x in lines]


def emit(mapping: dict, indent: int = 0) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for key, value in mapping.items():
        k = scalar(key)
        if key in FLOW_KEYS and isinstance(value, dict):
            inner = ", ".join(f"{scalar(a, True)}: {scalar(b, True)}" for a, b in value.items())
            out.append(f"{pad}{k}: {{{inner}}}")
        elif isinstance(value, dict):
            out.append(f"{pad}{k}:")
            out.extend(emit(value, indent + 2))
        elif isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            out.append(f"{pad}{k}: [{', '.join(scalar(v, True) for v in value)}]")
        elif isinstance(value, list):
            out.append(f"{pad}{k}:")
            for item in value:
                body = emit(item, indent + 4)
                out.append(f"{pad}  - {body[0].lstrip()}")
                out.extend(body[1:])
        else:
            line = f"{pad}{k}: {scalar(value)}"
            if len(line) > 100 and isinstance(value, str) and "  " not in value:
                out.extend(_long_text(pad, k, value))
            else:
                out.append(line)
    return out


def dump_indicator(d: dict) -> str:
    text = "\n".join(emit(d)) + "\n"
    assert yaml.safe_load(text) == d, f"{d['id']}: YAML does not read back as written"
    return text


# --------------------------------------------------------------------------------------------
# Data rows
# --------------------------------------------------------------------------------------------


def number(value: float | int) -> str:
    """A plain number as the seed prints it: 73, 24.9, 5.4 (no thousands separators, no %)."""
    return repr(value)


def collect(seed: dict) -> tuple[list[dict], dict[str, list], list[tuple[str, str, str]]]:
    sections = {s["id"]: s for s in seed["sections"]}
    definitions: list[dict] = []
    files: dict[str, list] = {k: [] for k in ("actuals", "targets", "comparators", "extra", "lead")}
    ratings: list[tuple[str, str, str]] = []

    def add(file: str, ind: str, period: str, series: str, value) -> None:
        if value is not None:
            files[file].append((ind, period, series, number(value)))

    for section_id, to_label, build in (
        ("asc", lambda p, _i: month_label(p), asc_definition),
        ("scs", scs_label, scs_definition),
    ):
        section = sections[section_id]
        for ind in section["indicators"]:
            i = ind["id"]
            definitions.append(build(ind, section))
            periods = [to_label(p, i) for p in ind["periods"]]
            n = len(periods)
            none = [None] * n
            for p, a, t in zip(periods, ind["actual"], ind.get("target") or none, strict=True):
                add("actuals", i, p, "actual", a)
                add("targets", i, p, "target", t)
            for p, v in zip(periods, ind.get("stat_neighbours") or none, strict=True):
                add("comparators", i, p, "stat_neighbours", v)
            if i in ENGLAND:
                add("comparators", i, "2012/13", "england", ENGLAND[i])
            extra = ind.get("extra_series", {})
            for seed_name, name in (("client_numbers", "clients"), ("agency_percent", "agency")):
                for p, v in zip(periods, extra.get(seed_name) or none, strict=True):
                    add("extra", i, p, name, v)
            for p, rag in zip(periods, ind.get("rag") or none, strict=True):
                if rag is not None:
                    ratings.append((i, p, str(rag).upper()))

    series = lead_series()
    check_lead_facts(series)
    for spec in LEADS:
        definitions.append(lead_definition(spec))
        s = series[spec["id"]]
        for p, v in zip(s["periods"], s["actual"], strict=True):
            add("lead", spec["id"], p, "actual", v)
            add("lead", spec["id"], p, "lower", s["lower"])
            add("lead", spec["id"], p, "upper", s["upper"])
    return definitions, files, ratings


def write_csv(path: Path, header: list[str], rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    args = parser.parse_args()

    seed = yaml.safe_load(args.seed.read_text(encoding="utf-8"))
    definitions, files, ratings = collect(seed)
    assert len(ratings) == 143, f"expected 143 printed ratings, found {len(ratings)}"

    ind_dir = args.pack / "indicators"
    ind_dir.mkdir(parents=True, exist_ok=True)
    for d in definitions:
        assert re.fullmatch(r"[A-Z]+\d\d", d["id"])
        (ind_dir / f"{d['id']}.yaml").write_text(dump_indicator(d), encoding="utf-8")
    for name, rows in files.items():
        write_csv(
            args.pack / "data" / f"{name}.csv", ["indicator", "period", "series", "value"], rows
        )
    write_csv(args.fixture, ["indicator", "period", "rating"], ratings)
    print(
        f"{len(definitions)} indicators, "
        + ", ".join(f"{len(rows)} rows in {name}.csv" for name, rows in files.items())
        + f", {len(ratings)} ratings in {args.fixture.name}"
    )


if __name__ == "__main__":
    main()
