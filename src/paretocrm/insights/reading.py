"""Read the operational database into Arrow for the value engine.

Transactions are read from PostgreSQL with the ADBC driver (adbc-driver-postgresql), which
hands back Arrow columns without building a Python object per row: on 2M order lines that is
the difference between seconds and minutes. SQLite is read through Django's own connection
(see ``adbc_connection``). NUMERIC is cast to float8 in the query
because the analysis works in floats (money stays Decimal everywhere else).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pyarrow as pa
from django.conf import settings
from django.db import connection

from paretocrm.sales.choices import OrderStatus

# Orders that never turned into business do not count as purchases.
EXCLUDED_ORDER_STATUSES = (OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value)

TRANSACTIONS_SQL = """
SELECT
    CAST(o.customer_id AS VARCHAR(20)) AS customer_id,
    o.ordered_at AS ordered_at,
    o.number AS order_id,
    o.currency AS currency,
    o.channel AS channel,
    CAST(SUM(l.quantity * l.unit_price * (100 - l.discount) / 100) AS DOUBLE PRECISION)
        AS amount,
    CAST(SUM(l.quantity * l.unit_cost) AS DOUBLE PRECISION) AS cost,
    CAST(SUM(l.quantity) AS DOUBLE PRECISION) AS quantity
FROM sales_order o
JOIN sales_orderline l ON l.order_id = o.id
WHERE o.status NOT IN ({excluded}) AND o.ordered_at <= {as_of}
GROUP BY o.id, o.customer_id, o.ordered_at, o.number, o.currency, o.channel
"""

RATES_SQL = """
SELECT currency, rate_date, CAST(rate AS DOUBLE PRECISION) AS rate
FROM core_exchangerate ORDER BY rate_date
"""


@contextmanager
def adbc_connection() -> Iterator[Any]:
    """An ADBC DB-API connection to the app database, or None: then the caller reads
    through Django's own connection.

    Never for SQLite: adbc-driver-sqlite (no longer a dependency) carries its own copy of
    SQLite, and two copies in one process break SQLite's locking. Closing its connection, the
    driver's copy took itself for the last user, checkpointed and deleted the WAL file while
    Django's connection went on writing into the deleted file, unseen by every other process and
    lost on a crash (the worker-kill test hung on a run that stayed "running" at 0 % from
    outside; see tests/test_sqlite_reader.py). SQLite holds the small deployments, where Python
    rows cost little; PostgreSQL, for the large ones, keeps the Arrow reader.
    """
    if connection.vendor != "postgresql":
        yield None
        return
    import adbc_driver_postgresql.dbapi as driver

    conn = driver.connect(_postgres_uri(connection.settings_dict))
    try:
        yield conn
    finally:
        conn.close()


def _postgres_uri(db: dict[str, Any]) -> str:
    from urllib.parse import quote

    user = quote(str(db.get("USER") or ""))
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{quote(str(password))}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgresql://{auth}{host}:{port}/{quote(str(db['NAME']))}"


def read_table(sql: str, params: tuple[Any, ...] = ()) -> pa.Table:
    """Run ``sql`` (placeholders written as ``%s``) and return the result as Arrow."""
    with adbc_connection() as conn:
        if conn is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                names = [c[0] for c in cursor.description]
                rows = cursor.fetchall()
            return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})
        marker = "?" if connection.vendor == "sqlite" else "$"
        adbc_sql = sql
        for i in range(len(params)):
            adbc_sql = adbc_sql.replace("%s", "?" if marker == "?" else f"${i + 1}", 1)
        cursor = conn.cursor()
        try:
            cursor.execute(adbc_sql, params or None)
            return cursor.fetch_arrow_table()
        finally:
            cursor.close()


def read_transactions(as_of: dt.date, base_currency: str) -> pd.DataFrame:
    """One row per order in the analytics contract's columns, amounts in the base currency."""
    placeholders = ", ".join(["%s"] * len(EXCLUDED_ORDER_STATUSES))
    sql = TRANSACTIONS_SQL.format(excluded=placeholders, as_of="%s")
    end = dt.datetime.combine(as_of, dt.time.max)
    if settings.USE_TZ:
        end = end.replace(tzinfo=dt.UTC)
    params = (*EXCLUDED_ORDER_STATUSES, end if connection.vendor != "sqlite" else str(end)[:26])
    orders = read_table(sql, params).to_pandas()
    orders["timestamp"] = pd.to_datetime(orders.pop("ordered_at"), utc=True, format="mixed")
    orders["timestamp"] = orders["timestamp"].dt.tz_localize(None)
    return to_base_currency(orders, read_table(RATES_SQL).to_pandas(), base_currency)


def to_base_currency(orders: pd.DataFrame, rates: pd.DataFrame, base: str) -> pd.DataFrame:
    """Convert ``amount`` and ``cost`` with the latest rate on or before each order's day.

    An order in a currency with no rate on or before its day is converted with the
    earliest rate known for that currency (better than dropping a real purchase).
    """
    orders = orders.copy()
    foreign = orders["currency"] != base
    if foreign.any():
        # merge_asof needs both keys at the same resolution; nanoseconds fit any date here.
        rates = rates.assign(
            rate_date=pd.to_datetime(rates["rate_date"]).astype("datetime64[ns]")
        ).sort_values("rate_date")
        left = orders.loc[foreign, ["currency", "timestamp"]].reset_index()
        left = left.assign(timestamp=left["timestamp"].astype("datetime64[ns]"))
        left = left.sort_values("timestamp")
        merged = pd.merge_asof(
            left,
            rates.rename(columns={"rate_date": "timestamp"}),
            on="timestamp",
            by="currency",
            direction="backward",
        )
        earliest = rates.groupby("currency")["rate"].first()
        merged["rate"] = merged["rate"].fillna(merged["currency"].map(earliest))
        missing = merged["rate"].isna()
        if missing.any():
            codes = ", ".join(sorted(merged.loc[missing, "currency"].unique()))
            raise ValueError(f"no exchange rate to {base} for currency {codes}")
        factor = merged.set_index("index")["rate"]
        orders.loc[factor.index, "amount"] *= factor
        orders.loc[factor.index, "cost"] *= factor
    return orders.drop(columns=["currency"])
