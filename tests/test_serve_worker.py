"""``paretocrm serve`` runs the background worker beside the web server (issue 16 #2).

A real ``paretocrm serve`` process on a SQLite file: an import queued before it starts is
run by the worker it starts; Ctrl+C (SIGINT) stops the web server and the worker; when the
web server dies the worker is stopped too. Every wait is bounded and every child is killed
if the test fails.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # three Django processes per test: ~15 s

SETUP = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
call_command("migrate", verbosity=0)
from paretocrm.imports import background, services
from paretocrm.users.models import User
user = User.objects.create_superuser("boss", "boss@example.com", "pw-pw-pw-123")
upload = SimpleUploadedFile("customers.csv", "code,name\\nK1,Acme\\n".encode())
batch = services.store_upload(upload, kind_name="customers", encoding="utf-8", user=user)
background.start_import(batch.pk)  # queued: nothing runs it until a worker does
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(condition, timeout: float, what: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout:.0f} s; serve output:\n{log.read_text()[-3000:]}")


def _batch_status(database: Path) -> str:
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute("SELECT status FROM imports_importbatch").fetchone()[0]


class Served:
    """A ``paretocrm serve`` child process and the pids of its own children."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["PARETOCRM_DATA_DIR"] = str(tmp_path)
        subprocess.run(
            [sys.executable, "-c", SETUP], env=self.env, check=True, timeout=300, cwd=tmp_path
        )
        self.database = tmp_path / "paretocrm.sqlite3"
        self.log = tmp_path / "serve.log"
        self.port = _free_port()
        command = [sys.executable, "-m", "paretocrm.cli", "serve", "--port", str(self.port)]
        with self.log.open("wb") as out:  # a file, not a pipe: a full pipe would block it
            self.process = subprocess.Popen(
                [*command, "--workers", "1"], env=self.env, stdout=out, stderr=out
            )
        self.children: list[int] = []

    def child_pids(self) -> list[int]:
        found = re.search(
            r"Web server pid (\d+), background worker pid (\d+)", self.log.read_text()
        )
        self.children = [int(found[1]), int(found[2])] if found else []
        return self.children

    def kill_all(self) -> None:
        for pid in [self.process.pid, *self.children]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path)
    try:
        _wait_for(server.child_pids, 60, "serve never started its children", server.log)
        yield server
    finally:
        server.kill_all()


def test_serve_starts_the_worker_and_one_ctrl_c_stops_both(served: Served):
    _wait_for(
        lambda: _batch_status(served.database) == "validated",
        120,
        "the queued import was not run by the worker serve started",
        served.log,
    )
    url = f"http://127.0.0.1:{served.port}/healthz"
    _wait_for(lambda: _http_ok(url), 60, "the web server did not answer", served.log)
    served.process.send_signal(signal.SIGINT)  # Ctrl+C
    served.process.wait(timeout=30)
    assert served.process.returncode == 0, served.log.read_text()
    assert not [pid for pid in served.children if _alive(pid)], "a child outlived serve"


def test_when_the_web_server_dies_the_worker_is_stopped_too(served: Served):
    web, worker = served.children
    os.kill(web, signal.SIGKILL)
    served.process.wait(timeout=30)
    assert served.process.returncode != 0  # reported as a failure, not a clean stop
    assert not _alive(worker), "the worker outlived the web server"
    assert "The web server stopped" in served.log.read_text()


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
            return response.status == 200
    except OSError:
        return False


def test_when_serve_itself_is_killed_its_children_stop_too(served: Served):
    os.kill(served.process.pid, signal.SIGKILL)  # no chance to stop them itself
    served.process.wait(timeout=30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(_alive(pid) for pid in served.children):
        time.sleep(0.2)
    assert not [pid for pid in served.children if _alive(pid)], "a child outlived serve"
