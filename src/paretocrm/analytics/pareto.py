"""Pareto analysis: how much of the value the top customers hold.

The Pareto curve (a Lorenz curve read from the top) plots the cumulative share of customers,
sorted by value descending, against the cumulative share of value they hold. The product's
central question - "do 20% of the customers make 80% of the profit?" - is read off it.

Values below zero (customers who lose money) are counted as zero: a share of a total only
means something for non-negative parts. Report losses separately (see
:mod:`paretocrm.analytics.value`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import DataContractError

#: The customer fractions the product reports by default (top 1%, 5%, 10%, 20%).
DEFAULT_TOP_FRACTIONS: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20)

FloatArray = npt.NDArray[np.float64]
ValuesLike = pd.Series | Sequence[float] | npt.NDArray[np.floating]


@dataclass(frozen=True)
class ParetoSummary:
    """The Pareto curve and the figures read from it.

    Attributes:
        curve: columns ``customer_share`` and ``value_share`` from (0, 0) to (1, 1).
        top_shares: per top fraction of customers, how many customers that is and the
            share of value they hold (see :func:`top_shares`).
        customer_share_for_80: the smallest share of customers holding 80% of the value.
        n_customers: number of customers analysed.
        total_value: sum of the (non-negative) values.
        n_negative: customers whose negative value was counted as zero.
    """

    curve: pd.DataFrame
    top_shares: pd.DataFrame
    customer_share_for_80: float
    n_customers: int
    total_value: float
    n_negative: int

    def headline(self) -> str:
        """One readable sentence, e.g. "18.2% of customers make 80% of the value"."""
        return f"{self.customer_share_for_80:.1%} of customers make 80% of the value"


def finite_values(values: ValuesLike, *, name: str = "values") -> FloatArray:
    """Return ``values`` as a float array, refusing NaN or infinite entries by name.

    Raises:
        DataContractError: naming ``name`` and the first bad positions (index labels for a
            Series), so the caller can find the customers.
    """
    if isinstance(values, pd.Series):
        try:
            array = values.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as error:
            raise DataContractError(
                f"{name}: values must be numbers ({error})", column=name
            ) from error
    else:
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise DataContractError(
                f"{name}: values must be numbers ({error})", column=name
            ) from error
    if array.ndim != 1:
        raise DataContractError(f"{name}: expected one value per customer, got {array.ndim}-D")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        # Labels are looked up only on failure: listing a million-row index costs time.
        labels = values.index if isinstance(values, pd.Series) else range(array.size)
        shown = ", ".join(f"{labels[i]!s}={array[i]}" for i in bad[:5])
        raise DataContractError(
            f"{name}: {bad.size} missing or infinite value(s), first: {shown}", column=name
        )
    return array


def _sorted_nonnegative(values: ValuesLike, name: str) -> tuple[FloatArray, int]:
    """Values clipped at zero and sorted descending, plus the count of clipped negatives."""
    array = finite_values(values, name=name)
    if array.size == 0:
        raise DataContractError(f"{name}: no customers to analyse")
    n_negative = int(np.count_nonzero(array < 0))
    clipped = np.clip(array, 0.0, None)
    if not clipped.sum() > 0:
        raise DataContractError(f"{name}: total value is zero; shares are undefined")
    return np.sort(clipped)[::-1], n_negative


def pareto_curve(
    values: ValuesLike, *, max_points: int | None = None, name: str = "values"
) -> pd.DataFrame:
    """Cumulative share of customers (descending by value) against cumulative share of value.

    Args:
        values: one value per customer (revenue, gross or net profit...).
        max_points: thin the curve to about this many points for charts (the first and last
            points are always kept); ``None`` keeps one point per customer.
        name: what the values are, for error messages.

    Returns:
        DataFrame with ``customer_share`` and ``value_share``, starting at (0, 0), ending at
        (1, 1), both non-decreasing.
    """
    ordered, _ = _sorted_nonnegative(values, name)
    n = ordered.size
    cumulative = np.concatenate(([0.0], np.cumsum(ordered)))
    value_share = cumulative / cumulative[-1]
    customer_share = np.arange(n + 1, dtype=np.float64) / n
    if max_points is not None:
        if max_points < 2:
            raise DataContractError(f"max_points must be at least 2, got {max_points}")
        if n + 1 > max_points:
            keep = np.unique(np.linspace(0, n, max_points).round().astype(np.int64))
            customer_share, value_share = customer_share[keep], value_share[keep]
    # Rounding can leave the last cumulative share a hair away from 1; pin the end point.
    value_share = np.minimum(value_share, 1.0)
    value_share[-1] = 1.0
    return pd.DataFrame({"customer_share": customer_share, "value_share": value_share})


def _top_counts(n: int, fractions: Sequence[float]) -> list[int]:
    """How many customers "the top f" means: ceil(f * n), at least one."""
    counts = []
    for fraction in fractions:
        if not 0 < fraction <= 1:
            raise DataContractError(f"top fraction must be in (0, 1], got {fraction}")
        # The small tolerance stops 0.1 * 30 = 3.0000000000000004 becoming 4 customers.
        counts.append(max(1, math.ceil(fraction * n - 1e-9)))
    return counts


def top_shares(
    values: ValuesLike,
    fractions: Sequence[float] = DEFAULT_TOP_FRACTIONS,
    *,
    name: str = "values",
) -> pd.DataFrame:
    """Share of the total value held by the top fractions of customers.

    "Top 10%" means the ``ceil(0.10 * n)`` customers with the highest value (at least one),
    so the figure is always about whole customers a manager can name.

    Returns:
        DataFrame indexed by ``fraction`` with ``n_customers`` and ``share`` (0..1).
    """
    ordered, _ = _sorted_nonnegative(values, name)
    cumulative = np.cumsum(ordered)
    counts = _top_counts(ordered.size, fractions)
    shares = [min(1.0, cumulative[count - 1] / cumulative[-1]) for count in counts]
    index = pd.Index([float(f) for f in fractions], name="fraction")
    return pd.DataFrame({"n_customers": counts, "share": shares}, index=index)


def customer_share_for_value(
    values: ValuesLike, share: float = 0.8, *, name: str = "values"
) -> float:
    """The smallest share of customers (top by value) whose value reaches ``share`` of the total.

    ``customer_share_for_value(profit, 0.8) == 0.2`` is the textbook 80/20 rule.
    """
    if not 0 < share <= 1:
        raise DataContractError(f"share must be in (0, 1], got {share}")
    ordered, _ = _sorted_nonnegative(values, name)
    cumulative = np.cumsum(ordered) / ordered.sum()
    # Tolerance so that floating error on an exact 80% does not need one more customer.
    count = int(np.searchsorted(cumulative, share - 1e-12, side="left")) + 1
    return min(count, ordered.size) / ordered.size


def pareto_analysis(
    values: ValuesLike,
    *,
    fractions: Sequence[float] = DEFAULT_TOP_FRACTIONS,
    max_points: int | None = 1001,
    name: str = "values",
) -> ParetoSummary:
    """Everything the Pareto view needs in one call (curve thinned for charts by default)."""
    array = finite_values(values, name=name)
    clipped_total = float(np.clip(array, 0.0, None).sum())
    return ParetoSummary(
        curve=pareto_curve(array, max_points=max_points, name=name),
        top_shares=top_shares(array, fractions, name=name),
        customer_share_for_80=customer_share_for_value(array, 0.8, name=name),
        n_customers=int(array.size),
        total_value=clipped_total,
        n_negative=int(np.count_nonzero(array < 0)),
    )
