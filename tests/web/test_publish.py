"""Publishing open data from the web: who may, what is published (approved periods only, as
they stood at approval), the zip the worker makes and the record of every publication."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from kpiboard.web.models import Job, JobKind, JobOutcome, Publication
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import save_period_entry

from .jobs_support import job_url, run_jobs

URL = reverse("kpiboard:publish")


@pytest.fixture
def site(demo_site, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return demo_site


def approve(site, period: str = "2013-09") -> None:
    """Adult Social Care's period submitted by its owner and approved by its approver."""
    set_signoff(site["owner"], "asc", period, "submitted")
    set_signoff(site["approver"], "asc", period, "approved")


def publish(client) -> zipfile.ZipFile:
    """Press Publish, let the worker run the job, and open the zip it made."""
    response = client.post(URL)
    url = job_url(response)
    run_jobs()
    job = Job.objects.get(pk=url.strip("/").rsplit("/", 1)[1])
    assert (job.kind, job.outcome) == (JobKind.PUBLISH, JobOutcome.DONE), job.message
    download = client.get(reverse("kpiboard:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def read(archive: zipfile.ZipFile, name: str) -> bytes:
    (path,) = [n for n in archive.namelist() if n.split("/", 1)[1] == name]
    return archive.read(path)


def figures(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(read(archive, "data/figures.csv").decode())))


@pytest.mark.parametrize("name", ["viewer", "owner", "section_owner", "approver"])
def test_publish_is_refused_to_all_but_analysts_and_administrators(site, client_for, name):
    client = client_for(name)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert not Job.objects.filter(kind=JobKind.PUBLISH).exists()


def test_publish_page_says_nothing_is_approved_yet(site, client_for):
    html = client_for("analyst").get(URL).content.decode()
    assert "No section has an approved period yet" in html
    assert 'type="submit"' not in html


def test_publish_with_nothing_approved_starts_no_job(site, client_for):
    response = client_for("analyst").post(URL)
    assert response.status_code == 302 and response.url == URL
    assert not Job.objects.filter(kind=JobKind.PUBLISH).exists()
    assert not Publication.objects.exists()


def test_publish_page_lists_what_will_be_published(site, client_for):
    approve(site)
    html = client_for("admin").get(URL).content.decode()
    assert "Adult Social Care" in html and "September 2013" in html
    assert "By Helen Barker" in html
    assert "Specialist Children" not in html.split("What will be published")[1].split("</table>")[0]


def test_publish_makes_a_zip_of_the_approved_section_and_records_it(site, client_for):
    approve(site)
    archive = publish(client_for("analyst"))
    names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert {"index.html", "section-asc.html", "ind-ASC01.html", "data.html", "site.css",
            "datapackage.json", "publication.json", "data/figures.csv"} <= names  # fmt: skip
    assert "section-scs.html" not in names and "ind-SCS01.html" not in names
    actions = csv.DictReader(io.StringIO(read(archive, "data/actions.csv").decode()))
    assert {a["section"] for a in actions} == {"asc"}  # only the approved section's plan
    rows = figures(archive)
    assert {r["indicator"][:3] for r in rows} == {"ASC"}
    assert max(r["period_end"] for r in rows) <= "2013-09-30"
    record = json.loads(read(archive, "publication.json"))
    assert record["published_by"] == "Tom Whitfield" and record["how"] == "web"
    assert [s["id"] for s in record["sections"]] == ["asc"]
    assert record["sections"][0]["published_to"] == "2013-09"
    (publication,) = Publication.objects.all()
    assert publication.author == site["analyst"]
    assert publication.periods[0]["section"] == "asc"
    assert publication.periods[0]["period"] == "2013-09"
    assert publication.periods[0]["approved_by"] == "Helen Barker"
    page = client_for("analyst").get(URL).content.decode()
    assert "Tom Whitfield" in page and "Adult Social Care to 2013-09" in page


def test_publish_leaves_out_a_figure_changed_after_approval(site, client_for):
    approve(site)
    changed = save_period_entry(
        site["analyst"],
        "ASC01",
        "2013-09",
        {"actual": 99.0},
        {"actual": 1},
        None,
        0,
        "Late correction",
    )
    assert changed is not None
    rows = figures(publish(client_for("analyst")))
    (september,) = [
        r for r in rows
        if (r["indicator"], r["period"], r["series"]) == ("ASC01", "2013-09", "actual")
    ]  # fmt: skip
    assert september["value"] == "73"  # as approved, not the 99 entered since


def test_publish_leaves_out_periods_after_the_approved_one(site, client_for):
    save_period_entry(site["owner"], "ASC01", "2013-10", {"actual": 75.0}, {}, None, 0, "")
    approve(site)  # September approved; October's figure is a draft
    rows = figures(publish(client_for("analyst")))
    assert not [r for r in rows if r["period"] == "2013-10"]


def test_publish_leaves_out_a_reopened_period(site, client_for):
    save_period_entry(site["owner"], "ASC01", "2013-10", {"actual": 75.0}, {}, None, 0, "")
    approve(site, "2013-10")
    approve(site, "2013-09")
    set_signoff(site["analyst"], "asc", "2013-09", "draft", "Figures to be checked")
    rows = figures(publish(client_for("analyst")))
    periods = {r["period"] for r in rows if r["indicator"] == "ASC01"}
    assert "2013-10" in periods and "2013-09" not in periods
    assert Publication.objects.get().periods[0]["withheld"] == ["2013-09"]


def test_publications_cannot_be_changed_or_deleted(site):
    record = Publication.objects.create(author=site["analyst"], file_name="x.zip", periods=[])
    with pytest.raises(ValueError, match="never changed"):
        record.save()
    with pytest.raises(ValueError, match="never deleted"):
        record.delete()
