"""A small finance pack whose figures are in thousands of pounds (a deficit), for the tests of
scaled units, the currency symbol and accounting brackets in every output."""

from __future__ import annotations

from pathlib import Path

MANIFEST = """\
format: 1
title: Finance monitoring report
organisation: Test Council
as_at: 2013-09
{style}sections:
  - id: fin
    title: Finance
    summary:
      columns: [number, title, current, target, rating, direction]
"""

FIN01 = """\
id: FIN01
section: fin
number: "1"
title: Revenue budget position
unit: currency
scale: thousands
polarity: higher_is_better
frequency: month
data_period: YTD
rules:
  - amber: 100
series:
  reserves: {label: General reserves, role: extra, unit: currency, scale: millions, decimals: 1}
"""

FIN02 = """\
id: FIN02
section: fin
number: "2"
title: Library visits
unit: count
scale: thousands
polarity: higher_is_better
frequency: month
data_period: Month
rules:
  - floor: 1100
"""

DATA = """\
indicator,period,series,value
FIN01,2013-04,actual,-1500
FIN01,2013-05,actual,-1700
FIN01,2013-06,actual,-1850
FIN01,2013-07,actual,-1900
FIN01,2013-08,actual,-2000
FIN01,2013-09,actual,-2068
FIN01,2013-04,target,-1900
FIN01,2013-05,target,-1900
FIN01,2013-06,target,-1900
FIN01,2013-07,target,-1900
FIN01,2013-08,target,-1900
FIN01,2013-09,target,-1900
FIN01,2013-09,reserves,-12.35
FIN02,2013-07,actual,1249
FIN02,2013-08,actual,1180
FIN02,2013-09,actual,1150
FIN02,2013-07,target,1200
FIN02,2013-08,target,1200
FIN02,2013-09,target,1200
"""


def write_finance_pack(root: Path, style: str = "") -> Path:
    """The pack in ``root``; ``style`` is extra manifest lines (``negatives: brackets\\n``)."""
    files = {
        "kpiboard.yaml": MANIFEST.format(style=style),
        "indicators/FIN01.yaml": FIN01,
        "indicators/FIN02.yaml": FIN02,
        "data/figures.csv": DATA,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
