"""Concentration risk (风险意识): how much the company depends on a few customers.

Four views, all on plain per-customer Series indexed by ``customer_id``:

* :func:`concentration_shares` - the share of revenue and profit held by the top 1/5/10/20%;
* :func:`herfindahl_index` - the Herfindahl-Hirschman index of customer shares;
* :func:`dependency_alerts` - single customers above a share of revenue (default 10%);
* :func:`next_core_customers` - smaller customers with the highest potential, the pipeline of
  the next core customers.

Negative values (loss-making customers) count as zero in shares, as in
:mod:`paretocrm.analytics.pareto`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.pareto import DEFAULT_TOP_FRACTIONS, finite_values, top_shares

#: US DOJ/FTC horizontal-merger guideline bands on the 0..10000 scale (2010 edition), used
#: here only as readable words for the number.
HHI_BANDS: tuple[tuple[float, str], ...] = (
    (1500.0, "unconcentrated"),
    (2500.0, "moderately concentrated"),
    (float("inf"), "highly concentrated"),
)


@dataclass(frozen=True)
class HerfindahlIndex:
    """The Herfindahl-Hirschman index of customer shares s_i = v_i / sum(v).

    Attributes:
        hhi: sum of s_i squared, between 1/n (all equal) and 1 (one customer holds all).
        points: the same on the usual 0..10000 scale, sum of (100 * s_i) squared.
        normalised: (hhi - 1/n) / (1 - 1/n) in 0..1, comparable across customer counts
            (defined as 1.0 when there is a single customer).
        equivalent_customers: 1 / hhi, the number of equal-sized customers that would give
            the same concentration.
        n_customers: number of customers (including zero-value ones).
        level: "unconcentrated" / "moderately concentrated" / "highly concentrated".
    """

    hhi: float
    points: float
    normalised: float
    equivalent_customers: float
    n_customers: int
    level: str


def _shares(values: pd.Series, name: str) -> pd.Series:
    """Each customer's share of the total, negatives counted as zero."""
    array = np.clip(finite_values(values, name=name), 0.0, None)
    total = array.sum()
    if array.size == 0:
        raise DataContractError(f"{name}: no customers to analyse")
    if not total > 0:
        raise DataContractError(f"{name}: total value is zero; shares are undefined")
    return pd.Series(array / total, index=values.index, name="share")


def herfindahl_index(values: pd.Series, *, name: str = "revenue") -> HerfindahlIndex:
    """The Herfindahl-Hirschman index of the customers' shares of ``values``."""
    shares = _shares(values, name).to_numpy()
    n = shares.size
    hhi = float(np.square(shares).sum())
    # Floating error can put a perfectly even split a hair below 1/n; keep the documented range.
    hhi = min(1.0, max(hhi, 1.0 / n))
    normalised = 1.0 if n == 1 else (hhi - 1.0 / n) / (1.0 - 1.0 / n)
    points = hhi * 10_000.0
    level = next(label for bound, label in HHI_BANDS if points < bound)
    return HerfindahlIndex(
        hhi=hhi,
        points=points,
        normalised=min(1.0, max(0.0, normalised)),
        equivalent_customers=1.0 / hhi,
        n_customers=n,
        level=level,
    )


def concentration_shares(
    measures: Mapping[str, pd.Series],
    fractions: Sequence[float] = DEFAULT_TOP_FRACTIONS,
) -> pd.DataFrame:
    """Share of each measure held by the top fractions of customers.

    Args:
        measures: e.g. ``{"revenue": value.revenue, "net_profit": value.net_profit}``.
        fractions: customer fractions, default top 1/5/10/20%.

    Returns:
        DataFrame indexed by ``fraction`` with ``n_customers`` and one share column per
        measure (each customer ranked on that measure).
    """
    if not measures:
        raise ConfigurationError("concentration_shares needs at least one measure")
    table: pd.DataFrame | None = None
    for measure, series in measures.items():
        shares = top_shares(series, fractions, name=measure)
        if table is None:
            table = shares.rename(columns={"share": measure})
        else:
            table[measure] = shares["share"]
    assert table is not None  # at least one measure, checked above
    return table


def dependency_alerts(
    revenue: pd.Series, *, threshold: float = 0.10, name: str = "revenue"
) -> pd.DataFrame:
    """Customers whose share of revenue is above ``threshold`` (single-customer dependency).

    Returns:
        DataFrame indexed by customer with ``value``, ``share`` and ``message``, largest first;
        empty when nobody is above the threshold.
    """
    if not 0 < threshold < 1:
        raise ConfigurationError(f"dependency threshold must be in (0, 1), got {threshold}")
    shares = _shares(revenue, name)
    above = shares[shares > threshold].sort_values(ascending=False, kind="stable")
    table = pd.DataFrame({"value": revenue.loc[above.index].astype(float), "share": above})
    table["message"] = [
        f"customer {customer} holds {share:.1%} of {name} (threshold {threshold:.0%})"
        for customer, share in zip(table.index, table["share"], strict=True)
    ]
    return table


