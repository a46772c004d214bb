"""The NHS trust demo's manifest and indicator definitions, as the mappings written to YAML.

Written as data so that the pack a user opens is plain YAML like any other; each indicator shows
one or more things a trust's board report needs (see docs/demos.md for the tour).
"""

from __future__ import annotations

from typing import Any

TITLE = "Integrated Performance Report"
ORGANISATION = "Northbrook Hospitals NHS Foundation Trust"
OWN_CODE = "RNB"
AS_AT = "2026-09"

ILLUSTRATIVE = (
    "Synthetic figures made up for the kpiboard demo: Northbrook Hospitals is not a real trust."
)

SECTIONS: list[dict[str, Any]] = [
    {
        "id": "access",
        "title": "Responsive: urgent care, planned care and cancer",
        "metadata": {"Executive lead": "Chief Operating Officer", "Committee": "Finance and "
                     "Performance Committee"},  # fmt: skip
        "indicators": ["AE01", "RTT01", "CAN01", "CAN02", "DM01", "LEAD01"],
    },
    {
        "id": "quality",
        "title": "Safe and effective care",
        "metadata": {"Executive lead": "Chief Nurse and Medical Director",
                     "Committee": "Quality and Safety Committee"},  # fmt: skip
        "indicators": ["NE01", "MRSA01", "CDI01", "FALLS01", "HSMR01"],
    },
    {
        "id": "workforce",
        "title": "Well led: our people",
        "metadata": {"Executive lead": "Chief People Officer", "Committee": "People Committee"},
        "indicators": ["WF01", "WF02", "WF03", "WF04"],
    },
    {
        "id": "finance",
        "title": "Finance and use of resources",
        "metadata": {"Executive lead": "Chief Finance Officer", "Committee": "Finance and "
                     "Performance Committee"},  # fmt: skip
        "indicators": ["FIN01", "FIN02", "FIN03", "FIN04"],
    },
]

SUMMARY_COLUMNS = ["number", "title", "target", "current", "rating", "direction", "variation",
                   "assurance"]  # fmt: skip


def manifest() -> dict[str, Any]:
    sections = []
    for section in SECTIONS:
        sections.append(
            {
                **section,
                "summary": {
                    "caption": f"{section['title']}: indicators",
                    "columns": SUMMARY_COLUMNS,
                },
            }
        )
    sections[0]["narrative"] = ["access-summary.md"]
    return {
        "format": 1,
        "title": TITLE,
        "subtitle": "Board of Directors, October 2026: performance to September 2026",
        "organisation": ORGANISATION,
        "organisation_code": OWN_CODE,
        "as_at": AS_AT,
        "rating_key": {
            "GREEN": "Meeting the standard or plan",
            "AMBER": "Short of the standard or plan, within the tolerance agreed by the board",
            "RED": "Short of the standard or plan, beyond the agreed tolerance",
        },
        "tags": {"nof": "Oversight framework", "constitutional": "Constitutional standard"},
        "sections": sections,
        "peer_groups": {
            "acute": {
                "label": "Acute trusts in England",
                "illustrative": "Illustrative: the other 121 trusts' figures are made up for "
                "the demo.",
            }
        },
    }


def _monthly(**fields: Any) -> dict[str, Any]:
    return {"frequency": "month", "illustrative": ILLUSTRATIVE, **fields}


