"""Peak-season plan of a scoring run: order lines by category -> analytics -> stored rows.

The profitable customers of the run (profitability class "profitable") are planned for;
the maths is :func:`paretocrm.analytics.peakseason.peak_season_plan`. The rows are written
in the run's snapshot transaction (``insights.services._save``), so pages only read them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection

from paretocrm.analytics.peakseason import peak_season_plan
from paretocrm.insights.models import ScoreRun
from paretocrm.insights.reading import EXCLUDED_ORDER_STATUSES, read_table

PROFITABLE = "profitable"

LINES_SQL = """
SELECT
    CAST(o.customer_id AS VARCHAR(20)) AS customer_id,
    o.ordered_at AS ordered_at,
    COALESCE(c.name, '') AS category,
    CAST(SUM(l.quantity) AS DOUBLE PRECISION) AS quantity
FROM sales_order o
JOIN sales_orderline l ON l.order_id = o.id
LEFT JOIN sales_product p ON p.id = l.product_id
LEFT JOIN sales_productcategory c ON c.id = p.category_id
WHERE o.status NOT IN ({excluded}) AND o.ordered_at <= %s
GROUP BY o.id, o.customer_id, o.ordered_at, c.name
"""


def read_lines(as_of: dt.date) -> pd.DataFrame:
    """Quantity per order and product category up to ``as_of`` (the analytics input)."""
    placeholders = ", ".join(["%s"] * len(EXCLUDED_ORDER_STATUSES))
    end = dt.datetime.combine(as_of, dt.time.max)
    if settings.USE_TZ:
        end = end.replace(tzinfo=dt.UTC)
    params = (*EXCLUDED_ORDER_STATUSES, end if connection.vendor != "sqlite" else str(end)[:26])
    lines = read_table(LINES_SQL.format(excluded=placeholders), params).to_pandas()
    stamps = pd.to_datetime(lines.pop("ordered_at"), utc=True, format="mixed")
    lines["timestamp"] = stamps.dt.tz_localize(None)
    return lines


#: The columns of :func:`plan_rows`' tuples (for ``core.bulk.insert_rows``).
PEAK_COLUMNS = ("run_id", "customer_id", "category", "month", "expected_quantity")


def plan_rows(
    run: ScoreRun, lines: pd.DataFrame, scores: pd.DataFrame
) -> list[tuple[int, int | None, str, int, float]]:
    """The run's peak-season rows: each profitable customer's months and each category's.

    Plain tuples of :data:`PEAK_COLUMNS`, not model instances: at 100k customers a run has
    about a million cells, and an instance per cell cost more than the whole analysis.
    """
    profitable = scores.index[scores["profitability_class"] == PROFITABLE]
    if lines.empty or len(profitable) == 0:
        return []
    plan = peak_season_plan(lines, pd.Index(profitable))
    by_customer = plan.by_customer
    # A profitable customer with no quantities has nothing to plan.
    by_customer = by_customer.loc[:, by_customer.sum(axis=0) > 0]
    keys, months, quantities = _cells(by_customer)
    rows = [
        (run.pk, int(key), "", month, quantity)
        for key, month, quantity in zip(keys, months, quantities, strict=True)
    ]
    keys, months, quantities = _cells(plan.by_category)
    rows += [
        (run.pk, None, str(key)[:100], month, quantity)
        for key, month, quantity in zip(keys, months, quantities, strict=True)
    ]
    return rows


def _cells(monthly: pd.DataFrame) -> tuple[list[object], list[int], list[float]]:
    """Column keys, months and values of every covered month (NaN: a month the history
    never has), as three lists."""
    values = monthly.to_numpy(dtype=float)
    months, columns = np.nonzero(~np.isnan(values))
    keys = monthly.columns.to_numpy(dtype=object)[columns].tolist()
    month_numbers = monthly.index.to_numpy(dtype=np.int64)[months].tolist()
    return keys, month_numbers, values[months, columns].tolist()
