"""The `paretocrm demo`, `seed` and `serve` commands.

The end-to-end tests run the real CLI in a subprocess on a temporary SQLite database
(PARETOCRM_DATA_DIR under tmp_path, DATABASE_URL emptied), whatever database the rest of the
suite uses; the in-process tests use the test database (SQLite or PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paretocrm.customers.models.accounts import Customer
from paretocrm.demo.console import confirm_reset, console_for
from paretocrm.demo.portal import portal_password
from paretocrm.demo.services import demo_logins, load_demo_company
from paretocrm.sales.models.orders import Order

ANCHOR = "2025-06-30"
TABLES = (
    "customers_customer",
    "sales_order",
    "sales_orderline",
    "sales_payment",
    "users_user",
    "portal_portalaccount",
)


def cli_env(data_dir: Path) -> dict[str, str]:
    """Environment for a CLI subprocess on its own SQLite database."""
    env = dict(os.environ)
    env.update(PARETOCRM_DATA_DIR=str(data_dir), DATABASE_URL="", COLUMNS="120")
    return env


def run_cli(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `paretocrm ARGS` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "paretocrm.cli", *args],
        env=cli_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def table_counts(database: Path) -> dict[str, int]:
    """Row counts of a few tables of a SQLite database file."""
    with sqlite3.connect(database) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`paretocrm demo --no-serve` once for the module: (data dir, finished process)."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"  # the command must create it
    result = run_cli(data_dir, "demo", "--no-serve", "--customers", "40", "--anchor", ANCHOR)
    return data_dir, result


@pytest.mark.slow
def test_demo_no_serve_creates_the_database_and_prints_every_login(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data_dir, result = demo_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (data_dir / "paretocrm.sqlite3").is_file()
    assert "Loaded 40 customers" in result.stdout
    for login in demo_logins(42):
        assert login.username in result.stdout
        assert login.password in result.stdout
    assert "paretocrm serve" in result.stdout
    counts = table_counts(data_dir / "paretocrm.sqlite3")
    assert counts["customers_customer"] == 40
    # The eight staff logins plus one portal login per core customer, each printed.
    assert counts["portal_portalaccount"] >= 1
    assert counts["users_user"] == 8 + counts["portal_portalaccount"]
    assert counts["sales_orderline"] > counts["sales_order"] > 100
    with sqlite3.connect(data_dir / "paretocrm.sqlite3") as db:
        portal_users = [
            r[0]
            for r in db.execute("select username from users_user where role = 'portal_customer'")
        ]
    for username in portal_users:
        assert username in result.stdout
        assert portal_password(42, username) in result.stdout


@pytest.mark.slow
def test_demo_run_twice_adds_nothing(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data_dir, first = demo_run
    assert first.returncode == 0, first.stderr
    before = table_counts(data_dir / "paretocrm.sqlite3")
    second = run_cli(data_dir, "demo", "--no-serve", "--customers", "40", "--anchor", ANCHOR)
    assert second.returncode == 0, second.stderr
    assert "already loaded" in second.stdout
    assert table_counts(data_dir / "paretocrm.sqlite3") == before


@pytest.mark.slow
def test_serve_refuses_a_port_in_use_with_a_clear_message(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data_dir, _result = demo_run
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(data_dir, "serve", "--port", str(port), timeout=60)
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def served(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Iterator[int]:
    """`paretocrm serve` running on the demo database; yields its port."""
    data_dir, _result = demo_run
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "paretocrm.cli", "serve", "--port", str(port), "--workers", "1"],
        env=cli_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def get(url: str, deadline: float) -> tuple[int, bytes]:
    """GET ``url``, retrying until the server is up or ``deadline`` passes."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local URL
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_serve_answers_pages_and_static_files_of_the_demo_database(served: int) -> None:
    deadline = time.monotonic() + 30
    status, body = get(f"http://127.0.0.1:{served}/health/", deadline)
    assert (status, body) == (200, b'{"status": "ok"}')
    status, _body = get(f"http://127.0.0.1:{served}/admin/login/", deadline)
    assert status == 200
    status, css = get(f"http://127.0.0.1:{served}/static/admin/css/base.css", deadline)
    assert status == 200 and b"{" in css


def test_serve_refuses_a_missing_database_and_says_how_to_create_one(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "serve", "--port", str(free_port()), timeout=60)
    assert result.returncode != 0
    assert "There is no database" in result.stderr
    assert "paretocrm demo" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "paretocrm.sqlite3").exists()  # serve never creates one


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "paretocrm.sqlite3") as db:
        db.execute("CREATE TABLE unrelated (id INTEGER)")
    result = run_cli(tmp_path, "serve", "--port", str(free_port()), timeout=60)
    assert result.returncode != 0
    assert "unapplied migrations" in result.stderr
    assert "paretocrm migrate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def fast_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; in-process command tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_seed_loads_the_requested_size_and_reports_counts(fast_hashing: None) -> None:
    out = StringIO()
    call_command("seed", customers=25, orders=400, anchor=ANCHOR, stdout=out)
    assert Customer.objects.count() == 25
    assert 300 <= Order.objects.count() <= 500
    assert "sales.OrderLine" in out.getvalue()
    assert "kam" in out.getvalue()


@pytest.mark.django_db
def test_bad_anchor_is_refused_naming_the_option(fast_hashing: None) -> None:
    with pytest.raises(CommandError, match="--anchor"):
        call_command("seed", customers=5, anchor="30/06/2025", stdout=StringIO())


@pytest.mark.django_db
def test_reset_refused_without_confirmation_keeps_the_data(fast_hashing: None) -> None:
    load_demo_company(seed=1, customers=10, anchor=None)
    with pytest.raises(CommandError, match="cancelled"):
        confirm_reset(console_for(StringIO()), assume_yes=False, ask=lambda _question: "no")
    assert Customer.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_demo_reset_with_yes_replaces_the_company(fast_hashing: None) -> None:
    load_demo_company(seed=1, customers=10, anchor=None)
    out = StringIO()
    call_command(
        "demo", no_serve=True, reset=True, yes=True, customers=12, anchor=ANCHOR, stdout=out
    )
    assert Customer.objects.count() == 12
    assert "Database emptied" in out.getvalue()
