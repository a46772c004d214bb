"""The summary table's outturn column: the demo's printed outturns, and a count's year total."""

from __future__ import annotations

import textwrap

from kpiboard.packs.loader import load_pack
from kpiboard.report.tables import summary_table

#: "Outturn 2012/13" as the seed report printed it, ASC01 to ASC11 (copied, as for the ratings).
PRINTED_OUTTURNS = ["76%", "21.7%", "1,596", "45.5%", "74%", "84%", "5.68", "149", "1,265", "86%",
                    "26.3%"]  # fmt: skip


def outturn_column(pack, section_id: str) -> list[str]:
    section = pack.section(section_id)
    analyses = pack.analyse()
    table = summary_table(pack, section, [analyses[i] for i in section.indicator_ids], pack.as_at)
    column = [c.key for c in table.columns].index("outturn")
    return [row[column].text for row in table.rows]


def test_demo_summary_outturns_match_the_printed_report(demo_pack):
    # ASC03 and ASC09 are month-end snapshots (aggregation: last); for ASC08 the report printed
    # March's monthly count as the outturn (aggregation: last too).
    assert outturn_column(demo_pack, "asc") == PRINTED_OUTTURNS


def test_summary_outturn_of_a_monthly_count_is_the_years_total(tmp_path):
    files = {
        "kpiboard.yaml": """\
            format: 1
            title: Infection control
            as_at: 2014-04
            sections:
              - id: ipc
                title: Infection prevention
                summary: {columns: [title, outturn, current]}
            """,
        "indicators/MRSA.yaml": """\
            id: MRSA
            section: ipc
            title: MRSA bacteraemia cases
            unit: count
            polarity: lower_is_better
            """,
        "data/mrsa.csv": "indicator,period,series,value\n"
        + "".join(
            f"MRSA,{p},actual,{1 if p == '2013-11' else 0}\n"
            for p in [f"2013-{m:02d}" for m in range(4, 13)] + ["2014-01", "2014-02", "2014-03"]
        ),
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    assert outturn_column(load_pack(tmp_path), "ipc") == ["1"]
