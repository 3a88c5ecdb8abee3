"""The embedded database is opened safely (QUALITY.md DUR-5): WAL, synchronous=FULL,
foreign keys on, a busy timeout and IMMEDIATE transactions.

A fresh connection to a file database is made from the project's own settings function, so
the test runs the same in the SQLite and the PostgreSQL pass of the suite.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from paretocrm.settings import database_config


def test_dur5_sqlite_connections_use_wal_full_sync_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    config = database_config(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    wrapper = DatabaseWrapper({**config, "TIME_ZONE": None, "AUTOCOMMIT": True}, alias="dur5")
    # The raw connection Django opens (pytest-django guards only Django's cursors).
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        pragmas = {
            name: raw.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 2,  # FULL
            "foreign_keys": 1,
            "busy_timeout": 30000,
        }
        raw.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        raw.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            raw.execute("INSERT INTO child VALUES (42)")
    finally:
        raw.close()
    # Writers take the write lock when their transaction starts, so they queue on the
    # busy timeout instead of failing half-way with "database is locked".
    assert wrapper.transaction_mode == "IMMEDIATE"