def _access() -> list[dict[str, Any]]:
    return [
        _monthly(
            id="AE01", section="access", number="1.1", tags=["nof", "constitutional"],
            title="Patients seen, treated and admitted or discharged within 4 hours in the "
            "emergency department",
            short_title="A&E 4-hour performance", unit="percent", polarity="higher_is_better",
            data_period="Month",
            notes={"Standard": "The national standard rises by year: 76% (2023/24), 78% "
                   "(2024/25 and 2025/26), 82% (2026/27)",
                   "Process change": "The urgent treatment centre opened in April 2025; the SPC "
                   "limits start again from then"},
            rules=[{"amber": 5}, {"from": "2026/27", "amber": 3}],
            spc={"rebase": ["2025-04"]}, peer_groups=["acute"],
        ),  # fmt: skip
        _monthly(
            id="RTT01", section="access", number="1.2", tags=["nof", "constitutional"],
            title="Patients on an incomplete referral to treatment pathway waiting under 18 weeks",
            short_title="Referral to treatment within 18 weeks", unit="percent",
            polarity="higher_is_better", data_period="Month", rules=[{"amber": 5}], spc=True,
            draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="CAN01", section="access", number="1.3", tags=["nof"],
            title="Cancer faster diagnosis standard: diagnosis or ruling out within 28 days",
            short_title="Cancer 28-day faster diagnosis", unit="percent",
            polarity="higher_is_better", data_period="Month", rules=[{"amber": 3}], spc=True,
            draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="CAN02", section="access", number="1.4", tags=["nof", "constitutional"],
            title="Cancer: first treatment within 62 days of an urgent referral",
            short_title="Cancer 62-day treatment", unit="percent", polarity="higher_is_better",
            data_period="Month", rules=[{"amber": 5}], spc=True, draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="DM01", section="access", number="1.5", tags=["constitutional"],
            title="Patients waiting six weeks or more for a diagnostic test",
            short_title="Diagnostic waits over 6 weeks", unit="percent",
            polarity="lower_is_better", data_period="Month", rules=[{"amber": 2}], spc=True,
            draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="LEAD01", section="access", kind="lead", rated=False,
            title="Emergency department attendances", unit="count",
            polarity="close_to_target", data_period="Month", expected_range="spc",
            not_rated_reason="this is demand, watched against its expected range rather than a "
            "target.",
            notes={"Expected range": "The SPC process limits of the last three years"},
            draft_commentary=True,
        ),  # fmt: skip
    ]


def _quality() -> list[dict[str, Any]]:
    return [
        _monthly(
            id="NE01", section="quality", number="2.1", tags=["nof"],
            title="Never events reported", short_title="Never events", unit="count",
            polarity="lower_is_better", data_period="Month", rules=[{"amber": "none"}],
            spc={"chart": "t"},
            notes={"Chart": "Never events are rare, so the chart shows the days between "
                   "them (a t-chart) rather than the monthly count"},
        ),  # fmt: skip
        _monthly(
            id="MRSA01", section="quality", number="2.2", tags=["nof"],
            title="Hospital-onset MRSA bloodstream infections", short_title="MRSA bacteraemia",
            unit="count", polarity="lower_is_better", data_period="Month",
            rules=[{"amber": "none"}], spc={"chart": "g"}, draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="CDI01", section="quality", number="2.3", tags=["nof"],
            title="Healthcare-associated C. difficile infections, year to date, against the "
            "annual threshold",
            short_title="C. difficile cases (year to date)", unit="count",
            polarity="lower_is_better", data_period="YTD",
            series={"cases": {"label": "Cases in the month", "role": "extra"}},
            derive={"method": "year_to_date", "how": "sum", "source": "cases"},
            rules=[{"amber": "10%"}], spc={"on": "cases"},
            notes={"Target": "The annual threshold set by NHS England, profiled evenly by month"},
        ),  # fmt: skip
        _monthly(
            id="FALLS01", section="quality", number="2.4",
            title="Inpatient falls per 1,000 occupied bed days", short_title="Falls per 1,000 "
            "bed days", unit="rate", polarity="lower_is_better", data_period="Month",
            series={"falls": {"label": "Falls", "role": "extra", "unit": "count"},
                    "bed_days": {"label": "Occupied bed days", "role": "extra", "unit": "count"}},
            derive={"method": "period", "how": "ratio", "numerator": "falls",
                    "denominator": "bed_days", "scale": 1000},
            rules=[{"amber": "10%"}], spc=True, draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="HSMR01", section="quality", number="2.5", tags=["nof"],
            title="Hospital standardised mortality ratio, 12 months to date",
            short_title="HSMR (rolling 12 months)", unit="ratio", decimals=1,
            polarity="lower_is_better", data_period="12M", accumulation="rolling_12",
            series={"national": {"label": "National benchmark", "role": "comparator"}},
            benchmark={"series": "national", "rate": True},
            notes={"Method": "Rated by whether the 95% confidence interval lies wholly below, "
                   "around or wholly above the national ratio of 100"},
        ),  # fmt: skip
    ]


