"""Forecasts: next-period purchases and revenue per group, and peak-season demand.

:func:`forecast_next_period` adds up per-customer model predictions: for each customer the
expected number of purchases in the next period (e.g. BG/NBD conditional expected purchases)
times the expected spend per purchase (e.g. Gamma-Gamma conditional expected spend), summed
per segment, tier or any other grouping. With P(alive) it also gives the expected number of
still-active customers per group.

:func:`seasonal_demand` reads the transactions by calendar month to show in which months
each group (e.g. the profitable customers, per segment) buys most - the figure production
planning needs for the peak season (旺季).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.pareto import finite_values
from paretocrm.analytics.value import require_columns

MONTHS = pd.RangeIndex(1, 13, name="month")


@dataclass(frozen=True)
class Forecast:
    """Result of :func:`forecast_next_period`.

    Attributes:
        by: one table per grouping name, indexed by group, with ``customers``,
            ``expected_active`` (sum of P(alive); NaN without it), ``expected_purchases``,
            ``expected_revenue``, ``revenue_share``, ``purchases_per_customer`` and
            ``revenue_per_customer``; sorted by expected revenue, largest first.
        total_purchases: expected purchases of all customers.
        total_revenue: expected revenue of all customers.
        expected_active: expected number of active customers (NaN without P(alive)).
    """

    by: dict[str, pd.DataFrame]
    total_purchases: float
    total_revenue: float
    expected_active: float


def _per_customer(series: pd.Series, index: pd.Index, name: str) -> np.ndarray:
    """Values of ``series`` in the order of ``index``, refusing missing customers by id."""
    missing = index.difference(series.index)
    if missing.size:
        raise DataContractError(
            f"{name}: no value for {missing.size} customer(s), first: {list(missing[:5])}",
            column=name,
        )
    return finite_values(series.reindex(index), name=name)


def _group_table(frame: pd.DataFrame, groups: pd.Series, name: str) -> pd.DataFrame:
    """Sum the per-customer forecast ``frame`` by the labels in ``groups``."""
    missing = frame.index.difference(groups.index)
    if missing.size:
        raise DataContractError(
            f"grouping {name!r}: no group for {missing.size} customer(s), "
            f"first: {list(missing[:5])}"
        )
    labels = groups.reindex(frame.index)
    if labels.isna().any():
        first = frame.index[labels.isna().to_numpy()][:5]
        raise DataContractError(f"grouping {name!r}: empty group for customer(s) {list(first)}")
    grouped = frame.groupby(labels.to_numpy(), observed=True, sort=True)
    table = grouped.sum(min_count=1)
    table.insert(0, "customers", grouped.size())
    total = table["expected_revenue"].sum()
    table["revenue_share"] = table["expected_revenue"] / total if total > 0 else np.nan
    table["purchases_per_customer"] = table["expected_purchases"] / table["customers"]
    table["revenue_per_customer"] = table["expected_revenue"] / table["customers"]
    table = table.rename_axis(name).sort_values("expected_revenue", ascending=False, kind="stable")
    return table


def forecast_next_period(
    expected_purchases: pd.Series,
    expected_spend: pd.Series,
    groupings: Mapping[str, pd.Series],
    *,
    p_alive: pd.Series | None = None,
) -> Forecast:
    """Expected purchases and revenue next period, per group of every grouping.

    Args:
        expected_purchases: per customer, expected purchases in the next period.
        expected_spend: per customer, expected spend per purchase (same customers).
        groupings: e.g. ``{"segment": segments, "tier": tiers}``, each a Series of labels per
            customer.
        p_alive: optional P(alive) per customer, for the expected count of active customers.

    Returns:
        :class:`Forecast`.
    """
    index = expected_purchases.index
    if index.has_duplicates:
        raise DataContractError("expected_purchases: customer ids are repeated")
    purchases = finite_values(expected_purchases, name="expected_purchases")
    if (purchases < 0).any():
        raise DataContractError("expected_purchases: predictions must be >= 0")
    spend = _per_customer(expected_spend, index, "expected_spend")
    frame = pd.DataFrame(
        {
            "expected_active": (
                _per_customer(p_alive, index, "p_alive") if p_alive is not None else np.nan
            ),
            "expected_purchases": purchases,
            "expected_revenue": purchases * spend,
        },
        index=index,
    )
    by = {name: _group_table(frame, labels, name) for name, labels in groupings.items()}
    return Forecast(
        by=by,
        total_purchases=float(frame["expected_purchases"].sum()),
        total_revenue=float(frame["expected_revenue"].sum()),
        expected_active=float(frame["expected_active"].sum(min_count=1)),
    )


@dataclass(frozen=True)
class SeasonalDemand:
    """Result of :func:`seasonal_demand`; every table is indexed by calendar month 1..12.

    Attributes:
        monthly: average demand in each calendar month, one column per group (total demand
            in that month divided by the number of years the data covers that month; NaN for
            months the data never covers).
        share: each month's share of the group's average year.
        index: seasonal index, the month's average over the mean month (1.0 = an average
            month, 1.5 = half again as busy).
        peak_months: per group (rows), the ``top`` busiest months in order and their share
            of the year.
        years_covered: per calendar month, how many years of data cover it.
    """

    monthly: pd.DataFrame
    share: pd.DataFrame
    index: pd.DataFrame
    peak_months: pd.DataFrame
    years_covered: pd.Series


def _transactions_frame(transactions: pd.DataFrame | pa.Table, measure: str) -> pd.DataFrame:
    """The three columns needed, as pandas, with the contract's names checked."""
    frame = transactions.to_pandas() if isinstance(transactions, pa.Table) else transactions
    require_columns(frame, ("customer_id", "timestamp", measure), what="transactions")
    timestamps = pd.to_datetime(frame["timestamp"], errors="coerce")
    if timestamps.isna().any():
        rows = np.flatnonzero(timestamps.isna().to_numpy())[:5] + 1
        raise DataContractError(
            f"transactions column timestamp: not a date in row(s) {rows.tolist()}",
            column="timestamp",
        )
    values = finite_values(frame[measure].reset_index(drop=True), name=measure)
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype(str).to_numpy(),
            "timestamp": timestamps.to_numpy(),
            "value": values,
        }
    )


