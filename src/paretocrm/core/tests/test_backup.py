"""Backup and restore through the real CLI (DUR-6): restore drills on SQLite and PostgreSQL.

Each drill loads a small demo company, takes a backup, damages the data, restores and then
compares every table's row count and content checksum with the values before the damage.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DEMO_CUSTOMERS = 20
# One database per test process: two test runs on the same server (CI and an engineer's
# run, or two worktrees) must not drop each other's drill database mid-restore.
PG_DRILL_DB = f"paretocrm_restore_drill_{os.getpid()}"
PG_SERVER = os.environ.get("PARETOCRM_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _cli_env(data_dir: Path, database_url: str = "", path: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARETOCRM_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    if path is not None:
        env["PATH"] = path
    return env


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``paretocrm ARGS`` in a subprocess (stdin is never a terminal here)."""
    return subprocess.run(
        [sys.executable, "-m", "paretocrm.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin or "",
        timeout=300,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _digest(rows: list[tuple[Any, ...]]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def sqlite_snapshot(path: Path) -> dict[str, tuple[int, str]]:
    """Per table: (row count, checksum of every row in primary-key order)."""
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        snapshot = {}
        for table in sorted(tables):
            rows = db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            snapshot[table] = (len(rows), _digest(rows))
    return snapshot


def _demo(env: dict[str, str]) -> None:
    _ok(run_cli(env, "demo", "--no-serve", "--customers", str(DEMO_CUSTOMERS)))


@pytest.mark.slow  # migrate + demo load in a subprocess: ~20 s
def test_sqlite_restore_drill_brings_back_every_row(tmp_path: Path) -> None:
    env = _cli_env(tmp_path / "data")
    _demo(env)
    database = tmp_path / "data" / "paretocrm.sqlite3"
    before = sqlite_snapshot(database)
    assert before["customers_customer"][0] == DEMO_CUSTOMERS

    backup = tmp_path / "drill.sqlite3"
    assert str(backup) in _ok(run_cli(env, "backup", "--out", str(backup)))
    with sqlite3.connect(database) as db:
        db.execute("UPDATE customers_customer SET name = 'damaged'")
        db.execute("DELETE FROM sales_orderline")
    assert sqlite_snapshot(database) != before

    refused = run_cli(env, "restore", str(backup))
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert "Traceback" not in refused.stderr

    assert "integrity ok" in _ok(run_cli(env, "restore", str(backup), "--yes"))
    assert sqlite_snapshot(database) == before
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


WRITER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS drill_pairs (id INTEGER PRIMARY KEY, n INTEGER)")
db.commit()
i = 0
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    # Two rows per transaction: a torn copy would hold an odd number of rows.
    db.execute("INSERT INTO drill_pairs (n) VALUES (?), (?)", (i, i))
    db.commit()
    i += 1
    if i == 50:
        print("started", flush=True)
"""


def test_sqlite_backup_taken_during_writes_is_consistent(tmp_path: Path) -> None:
    """The online backup of a database being written holds whole transactions only."""
    data = tmp_path / "data"
    data.mkdir()
    database = data / "paretocrm.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(database)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "started"
        backups = [tmp_path / f"live-{n}.sqlite3" for n in range(3)]
        for backup in backups:
            _ok(run_cli(_cli_env(data), "backup", "--out", str(backup)))
    finally:
        writer.kill()
        writer.wait()
    counts = []
    for backup in backups:
        with sqlite3.connect(backup) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows, pairs = db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT n) FROM drill_pairs"
            ).fetchone()
        assert rows == 2 * pairs  # whole transactions only
        counts.append(rows)
    assert counts == sorted(counts) and counts[0] >= 100  # later backups hold more rows


def test_backup_refuses_to_overwrite_and_restore_rejects_a_non_backup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "paretocrm.sqlite3") as db:
        db.execute("CREATE TABLE t (x)")
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"keep me")
    result = run_cli(_cli_env(data), "backup", "--out", str(existing))
    assert result.returncode != 0
    assert f"{existing}: already exists" in result.stderr
    assert existing.read_bytes() == b"keep me"

    not_backup = tmp_path / "orders.csv"
    not_backup.write_text("customer,amount\n1,2\n", encoding="utf-8")
    result = run_cli(_cli_env(data), "restore", str(not_backup), "--yes")
    assert result.returncode != 0
    assert f"{not_backup}: not a SQLite backup" in result.stderr
    assert "Traceback" not in result.stderr

    result = run_cli(_cli_env(data), "restore", str(tmp_path / "missing.sqlite3"), "--yes")
    assert "missing.sqlite3: no such backup file" in result.stderr


def test_postgres_backup_without_pg_dump_names_the_missing_tool(tmp_path: Path) -> None:
    """No server needed: the tool is looked up before any connection is made."""
    env = _cli_env(tmp_path, f"{PG_SERVER}/{PG_DRILL_DB}", path=str(tmp_path / "empty-bin"))
    result = run_cli(env, "backup", "--out", str(tmp_path / "x.dump"))
    assert result.returncode != 0
    assert "pg_dump not found on PATH" in result.stderr
    assert "Traceback" not in result.stderr


# --- PostgreSQL drill ---------------------------------------------------------------------


def _require_postgres() -> Any:
    """psycopg connected to the server, or skip (fail under CI=true)."""
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        if _in_ci():
            pytest.fail(f"{', '.join(missing)} not found on PATH and CI=true")
        pytest.skip(f"{', '.join(missing)} not installed")
    import psycopg

    try:
        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if _in_ci():
            pytest.fail(f"PostgreSQL not reachable at {PG_SERVER} and CI=true: {error}")
        pytest.skip(f"PostgreSQL not reachable at {PG_SERVER}")


@pytest.fixture
def pg_drill_url() -> Iterator[str]:
    """A dedicated, freshly created database, dropped afterwards."""
    admin = _require_postgres()
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DRILL_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DRILL_DB}")
        try:
            yield f"{PG_SERVER}/{PG_DRILL_DB}"
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DRILL_DB} WITH (FORCE)")


def pg_snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Per table of the public schema: (row count, checksum of the rows ordered by column 1)."""
    import psycopg

    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        snapshot = {}
        for table in tables:
            rows = db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            snapshot[table] = (len(rows), _digest(rows))
    return snapshot


@pytest.mark.postgres
@pytest.mark.slow  # migrate + demo load + pg_dump/pg_restore: ~30 s
def test_postgres_restore_drill_brings_back_every_row(pg_drill_url: str, tmp_path: Path) -> None:
    env = _cli_env(tmp_path / "data", pg_drill_url)
    _demo(env)
    before = pg_snapshot(pg_drill_url)
    assert before["customers_customer"][0] == DEMO_CUSTOMERS

    backup = tmp_path / "drill.dump"
    _ok(run_cli(env, "backup", "--out", str(backup)))
    assert backup.read_bytes()[:5] == b"PGDMP"  # pg_dump custom format
    import psycopg

    with psycopg.connect(pg_drill_url) as db:
        db.execute("TRUNCATE customers_customer CASCADE")
        db.execute("CREATE TABLE drill_extra (x int)")
    assert pg_snapshot(pg_drill_url) != before

    assert "integrity ok" in _ok(run_cli(env, "restore", str(backup), "--yes"))
    after = pg_snapshot(pg_drill_url)
    after.pop("drill_extra", None)  # not in the dump, so --clean leaves it alone
    assert after == before
