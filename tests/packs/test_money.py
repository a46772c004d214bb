"""Money and scale in a pack: figures in thousands or millions, the currency symbol and
accounting brackets, read from the manifest and the indicators and kept in every output."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.cli import main
from kpiboard.core.units import Negatives, Scale, UnitKind
from kpiboard.packs.datafiles import format_number, parse_number
from kpiboard.packs.exporter import result_rows, summary_rows
from kpiboard.packs.loader import check_pack, load_pack
from tests.finance_pack import FIN01, write_finance_pack

BRACKETS_EURO = 'negatives: brackets\ncurrency_symbol: "€"\n'


def problems(root) -> list[str]:
    return [f"{p.file}:{p.line}: {p.field}: {p.message}" for p in check_pack(root)]


def test_scale_symbol_and_negatives_reach_every_unit(tmp_path):
    pack = load_pack(write_finance_pack(tmp_path, BRACKETS_EURO))
    fin01, fin02 = pack.indicators["FIN01"], pack.indicators["FIN02"]
    assert (fin01.unit.kind, fin01.unit.scale, fin01.unit.symbol) == (
        UnitKind.CURRENCY, Scale.THOUSANDS, "€"
    )  # fmt: skip
    assert fin01.unit.negatives is Negatives.BRACKETS and fin02.unit.negatives is Negatives.BRACKETS
    assert fin02.unit.format(1249) == "1,249k"
    reserves = fin01.series_def("reserves").unit
    assert reserves.format(-12.35) == "(€12.4m)"
    assert (pack.currency_symbol, pack.negatives) == ("€", Negatives.BRACKETS)


def test_defaults_are_pounds_and_a_minus_sign(tmp_path):
    unit = load_pack(write_finance_pack(tmp_path)).indicators["FIN01"].unit
    assert (unit.format(-2068), unit.format_difference(-100)) == ("-£2,068k", "£100k")


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        (
            "gbp_thousands",
            "'gbp_thousands' is not a unit: write unit: currency with scale: thousands "
            "(and currency_symbol: in kpiboard.yaml for a symbol other than £)",
        ),
        ("£m", "write unit: currency with scale: millions"),
        ("pounds", "write unit: currency (and currency_symbol:"),
        ("visits_k", "'visits_k' is not a unit: write unit: count with scale: thousands"),
        ("furlongs", "'furlongs' is not one of: percent, count, rate, currency, ratio, days"),
    ],
)
def test_a_unit_with_money_or_scale_in_its_name_gets_the_keys_to_use(tmp_path, unit, message):
    root = write_finance_pack(tmp_path)
    text = FIN01.replace("unit: currency\nscale: thousands\n", f"unit: {unit}\n")
    (root / "indicators/FIN01.yaml").write_text(text, encoding="utf-8")
    found = [p for p in problems(root) if p.startswith("indicators/FIN01.yaml:5: unit: ")]
    assert len(found) == 1 and message in found[0]


def test_scale_is_refused_where_it_means_nothing_and_values_are_checked(tmp_path):
    root = write_finance_pack(tmp_path, "currency_symbol: 12\nnegatives: red\n")
    fin01 = FIN01.replace("unit: currency", "unit: percent").replace(
        "scale: millions", "scale: billions"
    )
    (root / "indicators/FIN01.yaml").write_text(fin01, encoding="utf-8")
    found = problems(root)
    assert (
        "indicators/FIN01.yaml:6: scale: only currency and count figures can be in thousands, "
        "not percent"
    ) in found
    assert any(
        p.startswith("indicators/FIN01.yaml:13: series.reserves.scale: 'billions' is not one of")
        for p in found
    )
    assert any(
        p.startswith("kpiboard.yaml:5: currency_symbol: '12' is not a currency") for p in found
    )
    assert "kpiboard.yaml:6: negatives: 'red' is not one of: minus, brackets" in found


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 0))
def test_an_accounting_negative_reads_back_as_the_number(value):
    written = format_number(abs(value))
    assert parse_number(f"({written})") == -abs(value)
    assert parse_number(format_number(value)) == value


@pytest.mark.parametrize("text", ["()", "(-5)", "((5))", "(2,068)", "(£2068k)"])
def test_a_malformed_bracketed_number_is_refused(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


def test_parse_number_bracketed_zero_is_zero():
    assert str(parse_number("(0)")) == "0.0"


def test_machine_readable_results_keep_raw_figures_with_their_unit(tmp_path):
    pack = load_pack(write_finance_pack(tmp_path, BRACKETS_EURO))
    row = next(
        r for r in result_rows(pack) if r["indicator"] == "FIN01" and r["period"] == "2013-09"
    )
    assert (row["actual"], row["target"], row["unit"]) == (-2068, -1900, "€k")
    summary = {r["indicator"]: r for r in summary_rows(pack)}
    assert (summary["FIN01"]["unit"], summary["FIN02"]["unit"]) == ("€k", "thousands")


def test_cli_rate_table_writes_the_unit_and_csv_json_keep_numbers(tmp_path):
    root = write_finance_pack(tmp_path, BRACKETS_EURO)
    runner = CliRunner()
    table = runner.invoke(main, ["rate", str(root), "--indicator", "FIN01"]).output
    assert "(€2,068k)" in table and "-2068" not in table
    rows = json.loads(runner.invoke(main, ["rate", str(root), "--format", "json"]).output)
    july = next(r for r in rows if r["indicator"] == "FIN02" and r["period"] == "2013-07")
    assert (july["actual"], july["unit"]) == (1249, "thousands")
    out = runner.invoke(main, ["rate", str(root), "--format", "csv"]).output
    first = next(csv.DictReader(io.StringIO(out)))
    assert (float(first["actual"]), first["unit"]) == (-1500, "€k")


def _docs_money_examples() -> list[str]:
    """The ```yaml blocks of the "Money and scale" section of docs/pack-format.md."""
    text = (Path(__file__).parents[2] / "docs" / "pack-format.md").read_text("utf-8")
    section = text.split("### Money and scale", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def test_docs_money_examples_load_and_print_as_documented(tmp_path):
    indicator, manifest = _docs_money_examples()
    root = write_finance_pack(tmp_path, manifest)
    head = FIN01.split("unit: currency", 1)[0]
    body = "polarity: higher_is_better\nfrequency: month\n"
    (root / "indicators/FIN01.yaml").write_text(head + body + indicator, encoding="utf-8")
    fin01 = load_pack(root).indicators["FIN01"]
    assert fin01.unit.format(-2068) == "(€2,068k)"
    assert fin01.series_def("reserves").unit.format(-12.35) == "(€12.4m)"
    assert fin01.rules[0].describe(
        fin01.polarity, fin01.unit.format, fin01.unit.format_difference
    ) == ("Amber within €100k; Red beyond")
