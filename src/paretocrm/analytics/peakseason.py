"""Peak-season planning (旺季生产计划): expected quantity by month per customer and category.

For exporters whose profitable customers buy in seasons, production must be planned before
the peak. The expected quantity of a calendar month is the average quantity bought in that
month over the years the data covers (:func:`paretocrm.analytics.forecast.seasonal_demand`
with ``measure="quantity"``): a seasonal-naive forecast, which assumes next year repeats the
average year - no trend, and nothing is invented for a month a customer never bought in.

Per profitable customer the twelve months give their seasonal profile; summed over the
profitable customers by product category they give the quantities production plans for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from paretocrm.analytics.exceptions import DataContractError
from paretocrm.analytics.forecast import MONTHS, seasonal_demand

#: Columns the order-line input must have.
LINE_COLUMNS = ("customer_id", "timestamp", "category", "quantity")


@dataclass(frozen=True)
class PeakSeasonPlan:
    """Result of :func:`peak_season_plan`.

    Attributes:
        by_customer: expected quantity per calendar month (index 1-12) per customer (columns).
        by_category: expected quantity per month per product category, summed over the
            selected customers.
        peak_months: per category, the ``top`` months with most demand and their share.
        years_covered: how often each calendar month occurs in the data.
    """

    by_customer: pd.DataFrame
    by_category: pd.DataFrame
    peak_months: pd.DataFrame
    years_covered: pd.Series


def _check(lines: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise DataContractError(
            f"order lines are missing column(s) {', '.join(missing)}; "
            f"they have {', '.join(map(str, lines.columns))}",
            column=missing[0],
        )
    frame = lines.loc[:, list(LINE_COLUMNS)].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame["category"] = frame["category"].fillna("").astype(str)
    return frame


def peak_season_plan(
    lines: pd.DataFrame, customers: pd.Index, *, top: int = 3, uncategorised: str = "—"
) -> PeakSeasonPlan:
    """Expected monthly quantity for ``customers`` (e.g. the profitable ones), by category.

    Args:
        lines: one row per order line (or per order and category): ``customer_id``,
            ``timestamp``, ``category`` (blank or missing: ``uncategorised``) and ``quantity``.
        customers: the customers to plan for; lines of other customers only count for how
            many years each month is covered.
        top: how many peak months to report per category (1-12).
        uncategorised: the category label of lines without one.

    Raises:
        DataContractError: a missing column, a missing date or quantity (naming the row).
    """
    frame = _check(lines)
    # Coverage (and the validation of dates and quantities) as seasonal_demand defines it,
    # over every line: a month nobody bought in is still a covered month.
    covered = seasonal_demand(frame, measure="quantity", top=top).years_covered
    frame["category"] = frame["category"].where(frame["category"] != "", uncategorised)
    wanted = pd.Index(customers).astype(str)
    mine = frame[frame["customer_id"].isin(wanted)]
    mine = mine.assign(month=pd.to_datetime(mine["timestamp"]).dt.month)
    by_customer = _per_month(mine, "customer_id", covered).reindex(columns=wanted, fill_value=0.0)
    by_customer.loc[covered == 0] = np.nan
    by_category = _per_month(mine, "category", covered)
    return PeakSeasonPlan(
        by_customer=by_customer,
        by_category=by_category,
        peak_months=_peaks(by_category, top),
        years_covered=covered,
    )


def _per_month(lines: pd.DataFrame, column: str, covered: pd.Series) -> pd.DataFrame:
    """Average quantity per calendar month (rows 1-12) and ``column`` value (columns).

    One grouped sum over all lines (no per-customer loop): the total of each month divided
    by the number of years that month is covered; NaN for a month never covered.
    """
    totals = lines.groupby(["month", column])["quantity"].sum().unstack(fill_value=0).astype(float)
    totals = totals.reindex(index=MONTHS, fill_value=0.0).sort_index(axis=1)
    totals.columns = totals.columns.astype(str)
    return totals.div(covered.where(covered > 0), axis=0)


def _peaks(monthly: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` months with the largest share per column (ties: earlier month first)."""
    rows = {}
    for name in monthly.columns:
        share = monthly[name] / monthly[name].sum()
        ordered = share.dropna().sort_values(ascending=False, kind="stable").head(top)
        rows[name] = {
            "peak_months": [int(month) for month in ordered.index],
            "peak_share": float(ordered.sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("category")
