"""``kpiboard serve --demo``: gunicorn with a background-jobs worker beside it, both stopped
together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[tuple[int, str]]:
    """The processes ``pid`` started (Linux /proc), with their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_serve_demo_starts_a_worker_beside_gunicorn_and_stops_it(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1] / "src"), str(Path.cwd())])
    env["TMPDIR"] = str(tmp_path)  # the demo's database folder
    serve = subprocess.Popen(
        [sys.executable, "-m", "kpiboard.cli", "serve", "--demo", "--port", str(port),
         "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.read() == b"ok"
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the demo never answered")
        workers = [pid for pid, cmd in children(serve.pid) if "kpiboard.cli worker" in cmd]
        assert len(workers) == 1
        serve.send_signal(signal.SIGTERM)
        out, _ = serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    assert "A worker for background jobs is running beside it" in out
    assert serve.returncode == 0
    assert not Path(f"/proc/{workers[0]}").exists()  # stopped (and reaped) with the demo
