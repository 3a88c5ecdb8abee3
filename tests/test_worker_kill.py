"""Killing the worker during a scoring run (QUALITY.md "Faults", issue 7).

A real ``paretocrm worker`` process runs a scoring run queued from the settings page on a
SQLite file database that already has a snapshot. Watching the run's progress from outside,
the test sends SIGKILL while the analysis is under way. The previous snapshot must still be
the current one with all its rows, and the killed run must have written no score. The same
worker, restarted, must retry the run and make the new snapshot current.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a demo company and three scoring runs: ~1 minute

CUSTOMERS = 300  # the demo company (seed 42), whose models fit
WORKER_ID = "worker-kill-test"

SETUP = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from paretocrm.demo.services import load_demo_company
from paretocrm.insights.background import start_scoring
from paretocrm.insights.services import run_scoring
from paretocrm.users.models import User
load_demo_company(seed=42, customers=int(sys.argv[1]))
run_scoring()
admin = User.objects.filter(is_superuser=True).first() or User.objects.order_by("id").first()
assert start_scoring(admin)
"""


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "paretocrm.cli", "worker", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, "--no-schedule", "--interval", "0.1", "--worker-id", WORKER_ID, *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute(sql).fetchall()


def _current_run(database: Path) -> int:
    sql = (
        "SELECT id FROM insights_scorerun WHERE status = 'succeeded' "
        "ORDER BY finished_at DESC, id DESC LIMIT 1"
    )
    return _query(database, sql)[0][0]


def _scores(database: Path, run_id: int) -> int:
    return _query(database, f"SELECT COUNT(*) FROM insights_customerscore WHERE run_id = {run_id}")[
        0
    ][0]


def _kill_mid_run(worker: subprocess.Popen[bytes], database: Path, run_id: int) -> int:
    """SIGKILL the worker once run ``run_id`` is past reading; returns its progress then."""
    deadline = time.monotonic() + 300
    while worker.poll() is None and time.monotonic() < deadline:
        progress = _query(database, f"SELECT progress FROM insights_scorerun WHERE id = {run_id}")
        if progress[0][0] >= 5:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            return int(progress[0][0])
        time.sleep(0.05)
    pytest.fail(
        f"the run never got going: {worker.stderr.read().decode() if worker.stderr else ''}"
    )


def test_killing_the_worker_mid_scoring_keeps_the_previous_snapshot_current(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARETOCRM_DATA_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "-c", SETUP, str(CUSTOMERS)], env=env, check=True, timeout=600)
    database = tmp_path / "paretocrm.sqlite3"
    previous = _current_run(database)
    previous_scores = _scores(database, previous)
    queued = _query(database, "SELECT MAX(id) FROM insights_scorerun")[0][0]
    assert queued != previous and previous_scores > 0

    progress = _kill_mid_run(_worker(env), database, queued)
    assert progress < 100, "the kill came after the run had finished"
    assert _current_run(database) == previous
    assert _scores(database, previous) == previous_scores
    assert _scores(database, queued) == 0, "the killed run left scores behind"
    assert _query(database, f"SELECT status FROM insights_scorerun WHERE id = {queued}") == [
        ("running",)
    ]
    assert _query(database, "PRAGMA integrity_check") == [("ok",)]

    restarted = _worker(env, "--batch")  # same worker id: it retries what it was killed in
    _, stderr = restarted.communicate(timeout=600)
    assert restarted.returncode == 0, stderr.decode()
    statuses = dict(
        _query(database, f"SELECT id, status FROM insights_scorerun WHERE id >= {queued}")
    )
    assert statuses[queued] == "failed"  # the interrupted attempt is reported as such
    retry = max(statuses)
    assert statuses[retry] == "succeeded" and _current_run(database) == retry
    assert _scores(database, retry) == previous_scores
    assert _scores(database, previous) == previous_scores  # history kept
