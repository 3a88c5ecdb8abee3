"""Crash safety of a bulk import (QUALITY.md DUR-4): ``kill -9`` in the middle of the commit.

A real ``paretocrm import orders FILE`` runs in a subprocess on a SQLite file database. The
test watches the database from outside: while the import's write transaction is open, the
write lock is held, so ``BEGIN IMMEDIATE`` from here fails at once. Seeing the lock held
twice in a row, it waits a chosen time and sends SIGKILL. Afterwards the batch must be all or
nothing, ``PRAGMA integrity_check`` must say ok, and importing the file again must complete
with every order exactly once (and a further import must change nothing).
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # several imports of a 60,000-line file: ~1 minute

ORDERS = 12_000
LINES = 5
CUSTOMERS = 800
#: Seconds to wait, once the write transaction is seen open, before the kill.
KILL_DELAYS = (0.0, 0.4)

SETUP = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
import django
django.setup()
from django.core.management import call_command
from paretocrm.customers.models import Customer
call_command("migrate", verbosity=0)
Customer.objects.bulk_create(
    [Customer(code=f"C{i:05d}", name=f"Customer {i}") for i in range(int(sys.argv[1]))]
)
"""


def write_orders(path: Path) -> None:
    """A flat order file: ORDERS orders of LINES lines, customers in rotation."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        header = ["order_number", "customer_code", "date", "line_number", "description"]
        out.writerow([*header, "quantity", "unit_price", "unit_cost"])
        for order in range(ORDERS):
            day = f"2024-{order % 12 + 1:02d}-{order % 28 + 1:02d}"
            for line in range(1, LINES + 1):
                price = 10 + (order * 7 + line) % 990
                out.writerow(
                    [
                        f"SO{order:07d}",
                        f"C{order % CUSTOMERS:05d}",
                        day,
                        line,
                        "Valve DN50",
                        line,
                        f"{price}.50",
                        f"{price * 0.6:.2f}",
                    ]
                )


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """Environment, SQLite file and order file of a migrated database with the customers."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARETOCRM_DATA_DIR"] = str(tmp_path / "data")
    (tmp_path / "data").mkdir()
    subprocess.run([sys.executable, "-c", SETUP, str(CUSTOMERS)], env=env, check=True, timeout=300)
    orders = tmp_path / "orders.csv"
    write_orders(orders)
    return env, tmp_path / "data" / "paretocrm.sqlite3", orders


def _import(env: dict[str, str], orders: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "paretocrm.cli", "import", "orders", str(orders), "--as-system"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _write_lock_held(database: Path) -> bool:
    """True when another connection holds the write lock (our BEGIN IMMEDIATE fails)."""
    db = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return True
        raise
    finally:
        db.close()


def kill_during_commit(process: subprocess.Popen[bytes], database: Path, delay: float) -> bool:
    """SIGKILL ``process`` ``delay`` s into its write transaction; True if it was open then."""
    seen = 0
    while process.poll() is None:
        seen = seen + 1 if _write_lock_held(database) else 0
        if seen >= 2:  # two sightings 20 ms apart: the long commit, not a one-row insert
            time.sleep(delay)
            in_transaction = _write_lock_held(database)
            process.send_signal(signal.SIGKILL)
            process.wait()
            return in_transaction and process.returncode == -signal.SIGKILL
        time.sleep(0.02)
    return False


def _counts(database: Path) -> tuple[int, int, int, str]:
    with sqlite3.connect(database) as db:
        orders = db.execute("SELECT COUNT(*) FROM sales_order").fetchone()[0]
        distinct = db.execute("SELECT COUNT(DISTINCT number) FROM sales_order").fetchone()[0]
        lines = db.execute("SELECT COUNT(*) FROM sales_orderline").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    assert orders == distinct, "an order number was imported twice"
    return orders, distinct, lines, integrity


def test_kill_9_during_the_import_commit_leaves_all_or_nothing_and_a_rerun_completes(
    workspace: tuple[dict[str, str], Path, Path],
) -> None:
    env, database, orders = workspace
    killed_mid_commit = 0
    for delay in KILL_DELAYS:
        process = _import(env, orders)
        killed_mid_commit += kill_during_commit(process, database, delay)
        count, _, lines, integrity = _counts(database)
        assert integrity == "ok"
        assert (count, lines) in {(0, 0), (ORDERS, ORDERS * LINES)}, "a partial batch was kept"
        if count:  # the import finished before the kill: nothing left to test
            break
        assert count == 0 and lines == 0
    assert killed_mid_commit >= 1, "no kill landed inside the write transaction"

    for _attempt in range(2):  # the resumed import, then once more: idempotent
        process = _import(env, orders)
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr.decode()
        assert _counts(database) == (ORDERS, ORDERS, ORDERS * LINES, "ok")
