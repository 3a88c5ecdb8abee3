"""Backup and restore of the application database (QUALITY.md DUR-6).

- **SQLite**: SQLite's online backup API (:meth:`sqlite3.Connection.backup`), which copies a
  consistent snapshot page by page while other connections keep reading and writing. A file
  copy of a live database can catch a half-written page or miss the WAL file, so it is
  never used.
- **PostgreSQL**: ``pg_dump -Fc`` (custom format, compressed) and
  ``pg_restore --clean --if-exists``.

Both restores end with a check: ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``
on SQLite, and on both engines a row count of every table the application knows.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

__all__ = [
    "BackupError",
    "RestoreReport",
    "backup_database",
    "default_backup_path",
    "restore_database",
    "table_row_counts",
]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_DUMP_MAGIC = b"PGDMP"
_PG_TOOLS_HINT = "install the PostgreSQL client tools (e.g. `apt install postgresql-client`)"


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(slots=True)
class RestoreReport:
    """What a restore did: the engine, the file and the row counts found afterwards."""

    vendor: str
    source: Path
    row_counts: dict[str, int] = field(default_factory=dict)


def _settings_for(alias: str) -> dict[str, Any]:
    db: dict[str, Any] = connections[alias].settings_dict
    return db


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def default_backup_path(alias: str = "default", now: datetime | None = None) -> Path:
    """``DATA_DIR/backups/paretocrm-YYYYmmdd-HHMMSS.(sqlite3|dump)`` (UTC time)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if _vendor(alias) == "sqlite" else "dump"
    return Path(settings.DATA_DIR) / "backups" / f"paretocrm-{stamp}.{suffix}"


def backup_database(out: Path | None = None, alias: str = "default") -> Path:
    """Write a backup of database ``alias`` to ``out`` (default :func:`default_backup_path`).

    Raises:
        BackupError: the database file is missing, ``out`` exists or cannot be written,
            or ``pg_dump`` is missing or fails (its message is included).
    """
    target = Path(out) if out is not None else default_backup_path(alias)
    if target.exists():
        raise BackupError(f"{target}: already exists; choose another --out or remove it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"{target.parent}: cannot create the directory ({error})") from None
    if _vendor(alias) == "sqlite":
        _sqlite_backup(_sqlite_path(alias), target)
    else:
        _pg_dump(_settings_for(alias), target)
    return target


def restore_database(source: Path, alias: str = "default") -> RestoreReport:
    """Replace the content of database ``alias`` by the backup ``source``, then check it.

    Raises:
        BackupError: ``source`` is missing or not a backup of this engine, the restore
            tool fails, or the restored database fails its integrity check.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    vendor = _vendor(alias)
    # Our own open connection would hold locks (SQLite) or keep stale state; drop it first.
    connections[alias].close()
    if vendor == "sqlite":
        _sqlite_restore(source, _sqlite_path(alias))
    else:
        _pg_restore(_settings_for(alias), source)
    connections[alias].close()
    return RestoreReport(vendor=vendor, source=source, row_counts=table_row_counts(alias))


def table_row_counts(alias: str = "default") -> dict[str, int]:
    """Rows in every table of the installed models (proves each one is readable)."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and model._meta.db_table in existing
        }
    )
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - name from the model registry, quoted
            counts[table] = int(cursor.fetchone()[0])
    return counts


# --- SQLite -----------------------------------------------------------------------------


def _sqlite_path(alias: str) -> Path:
    name = str(_settings_for(alias)["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"database {alias!r} is in memory; there is no file to back up")
    path = Path(name)
    if not path.is_file():
        raise BackupError(f"{path}: database file not found (check PARETOCRM_DATA_DIR)")
    return path


def _sqlite_backup(source: Path, target: Path) -> None:
    """Online backup of ``source`` into a new file ``target``, then check the copy."""
    try:
        with _sqlite_connect(source) as src, _sqlite_connect(target) as dst:
            src.backup(dst)
    except sqlite3.Error as error:
        target.unlink(missing_ok=True)
        raise BackupError(f"{source}: backup failed ({error})") from None
    _sqlite_check(target)


def _sqlite_restore(source: Path, target: Path) -> None:
    """Check ``source``, copy it into ``target`` with the backup API, check ``target``."""
    with source.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise BackupError(f"{source}: not a SQLite backup (this database is SQLite)")
    _sqlite_check(source)
    try:
        with _sqlite_connect(source) as src, _sqlite_connect(target) as dst:
            # The backup API takes the target's write lock and replaces every page in one
            # step, so other connections see either the old or the restored database.
            dst.execute("PRAGMA busy_timeout=30000")
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"{target}: restore from {source} failed ({error})") from None
    _sqlite_check(target)


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(str(path), timeout=30)
    except sqlite3.Error as error:
        raise BackupError(f"{path}: cannot open ({error})") from None


def _sqlite_check(path: Path) -> None:
    """``integrity_check`` must say ok and ``foreign_key_check`` must find nothing."""
    try:
        with _sqlite_connect(path) as db:
            integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
            broken = db.execute("PRAGMA foreign_key_check").fetchmany(3)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: not a readable SQLite database ({error})") from None
    if integrity != ["ok"]:
        raise BackupError(f"{path}: integrity check failed: {'; '.join(integrity[:3])}")
    if broken:
        raise BackupError(f"{path}: foreign key check failed, e.g. {broken}")


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found on PATH; {_PG_TOOLS_HINT}")
    return path


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment (the password goes in PGPASSWORD, not argv)."""
    args = ["--dbname", str(db["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run_tool(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool, no shell
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit code {result.returncode}"
        raise BackupError(f"{what} failed: {detail}")


def _pg_dump(db: dict[str, Any], target: Path) -> None:
    args, env = _pg_args(db)
    command = [_pg_tool("pg_dump"), "--format=custom", "--file", str(target), *args]
    try:
        _run_tool(command, env, f"pg_dump of {db['NAME']}")
    except BackupError:
        target.unlink(missing_ok=True)
        raise


def _pg_restore(db: dict[str, Any], source: Path) -> None:
    with source.open("rb") as handle:
        if handle.read(len(_PG_DUMP_MAGIC)) != _PG_DUMP_MAGIC:
            raise BackupError(
                f"{source}: not a pg_dump custom-format backup (this database is PostgreSQL)"
            )
    args, env = _pg_args(db)
    command = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",  # all or nothing: a failed restore leaves the old data
        "--exit-on-error",
        *args,
        str(source),
    ]
    _run_tool(command, env, f"pg_restore of {source} into {db['NAME']}")
