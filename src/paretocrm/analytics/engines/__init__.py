"""Query engines that run the per-customer summary SQL.

The SQL text itself is built once, in :func:`paretocrm.analytics.summary.summary_sql`; an
engine only registers the validated transactions under a table name and runs that text.
DuckDB (:mod:`paretocrm.analytics.engines.duckdb_engine`) is the default, in-process engine;
a Spark engine runs the same SQL (``dialect="spark"``) on a cluster.
"""
