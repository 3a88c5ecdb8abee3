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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from paretocrm.analytics.engines.duckdb_engine import run_query
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.pareto import finite_values

MONTHS = pd.RangeIndex(1, 13, name="month")
#: Horizons (months) of the per-customer revenue forecast: ``revenue_3m`` ... ``revenue_12m``.
FORECAST_MONTHS = (3, 6, 12)


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
        per_customer: ``revenue_<label>`` per customer for each horizon of ``horizons``
            (expected purchases over the horizon x expected spend); empty without them.
        totals: the book's ``revenue_<label>`` per horizon, with ``_low``/``_high`` when
            intervals were given (:mod:`~paretocrm.analytics.intervals`).
    """

    by: dict[str, pd.DataFrame]
    total_purchases: float
    total_revenue: float
    expected_active: float
    per_customer: pd.DataFrame = field(default_factory=pd.DataFrame)
    totals: dict[str, float] = field(default_factory=dict)


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
    horizons: Mapping[str, pd.Series] | None = None,
    intervals: Mapping[str, pd.DataFrame] | None = None,
    company_intervals: Mapping[str, float] | None = None,
) -> Forecast:
    """Expected purchases and revenue next period, per group of every grouping.

    Args:
        expected_purchases: per customer, expected purchases in the next period.
        expected_spend: per customer, expected spend per purchase (same customers).
        groupings: e.g. ``{"segment": segments, "tier": tiers}``, each a Series of labels per
            customer.
        p_alive: optional P(alive) per customer, for the expected count of active customers.
        horizons: optional label (e.g. ``"3m"``) -> expected purchases per customer over that
            horizon; each gives a ``revenue_<label>`` column per customer and per group.
        intervals: optional grouping name -> table of ``revenue_<label>_low``/``_high`` per
            group (from parameter draws); joined to that grouping's table.
        company_intervals: the same for the whole book, added to ``totals``.

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
    per_customer = pd.DataFrame(
        {
            f"revenue_{label}": _per_customer(series, index, f"purchases {label}") * spend
            for label, series in (horizons or {}).items()
        },
        index=index,
    )
    frame = frame.join(per_customer)
    by = {name: _group_table(frame, labels, name) for name, labels in groupings.items()}
    for name, bounds in (intervals or {}).items():
        if name in by:
            table = by[name].set_axis(by[name].index.astype(str))
            by[name] = table.join(bounds.set_axis(bounds.index.astype(str)), how="left")
    totals = {name: float(per_customer[name].sum()) for name in per_customer.columns}
    totals.update({k: float(v) for k, v in (company_intervals or {}).items()})
    return Forecast(
        by=by,
        total_purchases=float(frame["expected_purchases"].sum()),
        total_revenue=float(frame["expected_revenue"].sum()),
        expected_active=float(frame["expected_active"].sum(min_count=1)),
        per_customer=per_customer,
        totals=totals,
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


def _transactions_table(transactions: pd.DataFrame | pa.Table, measure: str) -> pa.Table:
    """``customer_id`` (string), ``timestamp`` and ``value`` (the measure) as Arrow, checked."""
    columns = (
        transactions.column_names if isinstance(transactions, pa.Table) else transactions.columns
    )
    missing = [c for c in ("customer_id", "timestamp", measure) if c not in columns]
    if missing:
        raise DataContractError(
            f"transactions is missing column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, columns))}",
            column=missing[0],
        )
    if isinstance(transactions, pa.Table):
        ids = pc.cast(transactions.column("customer_id"), pa.string())
        stamps = transactions.column("timestamp")
        raw_values = transactions.column(measure)
    else:
        ids = pa.array(transactions["customer_id"].astype(str).to_numpy(), pa.string())
        stamps = pa.array(pd.to_datetime(transactions["timestamp"], errors="coerce"))
        raw_values = pa.array(pd.to_numeric(transactions[measure], errors="coerce"))
    if not pa.types.is_timestamp(stamps.type) and not pa.types.is_date(stamps.type):
        raise DataContractError(
            f"transactions column timestamp: expected dates, got {stamps.type}", column="timestamp"
        )
    _require_no_gaps(stamps, "timestamp", "not a date")
    try:
        values = pc.cast(raw_values, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise DataContractError(
            f"transactions column {measure}: not numbers ({error})", column=measure
        ) from error
    _require_no_gaps(values, measure, "missing or not a finite number")
    return pa.table({"customer_id": ids, "timestamp": stamps, "value": values})


def _require_no_gaps(array: pa.Array | pa.ChunkedArray, column: str, problem: str) -> None:
    """Refuse nulls (and non-finite floats), naming the column and the first 1-based rows."""
    bad = pc.is_null(array)
    if pa.types.is_floating(array.type):
        bad = pc.or_(bad, pc.invert(pc.fill_null(pc.is_finite(array), False)))
    if pc.any(bad).as_py():
        rows = (np.flatnonzero(bad.to_numpy(zero_copy_only=False))[:5] + 1).tolist()
        raise DataContractError(
            f"transactions column {column}: {problem} in row(s) {rows}", column=column
        )


def _years_covered(first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    """How many times each calendar month occurs between the first and last month of data."""
    periods = pd.period_range(first, last, freq="M")
    counts = pd.Series(periods.month).value_counts()
    return counts.reindex(MONTHS, fill_value=0).rename("years_covered")


def _group_labels(
    groups: pd.Series | None, customers: pd.Index | None
) -> tuple[pa.Table | None, list[str]]:
    """The customer -> group table to join (None: everyone is in group "all")."""
    if groups is None and customers is None:
        return None, ["all"]
    if groups is None:
        assert customers is not None  # both None returned above
        ids = _string_array(customers)
        names = pa.array(["all"] * len(ids), pa.string())
    else:
        labelled = groups.dropna()
        ids = _string_array(labelled.index)
        names = pa.array(labelled.astype(str).to_numpy(dtype=object), pa.string())
    table = pa.table({"customer_id": ids, "group_label": names})
    if groups is not None and customers is not None:
        # Arrow's hash lookup; pandas' isin on Arrow strings loops in Python.
        keep = pc.is_in(table.column("customer_id"), value_set=_string_array(customers))
        table = table.filter(keep)
    return table, sorted(pc.unique(table.column("group_label")).to_pylist())


def _string_array(index: pd.Index) -> pa.Array:
    """Customer ids as an Arrow string array (ids are compared as strings, as in the contract)."""
    return pa.array(index.astype(str).to_numpy(dtype=object), pa.string())


_MONTHLY_SQL = """
SELECT {group_expr} AS group_label, CAST(month(t.timestamp) AS INTEGER) AS month,
    SUM(t.value) AS total
FROM transactions AS t {join}
GROUP BY 1, 2
"""


def seasonal_demand(
    transactions: pd.DataFrame | pa.Table,
    groups: pd.Series | None = None,
    *,
    customers: pd.Index | None = None,
    measure: str = "amount",
    top: int = 3,
) -> SeasonalDemand:
    """Average demand by calendar month per group (which months each group buys most).

    The month totals are one DuckDB query over Arrow, so twelve million transactions take
    about a second.

    Args:
        transactions: contract transactions (``customer_id``, ``timestamp`` and ``measure``)
            as pandas or Arrow.
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
    table = _transactions_table(transactions, measure)
    if table.num_rows == 0:
        raise DataContractError("transactions: no rows to analyse")
    span = pc.min_max(table.column("timestamp")).as_py()
    covered = _years_covered(pd.Timestamp(span["min"]), pd.Timestamp(span["max"]))
    label_table, group_names = _group_labels(groups, customers)
    tables = {"transactions": table}
    if label_table is None:
        sql = _MONTHLY_SQL.format(group_expr="'all'", join="")
    else:
        tables["labels"] = label_table
        join = "JOIN labels AS g ON t.customer_id = g.customer_id"
        sql = _MONTHLY_SQL.format(group_expr="g.group_label", join=join)
    long = run_query(tables, sql).to_pandas()
    totals = long.pivot_table(
        index="month", columns="group_label", values="total", aggfunc="sum", fill_value=0.0
    ).reindex(index=MONTHS, columns=pd.Index(group_names, name="group"), fill_value=0.0)
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
