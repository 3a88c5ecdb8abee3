"""Churn early warning (客户流失预警): who is leaving, how much value goes with them, and why.

A customer is flagged when at least one signal fires (thresholds in :class:`ChurnRules`):

| code | signal |
| --- | --- |
| ``P_ALIVE_LOW`` | model P(alive) below ``p_alive_low`` |
| ``P_ALIVE_DROP`` | P(alive) fell by ``p_alive_drop`` or more since the previous snapshot |
| ``PURCHASE_DROP`` | purchase days in the last trend window fell ``purchase_drop`` (*) |
| ``REVENUE_DROP`` | revenue in the last trend window fell ``revenue_drop`` or more (*) |
| ``OVERDUE`` | overdue receivables above ``overdue_min`` (attribute ``overdue_receivables``) |
| ``COMPLAINTS`` | at least ``complaints_min`` open complaints (attribute ``open_complaints``) |
| ``LAPSED`` | silent for ``lapse_cycles`` of the customer's usual gaps between orders (**) |

(*) compared with the window before, and only with at least ``min_previous_purchases``
purchase days in that window, so that a drop is measured against something. A revenue drop
counts only when the customer is also ``late_cycles`` usual gaps behind their own rhythm
(or the rhythm is unknown): a steady buyer still ordering on time whose last window held
smaller orders is not leaving.

(**) the time since the last purchase against the customer's own mean gap between purchase
days, or the book's typical gap for customers with fewer than three purchase days
(:mod:`~paretocrm.analytics.rhythm`), and at least ``lapse_min_days``. The reason quotes
both: "no order for 7.0 months, 8.1x its usual gap of 0.9 months".

Risk: ``churn_risk = 1 - P(alive) * prod(1 - weight_k)`` over the signals ``k`` that fired
other than the P(alive) ones (``P_ALIVE_*`` are already in P(alive)); it is between 0 and 1,
equals ``1 - P(alive)`` when nothing else is wrong, and grows with every extra signal.
``value_at_risk = value * churn_risk`` where ``value`` is what the customer brings (the
pipeline uses trailing revenue: the last two trend windows); warnings are ranked by it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.rhythm import order_rhythm

_UNIT_DAYS = {"D": 1.0, "W": 7.0}
_DAYS_PER_MONTH = 30.4375

__all__ = ["CHURN_REASON_CODES", "ChurnResult", "ChurnRules", "churn_warning"]

CHURN_REASON_CODES: tuple[str, ...] = (
    "P_ALIVE_LOW",
    "P_ALIVE_DROP",
    "PURCHASE_DROP",
    "REVENUE_DROP",
    "OVERDUE",
    "COMPLAINTS",
    "LAPSED",
)


@dataclass(frozen=True)
class ChurnRules:
    """Thresholds and risk weights of the churn signals (see the module docstring)."""

    p_alive_low: float = 0.5
    p_alive_drop: float = 0.2
    purchase_drop: float = 0.5
    revenue_drop: float = 0.5
    min_previous_purchases: int = 2
    overdue_min: float = 0.0
    complaints_min: int = 1
    weight_purchase_drop: float = 0.3
    weight_revenue_drop: float = 0.2
    weight_overdue: float = 0.2
    weight_complaints: float = 0.15
    lapse_cycles: float = 3.0
    lapse_min_days: float = 30.0
    late_cycles: float = 1.5
    weight_lapsed: float = 0.5

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ConfigurationError(f"{item.name} must be a number >= 0, got {value!r}")
            bounded = item.name.startswith("weight_") or item.name.endswith(("_low", "_drop"))
            bounded = bounded and item.name not in ("lapse_cycles", "late_cycles")
            if bounded and value > 1:
                raise ConfigurationError(f"{item.name} must be between 0 and 1, got {value}")


@dataclass(frozen=True)
class ChurnResult:
    """Churn risk of every customer, and the facts behind each warning."""

    scores: pd.DataFrame
    """Per customer: ``churn_risk``, ``value_at_risk``, ``churn_reasons`` (codes joined by
    ``;``, empty when none fired) and ``churn_warning`` (bool)."""
    facts: pd.DataFrame
    """The figures the reasons quote (P(alive), trends, overdue amount, complaints)."""
    rules: ChurnRules

    def warnings(self, top: int | None = None, *, language: str = "en") -> pd.DataFrame:
        """Flagged customers by value at risk, each with its readable reasons."""
        flagged = self.scores[self.scores["churn_warning"]]
        flagged = flagged.sort_values("value_at_risk", ascending=False, kind="stable")
        if top is not None:
            flagged = flagged.head(top)
        facts = self.facts.loc[flagged.index]
        texts = [
            "; ".join(_reason_text(code, row, self.rules, language) for code in codes.split(";"))
            for codes, (_, row) in zip(flagged["churn_reasons"], facts.iterrows(), strict=True)
        ]
        return flagged.assign(reason_text=texts)


def churn_warning(
    summary: pd.DataFrame,
    *,
    p_alive: pd.Series,
    value: pd.Series,
    p_alive_previous: pd.Series | None = None,
    attributes: pd.DataFrame | None = None,
    rules: ChurnRules | None = None,
    unit: str = "W",
) -> ChurnResult:
    """Score churn risk for every customer of ``summary`` (see the module docstring).

    ``summary`` supplies the trend columns (``purchases_recent``/``purchases_previous``,
    ``revenue_recent``/``revenue_previous``) when present; ``attributes`` the optional
    ``overdue_receivables`` and ``open_complaints``; ``unit`` is the summary's time unit
    (``"W"`` or ``"D"``) for the order rhythm.
    """
    rules = rules or ChurnRules()
    index = summary.index
    facts = _facts(summary, p_alive, p_alive_previous, attributes, _UNIT_DAYS.get(unit, 7.0))
    fired = _signals(facts, rules)
    extra = np.ones(len(index))
    for code, weight in (
        ("PURCHASE_DROP", rules.weight_purchase_drop),
        ("REVENUE_DROP", rules.weight_revenue_drop),
        ("OVERDUE", rules.weight_overdue),
        ("COMPLAINTS", rules.weight_complaints),
        ("LAPSED", rules.weight_lapsed),
    ):
        extra *= np.where(fired[code], 1.0 - weight, 1.0)
    alive = np.clip(facts["p_alive"].to_numpy(dtype=float, na_value=1.0), 0.0, 1.0)
    risk = 1.0 - alive * extra
    worth = value.reindex(index).to_numpy(dtype=float, na_value=0.0)
    mask = np.zeros(len(index), dtype=np.int64)
    for bit, code in enumerate(CHURN_REASON_CODES):
        mask |= fired[code].astype(np.int64) << bit
    scores = pd.DataFrame(
        {
            "churn_risk": risk,
            "value_at_risk": np.maximum(worth, 0.0) * risk,
            "churn_reasons": _mask_labels(mask),
            "churn_warning": mask > 0,
        },
        index=index,
    )
    return ChurnResult(scores=scores, facts=facts, rules=rules)


def _facts(
    summary: pd.DataFrame,
    p_alive: pd.Series,
    p_alive_previous: pd.Series | None,
    attributes: pd.DataFrame | None,
    days_per_unit: float,
) -> pd.DataFrame:
    index = summary.index
    if len(p_alive) != len(index):
        raise DataContractError(
            f"p_alive has {len(p_alive)} values but the summary has {len(index)} customers"
        )

    def column(frame: pd.DataFrame | None, name: str) -> pd.Series:
        if frame is not None and name in frame.columns:
            return pd.to_numeric(frame[name].reindex(index), errors="coerce").astype(float)
        return pd.Series(np.nan, index=index, dtype=float)

    rhythm = order_rhythm(summary, days_per_unit)
    previous = (
        p_alive_previous.reindex(index).astype(float)
        if p_alive_previous is not None
        else pd.Series(np.nan, index=index, dtype=float)
    )
    return pd.DataFrame(
        {
            "p_alive": p_alive.reindex(index).astype(float),
            "p_alive_previous": previous,
            "purchases_recent": column(summary, "purchases_recent"),
            "purchases_previous": column(summary, "purchases_previous"),
            "revenue_recent": column(summary, "revenue_recent"),
            "revenue_previous": column(summary, "revenue_previous"),
            "overdue_receivables": column(attributes, "overdue_receivables"),
            "open_complaints": column(attributes, "open_complaints"),
            "seasonal_pause": column(summary, "seasonal_pause").fillna(0.0),
            "longest_gap_days": column(summary, "longest_gap_days"),
            **{name: rhythm[name] for name in ("gap_days", "cycle_days", "overdue", "own")},
        },
        index=index,
    )


def _drop(now: pd.Series, before: pd.Series) -> npt.NDArray[np.float64]:
    """Relative fall ``1 - now / before`` (NaN when there was nothing before)."""
    b = before.to_numpy(dtype=float, na_value=np.nan)
    n = now.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, 1.0 - n / b, np.nan)


def _signals(facts: pd.DataFrame, rules: ChurnRules) -> dict[str, npt.NDArray[np.bool_]]:
    def values(name: str) -> npt.NDArray[np.float64]:
        return facts[name].to_numpy(dtype=float, na_value=np.nan)

    base = values("purchases_previous") >= rules.min_previous_purchases
    # A revenue drop counts only when the customer is behind their rhythm (or it is unknown):
    # smaller orders placed on time are not a customer leaving.
    # A seasonal buyer in its off-season (the same pause a year earlier, see
    # rhythm.late_history) is neither lapsed nor late.
    in_season = values("seasonal_pause") < 1
    # Nor is one silent for no longer than a pause they took before and came back from.
    unprecedented = ~(values("gap_days") <= values("longest_gap_days"))
    late = ~(values("overdue") < rules.late_cycles) & in_season & unprecedented
    lapsed = (
        (values("overdue") >= rules.lapse_cycles)
        & (values("gap_days") >= rules.lapse_min_days)
        & in_season
        & unprecedented
    )
    return {
        "P_ALIVE_LOW": values("p_alive") < rules.p_alive_low,
        "P_ALIVE_DROP": values("p_alive_previous") - values("p_alive") >= rules.p_alive_drop,
        "PURCHASE_DROP": base
        & in_season
        & (_drop(facts["purchases_recent"], facts["purchases_previous"]) >= rules.purchase_drop),
        "REVENUE_DROP": base
        & late
        & (_drop(facts["revenue_recent"], facts["revenue_previous"]) >= rules.revenue_drop),
        "OVERDUE": values("overdue_receivables") > rules.overdue_min,
        "COMPLAINTS": values("open_complaints") >= rules.complaints_min,
        "LAPSED": lapsed,
    }


def _mask_labels(mask: npt.NDArray[np.int64]) -> pd.Categorical[str]:
    """Reason codes joined by ';' for each bit mask (at most 64 distinct labels)."""
    labels = [
        ";".join(code for bit, code in enumerate(CHURN_REASON_CODES) if value >> bit & 1)
        for value in range(1 << len(CHURN_REASON_CODES))
    ]
    return pd.Categorical.from_codes(mask, categories=pd.Index(labels))


def _reason_text(code: str, row: pd.Series, rules: ChurnRules, language: str) -> str:
    zh = language.startswith("zh")
    p_now, p_before = row["p_alive"], row["p_alive_previous"]
    if code == "P_ALIVE_LOW":
        if zh:
            return f"存活概率 {p_now:.2f} 低于 {rules.p_alive_low:.2f}"
        return f"P(alive) {p_now:.2f} below {rules.p_alive_low:.2f}"
    if code == "P_ALIVE_DROP":
        if zh:
            return f"存活概率由 {p_before:.2f} 降至 {p_now:.2f}"
        return f"P(alive) fell from {p_before:.2f} to {p_now:.2f}"
    if code in ("PURCHASE_DROP", "REVENUE_DROP"):
        kind = "purchases" if code == "PURCHASE_DROP" else "revenue"
        now, before = row[f"{kind}_recent"], row[f"{kind}_previous"]
        pct = round((1 - now / before) * 100)
        if zh:
            what = "购买天数" if kind == "purchases" else "购买金额"
            return f"{what}较上一周期下降 {pct}%（{before:,.0f} → {now:,.0f}）"
        what = "purchase days" if kind == "purchases" else "revenue"
        return f"{what} fell {pct}% vs the previous window ({before:,.0f} -> {now:,.0f})"
    if code == "LAPSED":
        return _lapsed_text(row, zh)
    if code == "OVERDUE":
        amount = row["overdue_receivables"]
        return f"逾期应收账款 {amount:,.2f}" if zh else f"overdue receivables {amount:,.2f}"
    count = int(row["open_complaints"])
    return f"{count} 个未结投诉" if zh else f"{count} open complaint{'s' if count != 1 else ''}"


def _lapsed_text(row: pd.Series, zh: bool) -> str:
    gap = row["gap_days"] / _DAYS_PER_MONTH
    cycle = row["cycle_days"] / _DAYS_PER_MONTH
    times = row["overdue"]
    own = bool(row["own"])
    if zh:
        whose = "平时间隔" if own else "客户群通常间隔"
        return f"已 {gap:.1f} 个月未下单，是{whose}（{cycle:.1f} 个月）的 {times:.1f} 倍"
    whose = "its usual gap" if own else "the book's usual gap"
    return f"no order for {gap:.1f} months, {times:.1f}x {whose} of {cycle:.1f} months"
