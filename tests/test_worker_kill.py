"""Killing the worker in the middle of a job (QUALITY.md "Faults"; issues 7 and 14 #7).

A real ``paretocrm worker`` process runs a job on a SQLite file database; watching the job's
record from outside, the test sends SIGKILL while the job is under way. Then, as the pages
do, it looks: the record must be failed with a clear message (not "running" for ever), the
start button must work again, and a restarted worker must finish the work once.

- Scoring: the previous snapshot stays current with all its rows, the killed run wrote no
  score, "Run analysis now" is allowed at once, and the old run's retry does not repeat the
  run started since.
- Import commit: nothing of the killed commit is written, the batch page says why and offers
  "Commit again", and that commit writes every row.

The children use a SQLite file; in the PostgreSQL pass (DATABASE_URL set to PostgreSQL) a
database of their own on that server, created and dropped by the test. Every wait is bounded;
a worker's output goes to a file (never a pipe that could fill up and block it), and every
child still running when a test ends is killed.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a demo company and three scoring runs: ~1 minute

CUSTOMERS = 300  # the demo company (seed 42), whose models fit
WORKER_ID = "worker-kill-test"
IMPORT_ROWS = 30_000  # a commit that writes for a few seconds

PRELUDE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
import django
django.setup()
from paretocrm.users.models import User
"""

SETUP = (
    PRELUDE
    + """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from paretocrm.demo.services import load_demo_company
from paretocrm.insights.background import start_scoring
from paretocrm.insights.services import run_scoring
load_demo_company(seed=42, customers=int(sys.argv[1]))
run_scoring()
admin = User.objects.filter(is_superuser=True).first() or User.objects.order_by("id").first()
assert start_scoring(admin)
"""
)

# What the scoring page does when an administrator opens it and clicks "Run analysis now".
CLICK_RUN_NOW = (
    PRELUDE
    + """
from django.test import Client
from django.utils import translation
from paretocrm.insights.models import ScoreRun
translation.activate("en")
admin = User.objects.filter(is_superuser=True).first()
client = Client(HTTP_ACCEPT_LANGUAGE="en")
client.force_login(admin)
page = client.get("/settings/scoring/")
killed = ScoreRun.objects.get(pk=int(sys.argv[1]))
response = client.post("/settings/scoring/", follow=True)
print(json.dumps({
    "page": page.status_code,
    "killed": [killed.status, killed.error_text],
    "started": "The analysis has started" in response.content.decode(),
    "refused": "An analysis is already running" in response.content.decode(),
}))
"""
)

SETUP_IMPORT = (
    PRELUDE
    + """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
call_command("migrate", verbosity=0)
from paretocrm.imports import background, services
user = User.objects.create_superuser("importer", "importer@example.com", "pw-pw-pw-123")
rows = "".join(f"C{i:06d},Company {i}\\n" for i in range(int(sys.argv[1])))
upload = SimpleUploadedFile("customers.csv", ("code,name\\n" + rows).encode())
checked = services.store_upload(upload, kind_name="customers", encoding="utf-8", user=user)
services.run_batch(checked.pk)  # the dry run (validated), as the worker would
commit = services.prepare_commit(checked, user=user, skip_invalid=False)
background.start_import(commit.pk)  # the page's "Commit the import"
print(commit.pk)
"""
)

# What the batch page does when the importer opens it, then clicks "Commit again".
OPEN_BATCH_AND_RECOMMIT = (
    PRELUDE
    + """
from django.test import Client
from django.urls import reverse
from paretocrm.imports.models import ImportBatch
batch = ImportBatch.objects.get(pk=int(sys.argv[1]))
client = Client(HTTP_ACCEPT_LANGUAGE="en")
client.force_login(batch.user)
page = client.get(reverse("imports:batch", args=[batch.pk]))
batch.refresh_from_db()
again = client.post(reverse("imports:commit", args=[batch.checked_batch_id]))
print(json.dumps({
    "page": page.status_code,
    "html": page.content.decode(),
    "status": batch.status,
    "recommit": again.status_code,
    "batches": list(ImportBatch.objects.order_by("id").values_list("id", "status")),
}))
"""
)


class Store:
    """The children's database: its environment and a way to query it from outside."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["PARETOCRM_DATA_DIR"] = str(tmp_path)
        self.url = ""
        self.sqlite = tmp_path / "paretocrm.sqlite3"

    def query(self, sql: str) -> list[tuple]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url, connect_timeout=10) as db:
                return [tuple(row) for row in db.execute(sql).fetchall()]
        db = sqlite3.connect(self.sqlite, timeout=30)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()  # not left to the garbage collector: no reader lingers on the file


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """SQLite; in the PostgreSQL pass, a fresh database on the same server."""
    children = Store(tmp_path)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield children
        return
    import psycopg

    server, name = url.rsplit("/", 1)[0], f"paretocrm_kill_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=10) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        children.url = children.env["DATABASE_URL"] = f"{server}/{name}"
        try:
            yield children
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def env(store: Store) -> dict[str, str]:
    return store.env


@pytest.fixture
def workers(tmp_path: Path, env: dict[str, str]) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start ``paretocrm worker`` processes; any still running at the end is killed."""
    started: list[subprocess.Popen] = []

    def start(*extra: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "paretocrm.cli", "worker", "--no-startup-delay"]
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [*command, "--no-schedule", "--interval", "0.1", "--worker-id", WORKER_ID, *extra],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = Path(log.name)  # type: ignore[attr-defined]
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def _python(env: dict[str, str], script: str, *args: object) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-4000:]
    return done.stdout.decode()