def _years_covered(timestamps: pd.Series) -> pd.Series:
    """How many times each calendar month occurs between the first and last month of data."""
    periods = pd.period_range(timestamps.min(), timestamps.max(), freq="M")
    counts = pd.Series(periods.month).value_counts()
    return counts.reindex(MONTHS, fill_value=0).rename("years_covered")


def seasonal_demand(
    transactions: pd.DataFrame | pa.Table,
    groups: pd.Series | None = None,
    *,
    customers: pd.Index | None = None,
    measure: str = "amount",
    top: int = 3,
) -> SeasonalDemand:
    """Average demand by calendar month per group (which months each group buys most).

    Args:
        transactions: contract transactions (``customer_id``, ``timestamp`` and ``measure``).
        groups: optional group label per customer (segment, tier...); customers without a
            label are left out. Without it all customers form one group, ``"all"``.
        customers: optional customers to keep, e.g. the profitable ones:
            ``classes.index[classes == "profitable"]``.
        measure: the column to add up - ``amount`` (revenue) or ``quantity`` (units).
        top: how many peak months to list per group.

    Returns:
        :class:`SeasonalDemand`. Coverage is measured on all transactions, so a group that
        did not buy in a covered month shows zero demand there, not a gap.
    """
    if not 1 <= top <= 12:
        raise ConfigurationError(f"top must be between 1 and 12, got {top}")
    frame = _transactions_frame(transactions, measure)
    if frame.empty:
        raise DataContractError("transactions: no rows to analyse")
    covered = _years_covered(frame["timestamp"])
    if customers is not None:
        frame = frame[frame["customer_id"].isin(customers.astype(str))]
    if groups is None:
        labels = pd.Series("all", index=frame.index)
    else:
        labels = frame["customer_id"].map(groups.set_axis(groups.index.astype(str)))
    frame = frame.assign(group=labels.to_numpy(), month=frame["timestamp"].dt.month.to_numpy())
    frame = frame.dropna(subset=["group"])
    totals = frame.pivot_table(
        index="month", columns="group", values="value", aggfunc="sum", fill_value=0.0
    ).reindex(MONTHS, fill_value=0.0)
    totals.columns.name = "group"
    monthly = totals.div(covered.where(covered > 0), axis=0)
    year = monthly.sum(axis=0, min_count=1)
    share = monthly / year.where(year > 0)
    seasonal_index = monthly / monthly.mean(axis=0).where(year > 0)
    return SeasonalDemand(
        monthly=monthly,
        share=share,
        index=seasonal_index,
        peak_months=_peaks(share, top),
        years_covered=covered,
    )


def _peaks(share: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` months with the largest share per group (ties: earlier month first)."""
    rows = {}
    for group in share.columns:
        ordered = share[group].dropna().sort_values(ascending=False, kind="stable").head(top)
        rows[group] = {
            "peak_months": [int(month) for month in ordered.index],
            "peak_share": float(ordered.sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")
