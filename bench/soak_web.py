"""Soak: writers, readers and spreadsheet imports at once against gunicorn, then count revisions.

For ``--seconds`` (60 by default) on each database, through gunicorn in production settings:

- ``--writers`` clients (8) each own one indicator and save a new September figure for it through
  the data-entry form, again and again, as an owner would (read the form, change the figure, post);
- ``--readers`` clients (8) read the dashboard and indicator pages;
- one importer uploads a spreadsheet of figures for other indicators, previews and applies it, in
  a loop (the web's all-or-nothing import, in the request as the application runs it today).

Afterwards it counts, in the database, the revisions of every figure the writers and the importer
touched: each accepted save must be exactly one new revision (none lost, none duplicated), every
figure must have exactly one current revision, and its current value must be the last one saved.
Any server error (5xx), refused save or mismatch fails the run (exit 1).

    .venv/bin/python bench/soak_web.py [--postgres] [--seconds 60] [--writers 8] [--readers 8]

Loopback only; each client stops at the deadline; gunicorn is always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import (  # a sibling script, not a package
    PY,
    cookies_from,
    fetch,
    form_fields,
    indicator_code,
    manage,
    recreate_postgres,
    start_gunicorn,
    write_pack,
)

ADMIN = "soak-admin"
PASSWORD = "soak-" + secrets.token_urlsafe(18)
PERIOD = "2014-03"  # the last month of the synthetic pack: a figure exists, so a save is a change
INDICATORS = 40


@dataclass
class Tally:
    saves: Counter = field(default_factory=Counter)  # indicator -> accepted saves
    last: dict = field(default_factory=dict)  # indicator -> last value saved
    reads: int = 0
    imports: int = 0
    imported: Counter = field(default_factory=Counter)  # indicator -> figures applied
    import_last: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def sign_in(port: int) -> str:
    status, headers, page = fetch(port, "/sign-in/")
    jar = cookies_from(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
    body = urlencode({"username": ADMIN, "password": PASSWORD, "csrfmiddlewaretoken": token})
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = fetch(port, "/sign-in/", method="POST", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})  # fmt: skip
    jar.update(cookies_from(headers))
    if status != 302:
        raise SystemExit(f"sign-in failed: HTTP {status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def writer(port: int, cookie: str, code: str, deadline: float, tally: Tally) -> None:
    path = f"/entry/{code}/{PERIOD}/"
    n = 0
    while time.monotonic() < deadline:
        status, _, page = fetch(port, path, headers={"Cookie": cookie})
        if status != 200:
            tally.error(f"GET {path}: HTTP {status}")
            return
        fields = form_fields(page.decode())
        actual = next(k for k in fields if k.endswith("actual") and not k.startswith("base-"))
        n += 1
        value = f"{500 + n}"
        # "confirm": the writers' figures jump about, which the plausibility checks question
        fields.update({actual: value, "reason": "Soak test", "confirm": "on"})
        status, _, body = fetch(port, path, method="POST", body=urlencode(fields), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{port}{path}"})  # fmt: skip
        if status == 302:
            with tally.lock:
                tally.saves[code] += 1
                tally.last[code] = float(value)
        else:
            tally.error(f"POST {path}: HTTP {status} {body[:200]!r}")


def reader(port: int, cookie: str, deadline: float, tally: Tally, seed: int) -> None:
    pages = ["/", *(f"/indicators/{indicator_code(i)}/" for i in range(1, INDICATORS + 1))]
    i = seed
    while time.monotonic() < deadline:
        path = pages[i % len(pages)]
        i += 7
        status, _, _ = fetch(port, path, headers={"Cookie": cookie})
        if status >= 500:
            tally.error(f"GET {path}: HTTP {status}")
        with tally.lock:
            tally.reads += 1


def multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        f"\r\nContent-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def importer(port: int, cookie: str, codes: list[str], deadline: float, tally: Tally) -> None:
    headers = {"Cookie": cookie, "Referer": f"http://127.0.0.1:{port}/import/"}
    n = 0
    while time.monotonic() < deadline:
        n += 1
        rows = "".join(f"{c},{PERIOD},actual,{900 + n}\n" for c in codes)
        status, _, page = fetch(port, "/import/", headers=headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
        body, kind = multipart({"csrfmiddlewaretoken": token}, "file", "soak.csv",
                               ("indicator,period,series,value\n" + rows).encode())  # fmt: skip
        status, got, _ = fetch(port, "/import/", method="POST", body=body,
                               headers=headers | {"Content-Type": kind})  # fmt: skip
        location = {k.lower(): v for k, v in got}.get("location", "")
        if status != 302 or "/import/" not in location:
            tally.error(f"upload: HTTP {status}")
            return
        status, _, page = fetch(port, location, headers=headers)
        fields = form_fields(page.decode())
        fields.update({"action": "apply", "reason": "Soak import"})
        form = headers | {"Content-Type": "application/x-www-form-urlencoded"}
        status, got, body = fetch(port, location, method="POST", body=urlencode(fields),
                                  headers=form)  # fmt: skip
        job = {k.lower(): v for k, v in got}.get("location", "")
        if status == 302 and not finished(port, job, headers, tally):
            continue
        if status == 302:
            with tally.lock:
                tally.imports += 1
                for c in codes:
                    tally.imported[c] += 1
                    tally.import_last[c] = float(900 + n)
        else:
            tally.error(f"apply import: HTTP {status} {body[:200]!r}")


def finished(port: int, job: str, headers: dict, tally: Tally) -> bool:
    """Wait for an import's background job (applied by the worker beside gunicorn): True when
    it is done, False (with the error noted) when it failed or did not finish in two minutes."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, _, body = fetch(port, f"{job}?format=json", headers=headers)
        state = json.loads(body) if status == 200 else {}
        if status == 200 and not state["running"]:
            if state["failed"]:
                tally.error(f"import job failed: {state['step']}")
            return not state["failed"]
        time.sleep(0.2)
    tally.error(f"import job {job} did not finish in 120 s")
    return False


