"""A 100,000-row CSV import through the web application: preview time and size, apply time.

Writes the synthetic pack of bench_web.py (834 monthly indicators over 60 months: 100,080 actuals
and targets) into a fresh SQLite database in a temporary folder, then makes a CSV of every one of
its figures with each actual changed and each target as it is (50,040 changed, 50,040 unchanged).
Through Django's test client, signed in as an analyst, it times the upload (checked in the
request), the preview page (time and bytes) and the apply: the time until the figures are
written, whether the request writes them or a background job does (then the job is run here at
once, by the same worker code ``kpiboard worker`` runs, and the time of request plus job is shown).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROWS_PER_INDICATOR = 120  # 60 months x (actual, target)
INDICATORS = int(os.environ.get("BENCH_INDICATORS", "834"))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kpiboard-bench-import-"))
    os.environ["KPIBOARD_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kpiboard.web.settings"
    os.environ.setdefault("KPIBOARD_DEBUG", "false")
    os.environ["KPIBOARD_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(Path(__file__).parent))
    import django

    from bench_web import write_pack

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from kpiboard.web.accounts import create_person
    from kpiboard.web.models import Figure, Role
    from kpiboard.web.store import load_pack_into_db

    pack = folder / "pack"
    facts = write_pack(pack, INDICATORS)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    load_pack_into_db(pack, reason="Benchmark")
    print(f"pack: {facts['figures']:,} figures loaded in {time.perf_counter() - started:.1f} s")
    lines = (pack / "data" / "figures.csv").read_text("utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        code, period, series, value = line.split(",")
        if series == "actual":
            value = f"{float(value) + 1:g}"
        out.append(f"{code},{period},{series},{value}")
    csv = ("\n".join(out) + "\n").encode()
    print(f"csv: {len(out) - 1:,} rows, {len(csv) / 1e6:.1f} MB")

    user, _ = create_person("bench-analyst", Role.ANALYST)
    client = Client(HTTP_HOST="testserver")
    client.force_login(user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    started = time.perf_counter()
    response = client.post("/import/", {"file": SimpleUploadedFile("figures.csv", csv)})
    print(f"upload and check: {time.perf_counter() - started:.1f} s (HTTP {response.status_code})")
    preview_url = response["Location"]
    started = time.perf_counter()
    page = client.get(preview_url)
    took = time.perf_counter() - started
    text = page.content.decode()
    print(f"preview: {took:.1f} s, {len(page.content) / 1e6:.2f} MB (HTTP {page.status_code})")

    import re

    digest = re.search(r'name="digest" value="([0-9a-f]+)"', text)[1]
    before = Figure.objects.count()
    started = time.perf_counter()
    response = client.post(preview_url, {"action": "apply", "digest": digest, "reason": ""})
    request_took = time.perf_counter() - started
    print(f"apply request: {request_took:.1f} s (HTTP {response.status_code})")
    if "/jobs/" in response.get("Location", ""):
        started = time.perf_counter()
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
        job_took = time.perf_counter() - started
        print(f"apply job: {job_took:.1f} s; request and job {request_took + job_took:.1f} s")
        job_page = client.get(response["Location"])
        print(f"job page after: {len(job_page.content) / 1e3:.1f} kB (HTTP {job_page.status_code})")
    print(f"figures written: {Figure.objects.count() - before:,}")


if __name__ == "__main__":
    main()
