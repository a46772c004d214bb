"""KPIBOARD_TWO_FACTOR_REQUIRED as a fresh process reads it: administrators in production,
nobody elsewhere, and a mistyped role stops start-up with one line naming the variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .test_settings import PRODUCTION

SCRIPT = """
import json, django
django.setup()
from kpiboard.web.two_factor import required_roles
print(json.dumps(sorted(r.value for r in required_roles())))
"""


def run(tmp_path, code: str, **environ: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KPIBOARD_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        KPIBOARD_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kpiboard.web.settings", **environ
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def required(tmp_path, **environ: str) -> list[str]:
    done = run(tmp_path, SCRIPT, **environ)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_administrators_must_use_it_in_production_and_nobody_elsewhere(tmp_path):
    assert required(tmp_path, **PRODUCTION) == ["administrator"]
    assert required(tmp_path) == []
    assert required(tmp_path, KPIBOARD_ENV="test") == []


def test_the_roles_come_from_the_environment(tmp_path):
    assert required(tmp_path, KPIBOARD_TWO_FACTOR_REQUIRED="analyst, administrator") == [
        "administrator",
        "analyst",
    ]
    assert len(required(tmp_path, KPIBOARD_TWO_FACTOR_REQUIRED="all")) == 5
    assert required(tmp_path, **PRODUCTION, KPIBOARD_TWO_FACTOR_REQUIRED="none") == []


def test_a_mistyped_role_stops_start_up_in_one_line(tmp_path):
    code = "from kpiboard.cli import main; main(['manage', 'check'])"
    done = run(tmp_path, code, KPIBOARD_TWO_FACTOR_REQUIRED="admins")
    assert done.returncode == 1
    assert done.stderr.startswith("kpiboard: KPIBOARD_TWO_FACTOR_REQUIRED has 'admins': use role")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
