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

import pandas as pd

from paretocrm.analytics.exceptions import DataContractError
from paretocrm.analytics.forecast import seasonal_demand

#: Columns the order-line input must have.
LINE_COLUMNS = ("customer_id", "timestamp", "category", "quantity")
#: Joins customer and category into one key; a control character no name contains.
_SEP = "\x1f"


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
    bad = frame["category"].str.contains(_SEP, regex=False)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 1
        raise DataContractError(f"order lines column category: control character in row {row}")
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
        top: how many peak months to report per category.
        uncategorised: the category label of lines without one.

    Raises:
        DataContractError: a missing column, a missing date or quantity (naming the row).
    """
    frame = _check(lines)
    frame["category"] = frame["category"].where(frame["category"] != "", uncategorised)
    wanted = pd.Index(customers).astype(str)
    by_customer = seasonal_demand(
        frame,
        pd.Series(wanted, index=wanted),
        customers=wanted,
        measure="quantity",
        top=top,
    )
    # Each (customer, category) pair becomes its own "customer" whose group is the category,
    # so seasonal_demand sums the selected customers per category with the same coverage.
    keyed = frame.assign(customer_id=frame["customer_id"] + _SEP + frame["category"])
    pairs = keyed[["customer_id", "category"]].drop_duplicates("customer_id")
    pairs = pairs[pairs["customer_id"].str.split(_SEP).str[0].isin(wanted)]
    by_category = seasonal_demand(
        keyed,
        pd.Series(pairs["category"].to_numpy(), index=pd.Index(pairs["customer_id"])),
        customers=pd.Index(pairs["customer_id"]),
        measure="quantity",
        top=top,
    )
    return PeakSeasonPlan(
        by_customer=by_customer.monthly,
        by_category=by_category.monthly,
        peak_months=by_category.peak_months,
        years_covered=by_customer.years_covered,
    )
