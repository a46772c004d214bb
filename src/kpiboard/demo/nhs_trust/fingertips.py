"""The trust demo's Fingertips download: smoking at delivery for every acute trust, made up.

The demo fills its comparators and peer ranks the way a real trust would, by reading a download
in Fingertips' CSV layout through ``kpiboard benchmarks fetch``'s own code. The figures, the
indicator id (99901), the area type (9001) and the regions are all invented here: Northbrook
Hospitals is not a real trust, and neither are the 121 others.
"""

from __future__ import annotations

import csv
import io

from .series import Draw

#: Fingertips' CSV columns, in the order its ``all_data/csv`` endpoints write them.
COLUMNS = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles",
    "Time period Sortable", "New data", "Compared to goal", "Time period range",
)  # fmt: skip
INDICATOR_ID, INDICATOR_NAME = 99901, "Smoking status at time of delivery (illustrative)"
AREA_TYPE = "Acute trusts (illustrative)"
REGIONS = (("E40000901", "Northern region (illustrative)"),
           ("E40000902", "Midlands region (illustrative)"),
           ("E40000903", "Southern region (illustrative)"))  # fmt: skip
OTHERS = 121


def _row(code: str, name: str, kind: str, parent: tuple[str, str], year: str, value: float) -> list:
    sortable = f"{year[:4]}0000"
    cells = {
        "Indicator ID": INDICATOR_ID, "Indicator Name": INDICATOR_NAME,
        "Parent Code": parent[0], "Parent Name": parent[1], "Area Code": code,
        "Area Name": name, "Area Type": kind, "Sex": "Female", "Age": "All ages",
        "Time period": year, "Value": f"{value:.1f}", "Time period Sortable": sortable,
        "Time period range": "1y",
    }  # fmt: skip
    return [cells.get(column, "") for column in COLUMNS]


def fingertips_csv(own_code: str, own_name: str, own_values: dict[str, float]) -> str:
    """A download holding England, three regions and 122 trusts (ours under ``own_code``, in
    the first region) for each financial year in ``own_values``."""
    draw = Draw(Draw.seeded().rng.spawn(2)[0])
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(COLUMNS)
    england = ("E92000001", "England")
    for year, own in own_values.items():
        drift = 0.8 * (int(year[:4]) - 2022)  # the country's rate falls year by year too
        values = [float(v) for v in draw.rng.normal(9.9 - drift, 2.6, OTHERS).clip(2.0, 19.0)]
        trusts = [(f"T{i + 1:03d}", f"Trust {i + 1:03d}", REGIONS[i % 3], round(v, 1))
                  for i, v in enumerate(values)]  # fmt: skip
        trusts.append((own_code, own_name, REGIONS[0], own))
        everyone = [t[3] for t in trusts]
        writer.writerow(_row(*england, "England", england, year, sum(everyone) / len(everyone)))
        for region in REGIONS:
            mine = [t[3] for t in trusts if t[2] == region]
            writer.writerow(_row(*region, "Region", england, year, sum(mine) / len(mine)))
        for code, name, region, value in trusts:
            writer.writerow(_row(code, name, AREA_TYPE, region, year, value))
    return out.getvalue()