def _log(worker: subprocess.Popen) -> str:
    return worker.log_path.read_text(errors="replace")[-4000:]  # type: ignore[attr-defined]


def _current_run(store: Store) -> int:
    sql = (
        "SELECT id FROM insights_scorerun WHERE status = 'succeeded' "
        "ORDER BY finished_at DESC, id DESC LIMIT 1"
    )
    return store.query(sql)[0][0]


def _scores(store: Store, run_id: int) -> int:
    return store.query(f"SELECT COUNT(*) FROM insights_customerscore WHERE run_id = {run_id}")[0][0]


def _kill_when(worker: subprocess.Popen, under_way: Callable[[], str | None], store: Store):
    """SIGKILL ``worker`` once ``under_way()`` returns "go"; fail (never hang) otherwise.

    ``under_way`` returns "go", None (not yet) or a reason to give up at once (the job
    failed or finished on its own).
    """
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) first:\n{_log(worker)}")
        state = under_way()
        if state == "go":
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            return
        if state is not None:
            pytest.fail(f"{state}\njobs: {_jobs(store)}\nworker log:\n{_log(worker)}")
        time.sleep(0.05)
    pytest.fail(f"the job never got going in 300 s\njobs: {_jobs(store)}\n{_log(worker)}")


def _jobs(store: Store) -> list[tuple]:
    return store.query(
        "SELECT status, args_kwargs, traceback FROM django_tasks_database_dbtaskresult"
    )


def test_killing_the_worker_mid_scoring_keeps_the_snapshot_and_run_now_works_at_once(
    store: Store, env: dict[str, str], workers
):
    _python(env, SETUP, CUSTOMERS)
    previous = _current_run(store)
    previous_scores = _scores(store, previous)
    queued = store.query("SELECT MAX(id) FROM insights_scorerun")[0][0]
    assert queued != previous and previous_scores > 0

    def scoring_under_way() -> str | None:
        status, progress, error = store.query(
            f"SELECT status, progress, error FROM insights_scorerun WHERE id = {queued}"
        )[0]
        if status != "running":
            return f"the run ended on its own ({status}: {error}) before the kill"
        return "go" if progress >= 5 else None

    _kill_when(workers(), scoring_under_way, store)
    assert _current_run(store) == previous
    assert _scores(store, previous) == previous_scores
    assert _scores(store, queued) == 0, "the killed run left scores behind"
    if not store.url:
        assert store.query("PRAGMA integrity_check") == [("ok",)]

    # The administrator opens the scoring page and clicks "Run analysis now": no wait.
    seen = json.loads(_python(env, CLICK_RUN_NOW, queued))
    assert seen["page"] == 200
    assert seen["killed"] == ["failed", "the worker stopped during this run"]
    assert seen["started"] and not seen["refused"]

    restarted = workers("--batch")  # same worker id; runs what is queued, then exits
    restarted.wait(timeout=600)
    assert restarted.returncode == 0, _log(restarted)
    statuses = dict(store.query(f"SELECT id, status FROM insights_scorerun WHERE id >= {queued}"))
    clicked = queued + 1
    # The killed run's retry saw the run clicked since and did not repeat it.
    assert statuses == {queued: "failed", clicked: "succeeded"}
    assert _current_run(store) == clicked
    assert _scores(store, clicked) == previous_scores
    assert _scores(store, previous) == previous_scores  # history kept


def test_killing_the_worker_mid_commit_fails_the_batch_and_commit_again_writes_it(
    tmp_path: Path, store: Store, env: dict[str, str], workers
):
    commit = int(_python(env, SETUP_IMPORT, IMPORT_ROWS).split()[-1])
    uploads = tmp_path / "imports"

    def commit_under_way() -> str | None:
        status, progress = store.query(
            f"SELECT status, progress FROM imports_importbatch WHERE id = {commit}"
        )[0]
        if status != "running":
            return f"the commit ended on its own ({status}) before the kill"
        written = [int(p.read_text() or 0) for p in uploads.glob("*/.progress")]
        return "go" if progress >= 40 and written and max(written) >= 45 else None

    _kill_when(workers(), commit_under_way, store)
    assert store.query("SELECT COUNT(*) FROM customers_customer") == [(0,)]

    seen = json.loads(_python(env, OPEN_BATCH_AND_RECOMMIT, commit))
    assert seen["page"] == 200 and seen["status"] == "failed"
    assert "the process running it ended" in seen["html"]
    assert "Commit again" in seen["html"] and "Commit running" not in seen["html"]
    assert seen["recommit"] == 302
    again = max(pk for pk, _status in seen["batches"])
    assert again > commit

    restarted = workers("--batch")
    restarted.wait(timeout=600)
    assert restarted.returncode == 0, _log(restarted)
    batches = dict(store.query("SELECT id, status FROM imports_importbatch"))
    assert batches[commit] == "failed" and batches[again] == "committed"
    assert store.query("SELECT COUNT(*) FROM customers_customer") == [(IMPORT_ROWS,)]
