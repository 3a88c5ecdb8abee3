"""A large company in seconds: customers, orders and order lines generated column-wise.

The demo generator (``generator.py`` / ``activity.py``) builds every record as a Python
object with a realistic story (contacts, cases, campaigns, invoices...): right for a demo,
but about 8 minutes for 10,000 customers on a shared 2-core machine. For the benchmarks
(100,000 customers, ~2M order lines) this module first loads a small demo company (users,
teams, products, currencies, one story per role) and then adds the bulk customers, orders
and lines as numpy columns, written with one ``COPY ... FROM STDIN (FORMAT csv)`` per table
on PostgreSQL or ``executemany`` on SQLite, all in one transaction.

Purchase counts are heavy-tailed (a lognormal weight per customer, so a few customers buy
most), dates spread over the three years before the anchor day, 1-5 lines per order (mean
about 2). Same seed, sizes and anchor give the same rows.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, models, transaction
from django.utils import timezone

from paretocrm.core.bulk import next_id, refresh_statistics
from paretocrm.customers.models import Customer
from paretocrm.sales.models import Order, OrderLine, Product

BulkProgress = Callable[[str], None]
HISTORY_DAYS = 3 * 365
#: Categorical customer columns copied (by random draw) from the demo customers, so every
#: value is one the models' choices and constraints accept.
CATEGORICAL = ("industry", "region", "scale", "scope", "cooperation_level", "credit_rating")


@dataclass(frozen=True)
class BulkCounts:
    customers: int
    orders: int
    lines: int


def add_bulk_company(
    *,
    customers: int,
    orders: int,
    seed: int,
    anchor: dt.date,
    progress: BulkProgress | None = None,
) -> BulkCounts:
    """Add ``customers`` customers with about ``orders`` orders to a loaded demo company."""
    notify = progress or (lambda _step: None)
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        notify("customers")
        customer_ids = _write_customers(rng, customers)
        notify("orders")
        order_ids = _write_orders(rng, customer_ids, orders, anchor)
        notify("order lines")
        lines = _write_lines(rng, order_ids)
        _move_sequences()
    notify("analysing tables")
    refresh_statistics(Customer, Order, OrderLine)
    return BulkCounts(customers=customers, orders=len(order_ids), lines=lines)


def _write_customers(rng: np.random.Generator, n: int) -> np.ndarray:
    sample = list(Customer.objects.values(*CATEGORICAL, "owner_id", "team_id")[:500])
    if not sample:
        raise ValueError("load the demo company first: the bulk customers copy its values")
    first = next_id(Customer)
    ids = np.arange(first, first + n, dtype=np.int64)
    picks = rng.integers(0, len(sample), size=n)
    frame = pd.DataFrame({"id": ids})
    now = _timestamps(pd.DatetimeIndex([timezone.now()]))[0]
    frame["created_at"] = now
    frame["updated_at"] = now
    frame["version"] = 1
    frame["code"] = [f"BK{i:08d}" for i in ids]
    frame["name"] = [f"批量客户 Bulk customer {i}" for i in ids]
    for column in (*CATEGORICAL, "owner_id", "team_id"):
        values = np.array([row[column] for row in sample], dtype=object)
        frame[column] = values[picks]
    frame["country"] = "CN"
    frame["credit_score"] = rng.integers(30, 100, size=n)
    frame["credit_limit"] = (rng.integers(1, 200, size=n) * 10_000).astype(str)
    frame["channel"] = np.where(rng.random(n) < 0.7, "direct", "distributor")
    for column in ("industry_influence", "cooperation_intent", "price_sensitivity"):
        frame[column] = rng.integers(1, 6, size=n)
    frame["status"] = "active"
    frame["currency"] = "CNY"
    for column in ("website", "address", "notes"):
        frame[column] = ""
    _copy(Customer, frame)
    return ids


def _write_orders(
    rng: np.random.Generator, customer_ids: np.ndarray, orders: int, anchor: dt.date
) -> np.ndarray:
    # Heavy tail: lognormal weights give the 20 % / 80 % shape the analysis looks for.
    weights = rng.lognormal(0.0, 1.2, size=len(customer_ids))
    counts = rng.poisson(weights / weights.sum() * orders)
    owners = np.repeat(customer_ids, counts)
    n = len(owners)
    first = next_id(Order)
    ids = np.arange(first, first + n, dtype=np.int64)
    days_back = rng.integers(0, HISTORY_DAYS, size=n)
    minutes = rng.integers(8 * 60, 18 * 60, size=n)
    start = pd.Timestamp(anchor, tz=timezone.get_current_timezone())
    ordered_at = start - pd.to_timedelta(days_back, unit="D") + pd.to_timedelta(minutes, "min")
    frame = pd.DataFrame({"id": ids})
    now = _timestamps(pd.DatetimeIndex([timezone.now()]))[0]
    frame["created_at"] = now
    frame["updated_at"] = now
    frame["version"] = 1
    frame["number"] = [f"BK-SO{i:09d}" for i in ids]
    frame["ordered_at"] = _timestamps(ordered_at)
    frame["currency"] = "CNY"
    frame["status"] = "completed"
    frame["channel"] = "direct"
    frame["notes"] = ""
    frame["contract_id"] = None
    frame["customer_id"] = owners
    frame["owner_id"] = None
    _copy(Order, frame)
    return ids


def _write_lines(rng: np.random.Generator, order_ids: np.ndarray) -> int:
    products = list(Product.objects.values_list("id", "name"))
    per_order = np.minimum(1 + rng.poisson(1.0, size=len(order_ids)), 5)
    order_of_line = np.repeat(order_ids, per_order)
    n = len(order_of_line)
    # Line number within its order: position minus the index where the order's lines start.
    starts = np.repeat(np.cumsum(per_order) - per_order, per_order)
    pick = rng.integers(0, len(products), size=n)
    price = np.round(rng.lognormal(7.0, 1.0, size=n), 2)
    first = next_id(OrderLine)
    frame = pd.DataFrame({"id": np.arange(first, first + n, dtype=np.int64)})
    frame["line_number"] = np.arange(n) - starts + 1
    frame["description"] = np.array([name for _, name in products], dtype=object)[pick]
    frame["quantity"] = rng.integers(1, 50, size=n)
    frame["unit_price"] = price
    frame["unit_cost"] = np.round(price * rng.uniform(0.55, 0.85, size=n), 2)
    frame["discount"] = 0
    frame["order_id"] = order_of_line
    frame["product_id"] = np.array([pid for pid, _ in products], dtype=np.int64)[pick]
    _copy(OrderLine, frame)
    return n


def _timestamps(moments: pd.DatetimeIndex) -> list[str]:
    """UTC timestamps as this backend stores them (SQLite compares them as text)."""
    utc = moments.tz_convert("UTC")
    pattern = (
        "%Y-%m-%d %H:%M:%S+00:00" if connection.vendor == "postgresql" else "%Y-%m-%d %H:%M:%S"
    )
    return list(utc.strftime(pattern))


def _copy(model: type[models.Model], frame: pd.DataFrame) -> None:
    """Write ``frame`` (columns named as the table's) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            # \N marks NULL, so an empty field stays an empty string (notes, website ...).
            frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with raw.copy(sql) as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * len(frame.columns))
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                [tuple(row) for row in rows],
            )


def _move_sequences() -> None:
    """PostgreSQL identity sequences past the ids we assigned ourselves."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Customer, Order, OrderLine):
            table = model._meta.db_table
            top = f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])
