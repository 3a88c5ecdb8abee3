"""Customer tiers from the value matrix, and tier migration between two snapshots.

The value matrix (价值矩阵) crosses a customer's *current value* with their *potential
value*; core customers (核心客户) are those high on both, the source documents' definition.
Both axes are percentile ranks from 0 to 100 (see :func:`value_axes`):

- current value: percentile rank of the key-account rating (or, without a rating, of net
  profit);
- potential value: percentile rank of the weighted mean of two percentile ranks, predicted
  lifetime value (CLV, weight 2/3) and growth (the customer's revenue trend, weight 1/3);
  either alone when the other is missing. CLV carries more: it is the model's forecast from
  the whole history, while one window's revenue trend is noise for a B2B customer with
  large irregular orders (a steady buyer whose last half-year held smaller orders must not
  drop out of core for it).

Tiers, by the first rule that matches (thresholds in :class:`TierRules`):

| # | tier | zh | rule (defaults) |
| --- | --- | --- | --- |
| 1 | ``core`` | 核心客户 | current >= 80 and potential >= 50 |
| 2 | ``key`` | 重要客户 | current >= 60 |
| 3 | ``potential`` | 潜力客户 | potential >= 80 |
| 4 | ``ordinary`` | 普通客户 | current >= 30 |
| 5 | ``low_value`` | 低价值客户 | everything else |

Core is the only tier that needs both axes high; every other tier is decided by one axis,
and the explanation (:func:`tier_reasons`) says which axis put the customer there and
which one kept them out of the tier above, e.g. "current value 72 >= 60; potential value
41 < 50 keeps it out of core".

For migration, tiers are ranked core > key > potential > ordinary > low_value: a move to a
higher-ranked tier is a rise, to a lower one a fall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

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
    "tier_explanation_facts",
    "tier_migration",
    "tier_reasons",
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
#: Weight of the CLV percentile in potential value (growth has the rest); see the docstring.
POTENTIAL_CLV_WEIGHT = 2 / 3
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
        (percentile_rank(series.reindex(index).astype(float)), weight)
        for series, weight in ((clv, POTENTIAL_CLV_WEIGHT), (growth, 1 - POTENTIAL_CLV_WEIGHT))
        if series is not None and series.notna().any()
    ]
    if parts:
        ranks = pd.concat([rank for rank, _ in parts], axis=1).to_numpy(dtype=float)
        weights = np.asarray([weight for _, weight in parts])
        present = ~np.isnan(ranks)
        with np.errstate(invalid="ignore"):
            mean = np.nansum(ranks * weights, axis=1) / (present * weights).sum(axis=1)
        potential = percentile_rank(pd.Series(mean, index=index)).fillna(50.0)
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


def tier_reasons(
    tiers: pd.Series,
    current_value: pd.Series,
    potential_value: pd.Series,
    rules: TierRules | None = None,
) -> pd.DataFrame:
    """Why each customer is in their tier: the axis and cut-off that put them there, and
    the one that kept them out of the tier above (English ``tier_reason`` and Chinese
    ``tier_reason_zh``). Texts are built once per distinct (tier, rounded axes)."""
    rules = rules or TierRules()
    current = np.rint(current_value.reindex(tiers.index).to_numpy(dtype=float, na_value=0.0))
    potential = np.rint(potential_value.reindex(tiers.index).to_numpy(dtype=float, na_value=0.0))
    codes = pd.Categorical(tiers.astype(str), categories=list(TIERS)).codes.astype(np.int64)
    keys = (codes * 101 + current.astype(np.int64)) * 101 + potential.astype(np.int64)
    at, unique = pd.factorize(keys)
    texts = [_tier_reason(int(key), rules) for key in unique]
    en = np.asarray([text[0] for text in texts], dtype=object)[at]
    zh = np.asarray([text[1] for text in texts], dtype=object)[at]
    return pd.DataFrame({"tier_reason": en, "tier_reason_zh": zh}, index=tiers.index)


def tier_explanation_facts(
    tier: str, current: float, potential: float, rules: TierRules | None = None
) -> dict[str, Any]:
    """Why a customer is in ``tier``, as data an application words in any language.

    ``{"tier": ..., "clauses": [...]}``; each clause compares one axis with one cut-off of
    the rule table: ``{"axis": "current" | "potential", "value": rounded axis value,
    "op": ">=" | "<", "cut": cut-off}``, plus ``"keeps_out_of": "core"`` on the clause
    that kept a key customer out of core. The first clause is the axis that put the
    customer in the tier; core's two clauses are the seeds' rule (high on both).
    """
    rules = rules or TierRules()

    def clause(axis: str, cut: float, **extra: str) -> dict[str, Any]:
        value = current if axis == "current" else potential
        op = ">=" if value >= cut else "<"
        return {"axis": axis, "value": round(value), "op": op, "cut": float(cut), **extra}

    if tier == "core":
        clauses = [clause("current", rules.core_current), clause("potential", rules.core_potential)]
    elif tier == "key":
        blocker = "potential" if current >= rules.core_current else "current"
        blocking_cut = rules.core_potential if blocker == "potential" else rules.core_current
        clauses = [
            clause("current", rules.key_current),
            clause(blocker, blocking_cut, keeps_out_of="core"),
        ]
    elif tier == "potential":
        clauses = [
            clause("potential", rules.potential_potential),
            clause("current", rules.key_current),
        ]
    elif tier == "ordinary":
        clauses = [
            clause("current", rules.ordinary_current),
            clause("current", rules.key_current),
            clause("potential", rules.potential_potential),
        ]
    else:
        clauses = [
            clause("current", rules.ordinary_current),
            clause("potential", rules.potential_potential),
        ]
    return {"tier": tier, "clauses": clauses}


def _tier_reason(key: int, rules: TierRules) -> tuple[str, str]:
    rest, potential = divmod(key, 101)
    code, current = divmod(rest, 101)
    tier = TIERS[code]
    cur_en, pot_en = f"current value {current}", f"potential value {potential}"
    cur_zh, pot_zh = f"当前价值 {current}", f"潜在价值 {potential}"

    def compare(value: int, cut: float) -> str:
        return ">=" if value >= cut else "<"

    def cut(value: float) -> str:
        return f"{value:g}"

    if tier == "core":
        return (
            f"{cur_en} >= {cut(rules.core_current)} and {pot_en} >= {cut(rules.core_potential)}",
            f"{cur_zh} ≥ {cut(rules.core_current)} 且{pot_zh} ≥ {cut(rules.core_potential)}",
        )
    if tier == "key":
        if current >= rules.core_current:
            why_en = f"{pot_en} < {cut(rules.core_potential)} keeps it out of core"
            why_zh = f"{pot_zh} < {cut(rules.core_potential)}，未达核心客户"
        else:
            why_en = f"{cur_en} < {cut(rules.core_current)} keeps it out of core"
            why_zh = f"{cur_zh} < {cut(rules.core_current)}，未达核心客户"
        return (
            f"{cur_en} >= {cut(rules.key_current)}; {why_en}",
            f"{cur_zh} ≥ {cut(rules.key_current)}；{why_zh}",
        )
    if tier == "potential":
        return (
            f"{pot_en} >= {cut(rules.potential_potential)}; {cur_en} < {cut(rules.key_current)}",
            f"{pot_zh} ≥ {cut(rules.potential_potential)}；{cur_zh} < {cut(rules.key_current)}",
        )
    if tier == "ordinary":
        return (
            f"{cur_en} >= {cut(rules.ordinary_current)} but < {cut(rules.key_current)}; "
            f"{pot_en} {compare(potential, rules.potential_potential)} "
            f"{cut(rules.potential_potential)}",
            f"{cur_zh} ≥ {cut(rules.ordinary_current)} 但 < {cut(rules.key_current)}；"
            f"{pot_zh} < {cut(rules.potential_potential)}",
        )
    return (
        f"{cur_en} < {cut(rules.ordinary_current)} and {pot_en} < {cut(rules.potential_potential)}",
        f"{cur_zh} < {cut(rules.ordinary_current)} 且{pot_zh} < {cut(rules.potential_potential)}",
    )


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
