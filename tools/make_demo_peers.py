"""Write the demo pack's illustrative peer file (dev tool; the output is committed).

The 2013 report states only three facts about how SCS01 compares: the council ranked 13th of 152
councils, the England rate was 75.5%, and its statistical neighbours averaged 66.2% in 2012/13.
The other 151 councils' figures were not published with it, so this script makes up a
distribution consistent with those facts, with anonymous codes, so the demo can show ranking,
quartiles and peer statistics. The manifest labels the peer groups as illustrative.

Run: .venv/bin/python tools/make_demo_peers.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "src/kpiboard/demo/pack/peers/scs01-2012-13.csv"
OWN, OWN_VALUE = "KENT", 93.5
RANK, COUNCILS = 13, 152
ENGLAND_MEAN, NEIGHBOUR_MEAN = 75.5, 66.2
NEIGHBOURS = [f"C{i:03d}" for i in range(40, 50)]  # ten anonymous statistical neighbours


def build() -> dict[str, float]:
    rng = np.random.default_rng(2013)
    codes = [f"C{i:03d}" for i in range(1, COUNCILS)]
    values = dict.fromkeys(codes, 0.0)
    above = [c for c in codes if c not in NEIGHBOURS][: RANK - 1]  # the 12 councils ahead of Kent
    for code in above:
        values[code] = float(np.round(rng.uniform(94.0, 99.5), 1))
    raw = rng.normal(NEIGHBOUR_MEAN, 6.0, len(NEIGHBOURS))
    raw += NEIGHBOUR_MEAN - raw.mean()
    for code, value in zip(NEIGHBOURS, raw, strict=True):
        values[code] = float(np.round(value, 1))
    rest = [c for c in codes if c not in above and c not in NEIGHBOURS]
    total_needed = ENGLAND_MEAN * COUNCILS - OWN_VALUE - sum(values[c] for c in above + NEIGHBOURS)
    raw = rng.normal(total_needed / len(rest), 8.0, len(rest))
    raw += total_needed / len(rest) - raw.mean()
    raw = np.clip(raw, 40.0, 93.0)
    for code, value in zip(rest, raw, strict=True):
        values[code] = float(np.round(value, 1))
    # Nudge the unconstrained councils so the mean lands on the stated rate after rounding.
    gap = ENGLAND_MEAN * COUNCILS - OWN_VALUE - sum(values.values())
    step = round(gap / len(rest), 1)
    for code in rest:
        values[code] = round(min(93.0, values[code] + step), 1)
    values[OWN] = OWN_VALUE
    return values


def main() -> None:
    values = build()
    ordered = sorted(values.values(), reverse=True)
    assert ordered.index(OWN_VALUE) + 1 == RANK and ordered.count(OWN_VALUE) == 1
    assert abs(np.mean(list(values.values())) - ENGLAND_MEAN) < 0.05
    assert abs(np.mean([values[c] for c in NEIGHBOURS]) - NEIGHBOUR_MEAN) < 0.05
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["indicator", "period", "organisation", "value"])
        for code in sorted(values):
            writer.writerow(["SCS01", "2012/13", code, f"{values[code]:g}"])
    print(f"wrote {OUT} ({len(values)} councils); neighbours: {', '.join(NEIGHBOURS)}")


if __name__ == "__main__":
    main()