COUNT_SCRIPT = """
import json
from collections import Counter
from django.db.models import Count, Max
from kpiboard.web.models import Figure
rows = (Figure.objects.filter(period={period!r}, series="actual")
        .values("indicator__code").annotate(n=Count("id"), top=Max("revision")))
live = Figure.objects.filter(period={period!r}, series="actual", is_current=True)
current = {{f.indicator.code: f.value for f in live.select_related("indicator")}}
currents = Counter(live.values_list("indicator__code", flat=True))
print(json.dumps({{r["indicator__code"]: [r["n"], r["top"], currents[r["indicator__code"]],
                   current.get(r["indicator__code"])] for r in rows}}))
"""


def verify(env: dict, tally: Tally, writers: list[str], imported: list[str]) -> list[str]:
    """Each accepted save is one revision: one revision at load + saves; one current; last value."""
    import json

    done = subprocess.run(
        [PY, "-m", "kpiboard.cli", "manage", "shell", "-c", COUNT_SCRIPT.format(period=PERIOD)],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    problems = []
    for code in writers + imported:
        n, top, currents, value = counts[code]
        expected = 1 + tally.saves[code] + tally.imported[code]
        last = tally.last.get(code, tally.import_last.get(code))
        if n != expected or top != expected:
            problems.append(f"{code}: {n} revisions (top {top}), expected {expected}")
        if currents != 1:
            problems.append(f"{code}: {currents} current revisions")
        if last is not None and value != last:
            problems.append(f"{code}: current value {value}, last saved {last}")
    return problems


def soak(label: str, database_url: str, args, work: Path, pack: Path) -> bool:
    data_dir = work / f"data-{label}"
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOARD_", "DJANGO_"))} | {
        "KPIBOARD_ENV": "production", "KPIBOARD_SECRET_KEY": secrets.token_urlsafe(48),
        "KPIBOARD_ALLOWED_HOSTS": "127.0.0.1", "KPIBOARD_SECURE_COOKIES": "false",
        "KPIBOARD_DATA_DIR": str(data_dir), "KPIBOARD_STATIC_ROOT": str(data_dir / "static"),
        "DATABASE_URL": database_url,
        # production asks administrators for a second factor; the soak signs in by password
        "KPIBOARD_TWO_FACTOR_REQUIRED": "none",
    }  # fmt: skip
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    manage(env, "loadpack", str(pack), "--reason", "Soak test")
    manage(env, "addperson", ADMIN, "--role", "administrator", "--password-stdin", stdin=PASSWORD)
    writers = [indicator_code(i) for i in range(1, args.writers + 1)]
    imported = [indicator_code(i) for i in range(args.writers + 1, args.writers + 6)]
    tally = Tally()
    server = start_gunicorn(env, work, args.workers)
    worker = subprocess.Popen(  # applies the imports, as `kpiboard worker` does in production
        [sys.executable, "-m", "kpiboard.cli", "worker"], env=env, cwd=work,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        cookie = sign_in(server.port)
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=writer, args=(server.port, cookie, c, deadline, tally))
                   for c in writers]  # fmt: skip
        threads += [threading.Thread(target=reader, args=(server.port, cookie, deadline, tally, i))
                    for i in range(args.readers)]  # fmt: skip
        threads.append(threading.Thread(
            target=importer, args=(server.port, cookie, imported, deadline, tally)))  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 120)
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=30)
    problems = verify(env, tally, writers, imported)
    saves = sum(tally.saves.values())
    print(f"[{label}] {args.seconds} s: {saves:,} saves by {args.writers} writers, "
          f"{tally.reads:,} page reads by {args.readers} readers, {tally.imports} imports applied "
          f"({sum(tally.imported.values())} figures); errors: {len(tally.errors)}; "
          f"revision mismatches: {len(problems)}")  # fmt: skip
    for line in (tally.errors + problems)[:10]:
        print(f"  {line}")
    return not tally.errors and not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="also soak PostgreSQL")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/kpiboard_soak"
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="kpiboard-soak-") as tmp:
        work = Path(tmp)
        pack = work / "pack"
        write_pack(pack, INDICATORS)
        ok &= soak("SQLite", f"sqlite:///{work / 'soak.sqlite3'}", args, work, pack)
        if args.postgres:
            recreate_postgres(args.postgres_url, args.postgres_url.rsplit("/", 1)[1])
            ok &= soak("PostgreSQL", args.postgres_url, args, work, pack)
    print("PASS: no error, no lost or duplicated revision" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
