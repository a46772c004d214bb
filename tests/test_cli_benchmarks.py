"""``kpiboard benchmarks fetch``: a recorded Fingertips download fills the trust demo's comparators
and peer ranks, and the report shows them; the API path is tried against a local server."""

from __future__ import annotations

import http.server
import re
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.demo import DemoKind, write_demo

FIXTURE = Path(__file__).parent / "fixtures" / "fingertips" / "smoking-at-delivery-by-trust.csv"
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture
def trust_pack(tmp_path) -> Path:
    return write_demo(tmp_path / "pack", kind=DemoKind.NHS_TRUST)


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_benchmarks_fetch_from_file_fills_comparators_and_peer_ranks_in_the_report(
    trust_pack, tmp_path
):
    result = run("benchmarks", "fetch", trust_pack, "--from-file", FIXTURE)
    assert result.exit_code == 0, result.output
    assert "data/fingertips.csv: MAT01 2025/26 england: 7.5 -> 8.4" in result.output
    assert "not in the download: MAT01 2024/25: no region figure" in result.output
    data = (trust_pack / "data" / "fingertips.csv").read_text()
    assert "MAT01,2025/26,england,8.4\n" in data  # the fixture's England row
    assert "MAT01,2025/26,region,10.6\n" in data  # RNB's parent, E40000901
    assert "MAT01,2024/25,region" not in data  # the fixture leaves that region's value empty
    assert "MAT01,2023/24" not in data  # the fixture has two years: the demo's others go
    peers = (trust_pack / "peers" / "fingertips.csv").read_text()
    assert "MAT01,2025/26,RNB,6.4\n" in peers  # our area under the manifest's code
    assert "19.9" not in peers and "13.4" not in peers  # no category rows, no under-20s
    out = tmp_path / "report.html"
    assert run("report", trust_pack, "--out", out).exit_code == 0
    text = " ".join(re.sub(r"<[^>]+>", " ", out.read_text()).split())
    assert "Acute trusts in England (Mar 26): 4th of 12 (second quartile)" in text
    assert "England 9% 8.4% Region 10.6%" in text  # the two years the fixture holds


def test_benchmarks_fetch_dry_run_lists_changes_and_writes_nothing(trust_pack):
    before = (trust_pack / "data" / "fingertips.csv").read_bytes()
    result = run("benchmarks", "fetch", trust_pack, "--from-file", FIXTURE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "data/fingertips.csv: MAT01 2025/26 england: 7.5 -> 8.4" in result.output
    assert re.search(r"Benchmarks: 0 added, \d+ changed, \d+ removed", result.output)
    assert "Dry run: nothing written." in result.output
    assert (trust_pack / "data" / "fingertips.csv").read_bytes() == before


def test_benchmarks_fetch_twice_says_nothing_to_change(trust_pack):
    assert run("benchmarks", "fetch", trust_pack, "--from-file", FIXTURE).exit_code == 0
    result = run("benchmarks", "fetch", trust_pack, "--from-file", FIXTURE)
    assert result.exit_code == 0
    assert "0 added, 0 changed, 0 removed" in result.output
    assert "Nothing to change." in result.output


def test_benchmarks_fetch_refuses_a_figure_kept_in_another_file(trust_pack):
    (trust_pack / "data" / "fingertips.csv").write_text("indicator,period,series,value\n")
    with (trust_pack / "data" / "quality.csv").open("a") as handle:
        handle.write("MAT01,2025/26,england,7.0\n")
    before = (trust_pack / "data" / "fingertips.csv").read_bytes()
    result = run("benchmarks", "fetch", trust_pack, "--from-file", FIXTURE)
    assert result.exit_code == 1
    conflict = r"data/quality\.csv:\d+: MAT01 2025/26 england is here already"
    assert re.search(conflict, result.output)
    assert (trust_pack / "data" / "fingertips.csv").read_bytes() == before


def test_benchmarks_fetch_names_a_missing_age_choice_by_mapping_line(trust_pack):
    mapping = trust_pack / "benchmarks.yaml"
    mapping.write_text(mapping.read_text().replace("      age: All ages\n", ""))
    result = run("benchmarks", "fetch", trust_pack, "--from-file", FIXTURE)
    assert result.exit_code == 1
    assert re.search(
        r"benchmarks\.yaml:\d+: fingertips\.indicators\.MAT01\.age: the download has several: "
        r"'<20 yrs', 'All ages'; say which",
        result.output,
    )
    assert "Traceback" not in result.output


def test_check_reports_a_comparator_series_the_indicator_does_not_have(trust_pack):
    mapping = trust_pack / "benchmarks.yaml"
    mapping.write_text(mapping.read_text().replace("region: region", "regional: region"))
    result = run("check", trust_pack)
    assert result.exit_code == 1
    assert re.search(
        r"benchmarks\.yaml:\d+: fingertips\.indicators\.MAT01\.comparators\.regional: "
        r"not a comparator series of MAT01 \(it has england, region\)",
        result.output,
    )


def test_benchmarks_fetch_without_a_mapping_says_so(tmp_path):
    pack = write_demo(tmp_path / "council")
    result = run("benchmarks", "fetch", pack, "--from-file", FIXTURE)
    assert result.exit_code == 1
    assert "benchmarks.yaml: not found" in result.output


class _Fingertips(http.server.SimpleHTTPRequestHandler):
    """Answers the data endpoint with the recorded file, noting each address asked."""

    asked: ClassVar[list[str]] = []

    def do_GET(self):
        self.asked.append(self.path)
        if self.path.startswith("/slow/"):
            time.sleep(2.5)
        if not self.path.startswith("/api/all_data/csv/by_indicator_id?"):
            self.send_error(404)
            return
        body = FIXTURE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fingertips)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def test_benchmarks_fetch_asks_the_api_for_each_mapped_indicator(trust_pack, local_api):
    _Fingertips.asked.clear()
    result = run("benchmarks", "fetch", trust_pack, "--api-url", local_api, "--timeout", 5)
    assert result.exit_code == 0, result.output
    assert _Fingertips.asked == [
        "/api/all_data/csv/by_indicator_id?indicator_ids=99901&child_area_type_id=9001"
        "&parent_area_type_id=6"
    ]
    assert "MAT01,2025/26,RNB,6.4\n" in (trust_pack / "peers" / "fingertips.csv").read_text()


