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

(*) compared with the window before, and only with at least ``min_previous_purchases``
purchase days in that window, so that a drop is measured against something.

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

__all__ = ["CHURN_REASON_CODES", "ChurnResult", "ChurnRules", "churn_warning"]

CHURN_REASON_CODES: tuple[str, ...] = (
    "P_ALIVE_LOW",
    "P_ALIVE_DROP",
    "PURCHASE_DROP",
    "REVENUE_DROP",
    "OVERDUE",
    "COMPLAINTS",
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

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ConfigurationError(f"{item.name} must be a number >= 0, got {value!r}")
            bounded = item.name.startswith("weight_") or item.name.endswith(("_low", "_drop"))
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
) -> ChurnResult:
    """Score churn risk for every customer of ``summary`` (see the module docstring).

    ``summary`` supplies the trend columns (``purchases_recent``/``purchases_previous``,
    ``revenue_recent``/``revenue_previous``) when present; ``attributes`` the optional
    ``overdue_receivables`` and ``open_complaints``.
    """
    rules = rules or ChurnRules()
    index = summary.index
    facts = _facts(summary, p_alive, p_alive_previous, attributes)
    fired = _signals(facts, rules)
    extra = np.ones(len(index))
    for code, weight in (
        ("PURCHASE_DROP", rules.weight_purchase_drop),
        ("REVENUE_DROP", rules.weight_revenue_drop),
        ("OVERDUE", rules.weight_overdue),
        ("COMPLAINTS", rules.weight_complaints),
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
    return {
        "P_ALIVE_LOW": values("p_alive") < rules.p_alive_low,
        "P_ALIVE_DROP": values("p_alive_previous") - values("p_alive") >= rules.p_alive_drop,
        "PURCHASE_DROP": base
        & (_drop(facts["purchases_recent"], facts["purchases_previous"]) >= rules.purchase_drop),
        "REVENUE_DROP": base
        & (_drop(facts["revenue_recent"], facts["revenue_previous"]) >= rules.revenue_drop),
        "OVERDUE": values("overdue_receivables") > rules.overdue_min,
        "COMPLAINTS": values("open_complaints") >= rules.complaints_min,
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
    if code == "OVERDUE":
        amount = row["overdue_receivables"]
        return f"逾期应收账款 {amount:,.2f}" if zh else f"overdue receivables {amount:,.2f}"
    count = int(row["open_complaints"])
    return f"{count} 个未结投诉" if zh else f"{count} open complaint{'s' if count != 1 else ''}"
