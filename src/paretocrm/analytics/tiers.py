"""Customer tiers from the value matrix, and tier migration between two snapshots.

The value matrix (价值矩阵) crosses a customer's *current value* with their *potential
value*; core customers (核心客户) are those high on both, the source documents' definition.
Both axes are percentile ranks from 0 to 100 (see :func:`value_axes`):

- current value: percentile rank of the key-account rating (or, without a rating, of net
  profit);
- potential value: percentile rank of the mean of two percentile ranks, predicted lifetime
  value (CLV) and growth (the customer's revenue trend); either alone when the other is
  missing.

Tiers, by the first rule that matches (thresholds in :class:`TierRules`):

| # | tier | zh | rule (defaults) |
| --- | --- | --- | --- |
| 1 | ``core`` | 核心客户 | current >= 80 and potential >= 50 |
| 2 | ``key`` | 重要客户 | current >= 60 |
| 3 | ``potential`` | 潜力客户 | potential >= 80 |
| 4 | ``ordinary`` | 普通客户 | current >= 30 |
| 5 | ``low_value`` | 低价值客户 | everything else |

For migration, tiers are ranked core > key > potential > ordinary > low_value: a move to a
higher-ranked tier is a rise, to a lower one a fall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.rating import percentile_rank

__all__ = [
    "TIERS",
    "TIER_LABELS_ZH",
    "TierMigration",
    "TierRules",
    "assign_tiers",
    "tier_migration",
    "value_axes",
]

TIERS: tuple[str, ...] = ("core", "key", "potential", "ordinary", "low_value")
TIER_LABELS_ZH: dict[str, str] = {
    "core": "核心客户",
    "key": "重要客户",
    "potential": "潜力客户",
    "ordinary": "普通客户",
    "low_value": "低价值客户",
}
_RANK = {tier: len(TIERS) - i for i, tier in enumerate(TIERS)}  # core 5 ... low_value 1


@dataclass(frozen=True)
class TierRules:
    """Cut-offs of the tier rule table, on the 0-100 percentile axes."""

    core_current: float = 80.0
    core_potential: float = 50.0
    key_current: float = 60.0
    potential_potential: float = 80.0
    ordinary_current: float = 30.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ConfigurationError(f"{item.name} must be a number, got {value!r}")
            if not 0 <= value <= 100:
                raise ConfigurationError(f"{item.name} must be between 0 and 100, got {value}")
        if not self.ordinary_current <= self.key_current <= self.core_current:
            raise ConfigurationError(
                "tier cut-offs must satisfy ordinary_current <= key_current <= core_current"
            )


def value_axes(
    *,
    rating: pd.Series | None = None,
    net_profit: pd.Series | None = None,
    clv: pd.Series | None = None,
    growth: pd.Series | None = None,
) -> pd.DataFrame:
    """Current and potential value (0-100 percentile ranks) of each customer.

    Current value comes from ``rating`` if given, else ``net_profit``; potential value from
    ``clv`` and ``growth`` (see the module docstring). Missing values score the neutral 50.
    """
    current_source = rating if rating is not None else net_profit
    if current_source is None:
        raise DataContractError("tiers need a rating or net profit for the current value")
    index = current_source.index
    current = percentile_rank(current_source.astype(float)).fillna(50.0)
    parts = [
        percentile_rank(series.reindex(index).astype(float))
        for series in (clv, growth)
        if series is not None and series.notna().any()
    ]
    if parts:
        combined = pd.concat(parts, axis=1).mean(axis=1, skipna=True)
        potential = percentile_rank(combined).fillna(50.0)
    else:
        potential = pd.Series(50.0, index=index)
    return pd.DataFrame({"current_value": current, "potential_value": potential}, index=index)


def assign_tiers(
    current_value: pd.Series, potential_value: pd.Series, rules: TierRules | None = None
) -> pd.Series:
    """Tier of each customer from the two value axes (0-100) by the rule table."""
    rules = rules or TierRules()
    current = current_value.to_numpy(dtype=float, na_value=np.nan)
    potential = potential_value.reindex(current_value.index).to_numpy(dtype=float, na_value=0.0)
    conditions = [
        (current >= rules.core_current) & (potential >= rules.core_potential),
        current >= rules.key_current,
        potential >= rules.potential_potential,
        current >= rules.ordinary_current,
    ]
    codes = np.select(conditions, [0, 1, 2, 3], default=4).astype(np.int8)
    tiers = pd.Categorical.from_codes(codes, categories=pd.Index(list(TIERS)))
    return pd.Series(tiers, index=current_value.index, name="tier")


@dataclass(frozen=True)
class TierMigration:
    """How customers moved between tiers from one snapshot to the next."""

    matrix: pd.DataFrame
    """Counts: rows = tier before (plus ``new``), columns = tier after (plus ``gone``)."""
    moves: pd.DataFrame
    """One row per customer in either snapshot: ``before``, ``after``, ``change``."""

    @property
    def rose(self) -> pd.DataFrame:
        """Customers who moved to a higher-ranked tier."""
        return self.moves[self.moves["change"] == "rose"]

    @property
    def fell(self) -> pd.DataFrame:
        """Customers who moved to a lower-ranked tier."""
        return self.moves[self.moves["change"] == "fell"]


def tier_migration(before: pd.Series, after: pd.Series) -> TierMigration:
    """Compare two tier snapshots (Series indexed by customer id).

    ``change`` is ``rose``, ``fell``, ``same``, ``new`` (only in ``after``) or ``gone`` (only
    in ``before``).
    """
    for name, series in (("before", before), ("after", after)):
        unknown = set(series.dropna().astype(str)) - set(TIERS)
        if unknown:
            raise DataContractError(
                f"tier snapshot {name!r} has unknown tiers: {', '.join(sorted(unknown))}"
            )
    frame = pd.concat(
        {"before": before.astype(object), "after": after.astype(object)}, axis=1, join="outer"
    )
    start = frame["before"].fillna("new").astype(str)
    end = frame["after"].fillna("gone").astype(str)
    rank_before = start.map(_RANK)
    rank_after = end.map(_RANK)
    change = np.select(
        [start == "new", end == "gone", rank_after > rank_before, rank_after < rank_before],
        ["new", "gone", "rose", "fell"],
        default="same",
    )
    moves = pd.DataFrame({"before": start, "after": end, "change": change}, index=frame.index)
    rows = [*TIERS, "new"]
    columns = [*TIERS, "gone"]
    matrix = pd.crosstab(moves["before"], moves["after"]).reindex(
        index=rows, columns=columns, fill_value=0
    )
    matrix.index.name, matrix.columns.name = "before", "after"
    return TierMigration(matrix=matrix, moves=moves)