def test_benchmarks_fetch_with_no_server_says_so_in_one_line(trust_pack):
    before = (trust_pack / "peers" / "fingertips.csv").read_bytes()
    result = run("benchmarks", "fetch", trust_pack, "--api-url", "http://127.0.0.1:9/api")
    assert result.exit_code == 1
    assert "cannot connect" in result.output and "Traceback" not in result.output
    assert (trust_pack / "peers" / "fingertips.csv").read_bytes() == before


def test_benchmarks_fetch_refuses_an_answer_over_the_size_bound(trust_pack, local_api, monkeypatch):
    monkeypatch.setattr("kpiboard.packs.fingertips_fetch.MAX_BYTES", 1000)
    monkeypatch.setattr("kpiboard.packs.fingertips_fetch.CHUNK", 100)
    result = run("benchmarks", "fetch", trust_pack, "--api-url", local_api)
    assert result.exit_code == 1
    assert "the answer is larger than 1,000 bytes" in result.output


@pytest.mark.parametrize(
    ("path", "timeout", "message"),
    [
        ("/elsewhere", 5, "all_data/csv/by_indicator_id?indicator_ids=99901&child_area_type_id=9001"
                          "&parent_area_type_id=6: the server answered 404 Not Found"),
        ("/slow/api", 1, "no answer within 1 second"),
    ],
)  # fmt: skip
def test_benchmarks_fetch_reports_an_error_status_or_a_slow_server(
    trust_pack, local_api, path, timeout, message
):
    base = local_api.removesuffix("/api") + path
    result = run("benchmarks", "fetch", trust_pack, "--api-url", base, "--timeout", timeout)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_benchmarks_fetch_asks_only_http_addresses(trust_pack):
    result = run("benchmarks", "fetch", trust_pack, "--api-url", "file:///etc")
    assert result.exit_code == 1
    assert "only http and https addresses are fetched" in result.output


def test_every_benchmarks_fetch_option_is_documented():
    from kpiboard.cli_benchmarks import fetch

    docs = (DOCS / "benchmarking-and-forecasts.md").read_text()
    options = [o for p in fetch.params for o in p.opts if o.startswith("--")]
    assert options and [o for o in options if f"`{o}" not in docs] == []