def next_core_customers(
    current_value: pd.Series,
    potential: pd.Series,
    *,
    top_fraction: float = 0.20,
    limit: int = 20,
) -> pd.DataFrame:
    """Smaller customers with the highest potential: the pipeline of the next core customers.

    A customer qualifies when it is *not* in the current top tier (the top ``top_fraction``
    of customers by ``current_value``) and has positive potential. Qualifying customers are
    ranked by ``potential`` descending (ties: larger current value first, then customer id).

    Args:
        current_value: current value per customer (e.g. net profit or revenue).
        potential: potential value per customer (e.g. CLV or predicted growth); same index.
        top_fraction: the share of customers counted as the current top tier.
        limit: how many candidates to return.

    Returns:
        DataFrame indexed by customer with ``current_value``, ``current_rank`` (1 = largest),
        ``potential``, ``potential_rank`` and ``potential_to_current`` (ratio, inf when the
        current value is not positive).
    """
    if not 0 < top_fraction < 1:
        raise ConfigurationError(f"top_fraction must be in (0, 1), got {top_fraction}")
    if limit < 1:
        raise ConfigurationError(f"limit must be at least 1, got {limit}")
    if not current_value.index.equals(potential.index):
        missing = current_value.index.symmetric_difference(potential.index)
        raise DataContractError(
            "current_value and potential must cover the same customers; "
            f"{missing.size} differ, first: {list(missing[:5])}"
        )
    current = finite_values(current_value, name="current_value")
    pot = finite_values(potential, name="potential")
    ids = current_value.index
    # Positions in customer-id order, so that every tie below is broken by id. Ids in
    # order already (the summary's): a stable sort on value alone breaks ties by position.
    in_id_order = bool(ids.is_monotonic_increasing)
    id_rank = np.arange(ids.size)
    if not in_id_order:
        id_rank[np.argsort(ids.astype(str).to_numpy(), kind="stable")] = np.arange(ids.size)
    by_value = (
        np.argsort(-current, kind="stable") if in_id_order else np.lexsort((id_rank, -current))
    )
    current_rank = np.empty(ids.size, dtype=np.int64)
    current_rank[by_value] = np.arange(1, ids.size + 1)
    top_count = max(1, int(np.ceil(top_fraction * ids.size - 1e-9)))
    candidates = np.flatnonzero((current_rank > top_count) & (pot > 0))
    chosen = candidates[np.lexsort((id_rank[candidates], -current[candidates], -pot[candidates]))]
    chosen = chosen[:limit]
    # "min" rank: customers with equal potential share the better rank.
    sorted_potential = np.sort(-pot)
    potential_rank = np.searchsorted(sorted_potential, -pot[chosen], side="left") + 1
    with np.errstate(divide="ignore"):
        ratio = np.where(current[chosen] > 0, pot[chosen] / current[chosen], np.inf)
    return pd.DataFrame(
        {
            "current_value": current[chosen],
            "current_rank": current_rank[chosen],
            "potential": pot[chosen],
            "potential_rank": potential_rank.astype(np.int64),
            "potential_to_current": ratio,
        },
        index=pd.Index(ids[chosen], name="customer_id"),
    )


@dataclass(frozen=True)
class ConcentrationReport:
    """The concentration-risk report in one object (see :func:`concentration_report`).

    Attributes:
        shares: top-fraction shares, one column per measure (:func:`concentration_shares`).
        revenue_hhi: Herfindahl-Hirschman index of revenue.
        profit_hhi: the same for profit, None without profit or with no positive profit.
        alerts: single-customer dependency alerts (:func:`dependency_alerts`).
        next_core: the next core customers (:func:`next_core_customers`), None without a
            potential.
    """

    shares: pd.DataFrame
    revenue_hhi: HerfindahlIndex
    profit_hhi: HerfindahlIndex | None
    alerts: pd.DataFrame
    next_core: pd.DataFrame | None


def concentration_report(
    revenue: pd.Series,
    profit: pd.Series | None = None,
    potential: pd.Series | None = None,
    *,
    fractions: Sequence[float] = DEFAULT_TOP_FRACTIONS,
    dependency_threshold: float = 0.10,
    top_fraction: float = 0.20,
    limit: int = 20,
) -> ConcentrationReport:
    """Shares, HHI, dependency alerts and next core customers in one call.

    ``profit`` enables the profit share column and HHI (skipped when no customer has a
    positive profit); ``potential`` enables the next-core-customer list, ranked against
    current profit when given, else revenue.
    """
    measures: dict[str, pd.Series] = {"revenue": revenue}
    profit_hhi = None
    if profit is not None and (finite_values(profit, name="profit") > 0).any():
        measures["profit"] = profit
        profit_hhi = herfindahl_index(profit, name="profit")
    next_core = None
    if potential is not None:
        current = profit if profit is not None else revenue
        next_core = next_core_customers(current, potential, top_fraction=top_fraction, limit=limit)
    return ConcentrationReport(
        shares=concentration_shares(measures, fractions),
        revenue_hhi=herfindahl_index(revenue, name="revenue"),
        profit_hhi=profit_hhi,
        alerts=dependency_alerts(revenue, threshold=dependency_threshold),
        next_core=next_core,
    )
