"""Customer value (客户识别): revenue, gross and net profit, ABC and profitability classes.

Net profit is what a customer leaves after the cost of serving them, the point the source
documents make against judging customers by revenue alone::

    gross_profit   = revenue - cost of goods            (summary column ``gross_profit``)
                   = revenue * default_margin           (when no cost of goods is known)
    cost_to_serve  = per_case * cases + per_interaction * interactions
                     + per_order * order_count + service_cost
    net_profit     = gross_profit - cost_to_serve

``cases``, ``interactions`` and ``service_cost`` come from the optional customer-attributes
table (missing columns or values count as zero); ``order_count`` from the summary.

All functions take the per-customer summary of ``docs/development/analytics-contract.md``
(a DataFrame indexed by ``customer_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.pareto import finite_values

PROFITABLE = "profitable"
COULD_BECOME_PROFITABLE = "could_become_profitable"
NEVER_PROFITABLE = "never_profitable"

#: Profitability classes in display order, with simplified-Chinese labels.
PROFITABILITY_LABELS_ZH: dict[str, str] = {
    PROFITABLE: "盈利客户",
    COULD_BECOME_PROFITABLE: "可培养为盈利的客户",
    NEVER_PROFITABLE: "无利可图的客户",
}


@dataclass(frozen=True)
class CostToServe:
    """What serving a customer costs, in the base currency (configurable; defaults below).

    The defaults are deliberately modest placeholders for a small B2B company; set them from
    the company's own cost accounting.

    Attributes:
        per_case: handling one service case (inquiry, complaint, return...), default 50.
        per_interaction: one logged call, visit, e-mail or meeting, default 10.
        per_order: processing one order (order entry, invoicing, shipping admin), default 5.
        include_service_cost: add the attribute ``service_cost`` (relationship and
            maintenance cost per period) when present, default True.
        default_margin: gross margin assumed when the data has no cost of goods, default 0.30;
            the result says so in ``margin_assumed``.
    """

    per_case: float = 50.0
    per_interaction: float = 10.0
    per_order: float = 5.0
    include_service_cost: bool = True
    default_margin: float = 0.30

    def __post_init__(self) -> None:
        """Refuse negative unit costs and margins outside [-1, 1] by name."""
        for field in ("per_case", "per_interaction", "per_order"):
            value = getattr(self, field)
            if not (np.isfinite(value) and value >= 0):
                raise ConfigurationError(f"CostToServe.{field} must be >= 0, got {value}")
        if not -1.0 <= self.default_margin <= 1.0:
            raise ConfigurationError(
                f"CostToServe.default_margin must be in [-1, 1], got {self.default_margin}"
            )


@dataclass(frozen=True)
class ProfitabilityRules:
    """Thresholds of the profitability classes (see :func:`profitability_classes`).

    Attributes:
        potential_quantile: a customer's potential is "high" at or above this quantile of
            all customers' potential, default 0.5 (the upper half).
        max_uplift: gross profit may need to grow by at most this factor minus one to cover
            the cost to serve, default 2.0 (i.e. gross profit at most doubling).
    """

    potential_quantile: float = 0.5
    max_uplift: float = 2.0

    def __post_init__(self) -> None:
        """Refuse thresholds outside their range by name."""
        if not 0 <= self.potential_quantile <= 1:
            raise ConfigurationError(
                f"ProfitabilityRules.potential_quantile must be in [0, 1], "
                f"got {self.potential_quantile}"
            )
        if not self.max_uplift >= 1:
            raise ConfigurationError(
                f"ProfitabilityRules.max_uplift must be >= 1, got {self.max_uplift}"
            )


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    """Raise a DataContractError naming every required column ``frame`` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataContractError(
            f"{what} is missing column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns))}"
        )


