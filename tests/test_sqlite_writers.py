"""Eight concurrent writers on SQLite never show "database is locked" (QUALITY.md DUR-5).

Eight real processes share one SQLite file, as eight gunicorn workers would. Each signs in
and logs 25 interactions through the REST API (request -> middleware -> view -> serializer ->
save, with the audit trail written in the same transaction), all starting at the same moment.
Every request must succeed, every row must be there once, and no answer may mention a lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # eight Django processes: ~30 s on a loaded machine

WRITERS = 8
WRITES = 25

SETUP = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from paretocrm.customers.models import Customer
from paretocrm.users.choices import Role
from paretocrm.users.models import User
user = User.objects.create(username="writer", role=Role.ADMINISTRATOR)
Customer.objects.create(code="C1", name="Shared customer", owner=user)
"""

WRITER = """
import json, os, sys, time
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
import django
django.setup()
from django.test import Client
from paretocrm.customers.models import Customer
from paretocrm.users.models import User
client = Client()
client.force_login(User.objects.get(username="writer"))
customer = Customer.objects.get(code="C1").pk
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
answers = []
for n in range(int(sys.argv[3])):
    response = client.post(
        "/api/interactions/",
        {"customer": customer, "kind": "call", "subject": f"writer {sys.argv[1]} call {n}"},
        content_type="application/json",
    )
    answers.append([response.status_code, response.content.decode()[:300]])
print(json.dumps(answers))
"""


def test_eight_concurrent_writers_never_see_database_is_locked(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARETOCRM_DATA_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=300)
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(i), str(go), str(WRITES)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(WRITERS)
    ]
    time.sleep(3)  # let every process finish starting Django and wait at the line
    go.touch()
    answers = []
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err.decode()
        answers += json.loads(out)
    assert len(answers) == WRITERS * WRITES
    assert not [a for a in answers if "locked" in a[1].lower()]
    assert {status for status, _ in answers} == {201}
    with sqlite3.connect(tmp_path / "paretocrm.sqlite3") as db:
        subjects = [row[0] for row in db.execute("SELECT subject FROM customers_interaction")]
    assert len(subjects) == len(set(subjects)) == WRITERS * WRITES
