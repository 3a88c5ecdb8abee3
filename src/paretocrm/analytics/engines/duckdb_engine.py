"""Run analytics SQL with DuckDB, in process, over Arrow tables (no extensions, no downloads)."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pyarrow as pa


def run_query(tables: Mapping[str, pa.Table], sql: str, *, threads: int | None = None) -> pa.Table:
    """Register ``tables`` under their names in a fresh in-memory DuckDB and run ``sql``.

    Args:
        tables: table name -> Arrow table; DuckDB scans them without copying.
        sql: the query; it may refer to the registered names.
        threads: DuckDB worker threads (default: DuckDB's own choice, all cores).

    Returns:
        The result as an Arrow table.
    """
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }
    if threads is not None:
        config["threads"] = str(threads)
    with duckdb.connect(":memory:", config=config) as connection:
        # Callers show their own progress; DuckDB's bar would break into their output.
        connection.execute("SET enable_progress_bar = false")
        for name, table in tables.items():
            connection.register(name, table)
        result: pa.Table = connection.sql(sql).to_arrow_table()
        return result
