"""A scoring run's reads never hide its own writes from other processes on SQLite.

Found behind the hang of tests/test_worker_kill.py (issue 14 #7): the worker claimed the
scoring job, and from outside the run stayed "running" at progress 0 while the worker had in
fact gone on. The run read the database through ADBC's SQLite driver, which carries its own
copy of SQLite. Closing that connection, the second copy believed itself the last user of the
database (POSIX locks of one process never conflict, and the two copies do not know of each
other), checkpointed and deleted the WAL file, while Django's connection in the same process
went on writing into the deleted file: progress, status, the queue row, unseen by every other
process until a checkpoint of the worker reached the main file, and lost if it was killed
(https://www.sqlite.org/howtocorrupt.html, "multiple copies of SQLite in the same program").

The test does what a run does: a Django connection writes, the run reads a table, the same
connection writes again; a second process must see the second write while the first is alive.
"""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
import django
django.setup()
from django.db import connection
from paretocrm.insights.reading import read_table
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE progress (percent integer)")
    cursor.execute("INSERT INTO progress VALUES (0)")
assert read_table("SELECT percent FROM progress").num_rows == 1  # the run reads the database
with connection.cursor() as cursor:
    cursor.execute("UPDATE progress SET percent = 40")  # ... and reports its progress
print("written", flush=True)
sys.stdin.readline()  # alive, connection open, until the test has looked
"""


def test_a_write_after_the_runs_read_is_seen_by_another_process(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARETOCRM_DATA_DIR"] = str(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        ready, _, _ = select.select([run.stdout], [], [], 120)  # bounded: never a blind read
        assert ready and run.stdout.readline().strip() == "written", "the script did not write"
        db = sqlite3.connect(tmp_path / "paretocrm.sqlite3", timeout=30)
        try:
            seen = db.execute("SELECT percent FROM progress").fetchall()
        finally:
            db.close()
        _, errors = run.communicate("done\n", timeout=60)
        assert run.returncode == 0, errors
        assert seen == [(40,)], "the run's progress was written where no one else can see it"
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