def attributes_for(
    attributes: pd.DataFrame | None, index: pd.Index, columns: Iterable[str]
) -> pd.DataFrame:
    """The given attribute columns aligned to ``index`` (absent columns or rows are 0).

    ``attributes`` may be keyed by its index or by a ``customer_id`` column; customer ids
    are compared as strings, as in the data contract.
    """
    wanted = list(columns)
    if attributes is None:
        return pd.DataFrame(0.0, index=index, columns=wanted)
    table = attributes
    if "customer_id" in table.columns:
        table = table.set_index("customer_id")
    table = table.set_axis(table.index.astype(str), axis=0)
    duplicated = table.index[table.index.duplicated()]
    if duplicated.size:
        raise DataContractError(
            f"customer attributes: customer_id repeated, first: {list(duplicated[:5])}"
        )
    aligned = pd.DataFrame(index=index)
    for column in wanted:
        if column not in table.columns:
            aligned[column] = 0.0
            continue
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = numbers.isna() & table[column].notna()
        if bad.any():
            first = table.index[bad.to_numpy()][:5]
            raise DataContractError(
                f"customer attributes column {column}: not a number for customer(s) {list(first)}"
            )
        aligned[column] = numbers.reindex(index.astype(str)).fillna(0.0).to_numpy()
    return aligned


def customer_value(
    summary: pd.DataFrame,
    attributes: pd.DataFrame | None = None,
    *,
    cost: CostToServe | None = None,
) -> pd.DataFrame:
    """Revenue, gross profit, cost to serve and net profit per customer.

    Returns:
        DataFrame indexed like ``summary`` with ``revenue``, ``gross_profit``,
        ``margin_assumed`` (True where ``gross_profit`` is revenue x default margin because
        no cost of goods was known), ``cost_to_serve``, ``net_profit`` and ``gross_margin``
        (gross profit / revenue, NaN when revenue is 0).
    """
    cost = cost or CostToServe()
    require_columns(summary, ("revenue", "order_count"), what="customer summary")
    revenue = pd.Series(finite_values(summary["revenue"], name="revenue"), index=summary.index)
    orders = finite_values(summary["order_count"], name="order_count")
    if "gross_profit" in summary.columns:
        gross = pd.to_numeric(summary["gross_profit"], errors="coerce").astype(float)
    else:
        gross = pd.Series(np.nan, index=summary.index)
    margin_assumed = gross.isna()
    gross = gross.where(~margin_assumed, revenue * cost.default_margin)
    extras = attributes_for(attributes, summary.index, ("cases", "interactions", "service_cost"))
    cost_to_serve = (
        cost.per_case * extras["cases"].to_numpy()
        + cost.per_interaction * extras["interactions"].to_numpy()
        + cost.per_order * orders
    )
    if cost.include_service_cost:
        cost_to_serve = cost_to_serve + extras["service_cost"].to_numpy()
    result = pd.DataFrame(
        {
            "revenue": revenue,
            "gross_profit": gross,
            "margin_assumed": margin_assumed,
            "cost_to_serve": cost_to_serve,
        },
        index=summary.index,
    )
    result["net_profit"] = result["gross_profit"] - result["cost_to_serve"]
    with np.errstate(divide="ignore", invalid="ignore"):
        result["gross_margin"] = np.where(revenue != 0, gross / revenue, np.nan)
    return result


def abc_classes(values: pd.Series, *, a_share: float = 0.80, b_share: float = 0.15) -> pd.Series:
    """ABC classes by cumulative share of value.

    Customers are sorted by value descending (ties: customer id ascending, so the result is
    deterministic). A customer is **A** while the value of the customers *before* it is below
    ``a_share`` of the total (so A are the customers making the first 80%), **B** while it is
    below ``a_share + b_share`` (the next 15%), else **C**. Customers with zero or negative
    value are always C, and shares are of the positive total.

    Returns:
        Categorical Series ("A", "B", "C") indexed like ``values``.
    """
    if not (0 < a_share < 1 and b_share >= 0 and a_share + b_share <= 1):
        raise ConfigurationError(
            f"ABC shares must satisfy 0 < a_share < 1 and a_share + b_share <= 1, "
            f"got a_share={a_share}, b_share={b_share}"
        )
    array = finite_values(values, name="values")
    positive = np.clip(array, 0.0, None)
    total = positive.sum()
    codes = np.full(array.size, 2, dtype=np.int8)  # 0 = A, 1 = B, 2 = C
    if total > 0:
        order = _descending_order(array, values.index)
        before = (np.cumsum(positive[order]) - positive[order]) / total
        # The tolerance keeps an exact 80% boundary (0.8 + 0.15 = 0.9500000000000001) exact.
        a_limit, b_limit = a_share - 1e-12, a_share + b_share - 1e-12
        ordered = np.where(before < a_limit, 0, np.where(before < b_limit, 1, 2))
        codes[order] = np.where(positive[order] > 0, ordered, 2)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=pd.Index(["A", "B", "C"])),
        index=values.index,
        name="abc_class",
    )