def _workforce() -> list[dict[str, Any]]:
    return [
        _monthly(
            id="WF01", section="workforce", number="3.1", title="Staff sickness absence rate",
            short_title="Sickness absence", unit="percent", decimals=2,
            polarity="lower_is_better", data_period="Month", rules=[{"amber": "10%"}], spc=True,
            draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="WF02", section="workforce", number="3.2",
            title="Staff turnover: leavers in the last 12 months as a share of average staff "
            "in post", short_title="Staff turnover (rolling 12 months)", unit="percent",
            polarity="lower_is_better", data_period="12M",
            series={"leavers": {"label": "Leavers in the month", "role": "extra",
                                "unit": "count"},
                    "staff_in_post": {"label": "Staff in post (FTE)", "role": "extra",
                                      "unit": "count"}},
            derive={"method": "rolling_12", "how": "ratio", "numerator": "leavers",
                    "denominator": "staff_in_post", "scale": 1200},
            rules=[{"amber": "10%"}], draft_commentary=True,
            notes={"How it is calculated": "Leavers over 12 months divided by the average staff "
                   "in post over the same months (the sum of 12 month-ends divided by 12)"},
        ),  # fmt: skip
        {
            "id": "WF03", "section": "workforce", "number": "3.3", "frequency": "quarter",
            "title": "Staff with an appraisal in the last 12 months", "illustrative": ILLUSTRATIVE,
            "short_title": "Appraisal rate", "unit": "percent", "polarity": "higher_is_better",
            "data_period": "Quarterly", "rules": [{"amber": "5%"}], "draft_commentary": True,
        },  # fmt: skip
        _monthly(
            id="WF04", section="workforce", number="3.4", title="Vacancy rate",
            unit="percent", polarity="lower_is_better", data_period="Month",
            rules=[{"amber": "10%"}], spc=True, draft_commentary=True,
        ),  # fmt: skip
    ]


def _finance() -> list[dict[str, Any]]:
    return [
        _monthly(
            id="FIN01", section="finance", number="4.1",
            title="Income and expenditure: surplus or deficit, year to date, against plan",
            short_title="Surplus (deficit) year to date", unit="currency", scale="thousands",
            polarity="higher_is_better", data_period="YTD", accumulation="year_to_date",
            rules=[{"amber": "10%"}], forecast={"method": "run_rate", "cumulative": True},
            notes={"Plan": "The deficit plan agreed with NHS England, profiled evenly by month"},
        ),  # fmt: skip
        _monthly(
            id="FIN02", section="finance", number="4.2",
            title="Cost improvement programme delivered, year to date", short_title="Cost "
            "improvement delivered (year to date)", unit="currency", scale="thousands",
            polarity="higher_is_better", data_period="YTD", accumulation="year_to_date",
            rules=[{"amber": "5%"}], forecast={"method": "run_rate", "cumulative": True},
            draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="FIN03", section="finance", number="4.3", title="Agency staff spend in the month "
            "against the agency cap", short_title="Agency spend", unit="currency",
            scale="thousands", polarity="lower_is_better", data_period="Month",
            rules=[{"amber": "10%"}], spc=True, draft_commentary=True,
        ),  # fmt: skip
        _monthly(
            id="FIN04", section="finance", number="4.4", title="Cash balance at month end",
            short_title="Cash balance", unit="currency", scale="millions", decimals=1,
            polarity="higher_is_better", data_period="Month", rules=[{"amber": "25%"}],
            draft_commentary=True,
        ),  # fmt: skip
    ]


def indicators() -> list[dict[str, Any]]:
    return [*_access(), *_quality(), *_workforce(), *_finance()]