def _descending_order(array: np.ndarray, index: pd.Index) -> np.ndarray:
    """Positions sorted by value descending, ties by customer id ascending."""
    if index.is_monotonic_increasing:
        # Ids already ascending (the summary's order): a stable sort breaks ties by id.
        return np.argsort(-array, kind="stable")
    return np.lexsort((index.astype(str).to_numpy(), -array))


def profitability_classes(
    value: pd.DataFrame,
    *,
    trend: pd.Series | None = None,
    potential: pd.Series | None = None,
    rules: ProfitabilityRules | None = None,
) -> pd.Series:
    """Profitable / could become profitable by cross-sell or up-sell / never profitable.

    Rule table (first match wins), on the output of :func:`customer_value`:

    ==========================  ==========================================================
    class                       rule
    ==========================  ==========================================================
    ``profitable``              net profit > 0
    ``could_become_profitable`` gross profit > 0 (each extra sale adds margin) **and** at
                                least one of: purchase trend > 0; potential > 0 and at or
                                above the ``potential_quantile`` of all customers; the cost
                                to serve is covered if gross profit grows by at most
                                ``max_uplift`` times (cost_to_serve <= max_uplift x gross)
    ``never_profitable``        everything else (no margin to grow, or no sign of growth
                                and too far from covering its cost)
    ==========================  ==========================================================

    Args:
        value: output of :func:`customer_value` (``gross_profit``, ``net_profit``,
            ``cost_to_serve``).
        trend: optional purchase trend per customer, positive = growing (e.g.
            ``revenue_recent - revenue_previous`` from the summary).
        potential: optional potential value per customer (e.g. CLV).
        rules: thresholds; defaults in :class:`ProfitabilityRules`.

    Returns:
        Categorical Series named ``profitability_class``.
    """
    rules = rules or ProfitabilityRules()
    require_columns(
        value, ("gross_profit", "net_profit", "cost_to_serve"), what="customer value table"
    )
    gross = value["gross_profit"].to_numpy(dtype=float)
    net = value["net_profit"].to_numpy(dtype=float)
    serve = value["cost_to_serve"].to_numpy(dtype=float)
    growth_sign = serve <= rules.max_uplift * gross
    if trend is not None:
        growth_sign |= _aligned(trend, value.index, "trend") > 0
    if potential is not None:
        pot = _aligned(potential, value.index, "potential")
        growth_sign |= (pot > 0) & (pot >= np.quantile(pot, rules.potential_quantile))
    # Codes follow PROFITABILITY_LABELS_ZH: 0 profitable, 1 could become, 2 never.
    codes = np.where(net > 0, 0, np.where((gross > 0) & growth_sign, 1, 2)).astype(np.int8)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=pd.Index(list(PROFITABILITY_LABELS_ZH))),
        index=value.index,
        name="profitability_class",
    )


def _aligned(series: pd.Series, index: pd.Index, name: str) -> np.ndarray:
    """``series`` as floats in the order of ``index``; every customer must be present."""
    if series.index.equals(index):
        return finite_values(series, name=name)
    missing = index.difference(series.index)
    if missing.size:
        raise DataContractError(
            f"{name}: no value for {missing.size} customer(s), first: {list(missing[:5])}"
        )
    return finite_values(series.reindex(index), name=name)
