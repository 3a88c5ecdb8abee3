"""Account health (客户健康度): a 0-100 score per customer from signals a manager can read.

Unlike the rating (a rank among the book's customers), health is absolute: each signal is
scored 0-100 against fixed anchors, so "below 40" means the same on every book and a
customer's health moves only when the customer (or the weights) do.

| signal | raw value (column of the signals frame) | score 0-100 |
| --- | --- | --- |
| ``p_alive`` | model P(alive), 0-1 | ``100 * p`` |
| ``rhythm`` | time since the last order in usual gaps (:mod:`.rhythm`) | (*) |
| ``value_trend`` | revenue change, last trend window vs the one before | (**) |
| ``receivables`` | overdue receivables / revenue of the last two windows | (***) |
| ``complaints`` | open complaints | ``100 * 0.5 ** n`` |
| ``sla_breaches`` | open cases past their SLA time | ``100 * 0.5 ** n`` |
| ``satisfaction`` | mean survey answer on 0-1 (CSAT 1-5, NPS 0-10 rescaled) | ``100 * s`` |
| ``contact_coverage`` | active contacts | 0, 1, 2, 3+: 0, 25, 70, 100 |

(*) 100 up to one usual gap, 0 from ``rhythm_zero_cycles`` gaps, linear between.
(**) ``100 * clip(1 + trend, 0, 1)``: flat or growing 100, halved 50, nothing 0.
(***) 100 without, 0 from ``receivables_zero_share``, linear between. One contact only is
a single-threaded account: whoever leaves takes the relationship.

Missing values: a signal whose column is absent (or empty for everyone) is dropped from the
book; a customer without a value of a kept signal (no survey answered, no rhythm yet) is
scored on the other signals, their weights renormalised for that customer. So nobody is
punished for a survey never sent.

``health = sum_s w_s * score_s / sum_s w_s`` over the customer's available signals. The
reasons are the signals that cost the most points, ``w_s * (100 - score_s) / sum w``, largest
first: facts (signal key, raw value, points lost) that the app words in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.rhythm import order_rhythm

__all__ = [
    "DEFAULT_HEALTH_WEIGHTS",
    "HEALTH_SIGNALS",
    "HealthAUC",
    "HealthResult",
    "HealthRules",
    "HealthSignal",
    "account_health",
    "health_auc",
    "health_signals",
    "roc_auc",
]


class HealthSignal(NamedTuple):
    """One health signal: its key and English label (pages word it themselves)."""

    name: str
    label_en: str


HEALTH_SIGNALS: tuple[HealthSignal, ...] = (
    HealthSignal("p_alive", "P(alive)"),
    HealthSignal("rhythm", "order rhythm"),
    HealthSignal("value_trend", "value trend"),
    HealthSignal("receivables", "overdue receivables"),
    HealthSignal("complaints", "open complaints"),
    HealthSignal("sla_breaches", "SLA breaches"),
    HealthSignal("satisfaction", "satisfaction"),
    HealthSignal("contact_coverage", "contact coverage"),
)
_NAMES = tuple(signal.name for signal in HEALTH_SIGNALS)

#: Default weights (only ratios matter); defaults.toml ``[health.weights]`` repeats them.
DEFAULT_HEALTH_WEIGHTS: Mapping[str, float] = {
    "p_alive": 25.0,
    "rhythm": 20.0,
    "value_trend": 10.0,
    "receivables": 15.0,
    "complaints": 10.0,
    "sla_breaches": 5.0,
    "satisfaction": 10.0,
    "contact_coverage": 5.0,
}
#: Score of 0, 1, 2 active contacts (three or more: 100).
_CONTACT_SCORES = (0.0, 25.0, 70.0)
#: A signal costing fewer points than this is not a reason.
_MIN_REASON_POINTS = 1.0

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class HealthRules:
    """Weights, anchors and the alert threshold of the health score (``[health]``)."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_HEALTH_WEIGHTS))
    #: Health below this raises a task (the app's work queue).
    alert_below: float = 40.0
    #: Silent for this many of the customer's usual gaps scores 0 on rhythm.
    rhythm_zero_cycles: float = 3.0
    #: Overdue receivables of this share of the last two windows' revenue score 0.
    receivables_zero_share: float = 0.25
    #: Reasons kept per customer.
    max_reasons: int = 3

    def __post_init__(self) -> None:
        checked_health_weights(self.weights)
        if not 0 <= self.alert_below <= 100:
            raise ConfigurationError("alert_below must be between 0 and 100")
        if self.rhythm_zero_cycles <= 1:
            raise ConfigurationError("rhythm_zero_cycles must be > 1")
        if self.receivables_zero_share <= 0:
            raise ConfigurationError("receivables_zero_share must be > 0")
        if self.max_reasons < 1:
            raise ConfigurationError("max_reasons must be >= 1")


def checked_health_weights(weights: Mapping[str, Any]) -> dict[str, float]:
    """``weights`` as floats; unknown signals, negative or non-numbers and all-zero refused."""
    checked: dict[str, float] = {}
    for name, value in weights.items():
        if name not in _NAMES:
            raise ConfigurationError(f"unknown health signal {name!r}; known: {', '.join(_NAMES)}")
        try:
            weight = float(value)
        except (TypeError, ValueError):
            raise ConfigurationError(f"health weight {name!r} must be a number") from None
        if not np.isfinite(weight) or weight < 0:
            raise ConfigurationError(f"health weight {name!r} must be >= 0, got {value!r}")
        checked[name] = weight
    if sum(checked.values()) <= 0:
        raise ConfigurationError("health weights must not all be 0")
    return checked


@dataclass(frozen=True)
class HealthResult:
    """Health per customer with the signal scores and weights that explain it."""

    health: pd.Series
    """0-100 per customer (NaN only when a customer has no signal at all)."""
    scores: pd.DataFrame
    """0-100 score of every kept signal (NaN where the customer has no value)."""
    raw: pd.DataFrame
    """The raw signal values the scores came from."""
    weights: pd.Series
    """Weights of the kept signals, summing to 1 over the book."""
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def points_lost(self) -> pd.DataFrame:
        """Points of the 100 each signal costs each customer (rows sum to ``100 - health``)."""
        available = self.scores.notna()
        weight = available.mul(self.weights, axis=1)
        total = weight.sum(axis=1).replace(0.0, np.nan)
        return (100.0 - self.scores).mul(weight).div(total, axis=0).fillna(0.0)

    def reasons(self, max_reasons: int = 3) -> list[list[dict[str, float | str | None]]]:
        """Per customer (in index order), the signals that cost most: ``signal``, ``value``
        (the raw value, None when infinite) and ``points`` (lost), largest first, each at
        least 1 point."""
        lost = self.points_lost
        names = np.array(list(lost.columns), dtype=object)
        points = lost.to_numpy(dtype=float)
        raw = self.raw.reindex(columns=list(lost.columns)).to_numpy(dtype=float)
        order = np.argsort(-points, axis=1, kind="stable")[:, :max_reasons]
        rows = np.arange(len(points))[:, None]
        top_points = np.round(points[rows, order], 1)
        top_raw = raw[rows, order]
        # JSON has no infinity: overdue money without revenue is stored as None (NaN here).
        with np.errstate(invalid="ignore"):
            top_raw = np.where(np.isfinite(top_raw), np.round(top_raw, 4), np.nan)
        keep = points[rows, order] >= _MIN_REASON_POINTS
        # Whole rows as Python lists at once: indexing numpy per value took a minute at 1M.
        out: list[list[dict[str, float | str | None]]] = []
        for signals, values, lost_points, kept in zip(
            names[order].tolist(),
            top_raw.tolist(),
            top_points.tolist(),
            keep.tolist(),
            strict=True,
        ):
            out.append(
                [
                    {"signal": signal, "value": None if value != value else value, "points": pts}
                    for signal, value, pts, ok in zip(
                        signals, values, lost_points, kept, strict=True
                    )
                    if ok
                ]
            )
        return out


def health_signals(
    summary: pd.DataFrame,
    p_alive: pd.Series,
    attributes: pd.DataFrame | None = None,
    *,
    days_per_unit: float,
) -> pd.DataFrame:
    """The raw signals of every customer of ``summary`` (see the module table).

    ``summary`` needs ``recency``, ``T`` and ``frequency`` for the rhythm and
    ``revenue_recent`` / ``revenue_previous`` for the value trend and the receivables share;
    ``attributes`` may carry ``overdue_receivables``, ``open_complaints``, ``sla_breaches``,
    ``satisfaction`` (0-1) and ``contacts``. Signals without a source are left out.
    """
    index = summary.index
    raw: dict[str, pd.Series] = {"p_alive": p_alive.reindex(index).astype(float)}
    rhythm = order_rhythm(summary, days_per_unit)
    if not np.isnan(rhythm["overdue"]).all():
        raw["rhythm"] = pd.Series(rhythm["overdue"], index=index)
    trailing = None
    if {"revenue_recent", "revenue_previous"} <= set(summary.columns):
        recent = summary["revenue_recent"].astype(float)
        previous = summary["revenue_previous"].astype(float)
        raw["value_trend"] = (recent / previous.where(previous > 0) - 1.0).astype(float)
        trailing = recent + previous
    if attributes is not None:
        aligned = attributes.reindex(index)
        if "overdue_receivables" in aligned.columns:
            owed = pd.to_numeric(aligned["overdue_receivables"], errors="coerce").fillna(0.0)
            base = trailing if trailing is not None else summary["revenue"].astype(float)
            share = owed / base.where(base > 0)
            raw["receivables"] = share.where(owed > 0, 0.0).fillna(np.inf).astype(float)
        for name, column in (
            ("complaints", "open_complaints"),
            ("sla_breaches", "sla_breaches"),
            ("satisfaction", "satisfaction"),
            ("contact_coverage", "contacts"),
        ):
            if column in aligned.columns:
                values = pd.to_numeric(aligned[column], errors="coerce").astype(float)
                raw[name] = values if name == "satisfaction" else values.fillna(0.0)
    order = [name for name in _NAMES if name in raw]
    return pd.DataFrame({name: raw[name] for name in order}, index=index)


def account_health(signals: pd.DataFrame, rules: HealthRules | None = None) -> HealthResult:
    """Score every customer of ``signals`` (columns: signal keys, see the module table)."""
    rules = rules or HealthRules()
    weights = checked_health_weights(rules.weights)
    unknown = [column for column in signals.columns if column not in _NAMES]
    if unknown:
        raise DataContractError(
            f"unknown health signal column(s) {', '.join(map(str, unknown))}; "
            f"known: {', '.join(_NAMES)}"
        )
    dropped: dict[str, str] = {}
    kept: dict[str, pd.Series] = {}
    for name in _NAMES:
        weight = weights.get(name, 0.0)
        if name not in signals.columns:
            dropped[name] = "no source data"
        elif signals[name].isna().all():
            dropped[name] = "no customer has a value"
        elif weight == 0:
            dropped[name] = "weight is 0"
        else:
            values = signals[name].to_numpy(dtype=float, na_value=np.nan)
            kept[name] = pd.Series(_score(name, values, rules), index=signals.index)
    if not kept:
        raise DataContractError("no health signal has data: need at least P(alive)")
    total = sum(weights[name] for name in kept)
    used = pd.Series({name: weights[name] / total for name in kept}, dtype=float, name="weight")
    scores = pd.DataFrame(kept, index=signals.index)
    matrix = scores.to_numpy(dtype=float)
    available = ~np.isnan(matrix)
    w = available * used.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        health = np.where(available, matrix, 0.0) @ used.to_numpy() / w.sum(axis=1)
    return HealthResult(
        health=pd.Series(np.clip(health, 0.0, 100.0), index=signals.index, name="health"),
        scores=scores,
        raw=signals.reindex(columns=list(kept)),
        weights=used,
        dropped=dropped,
    )


def _score(name: str, values: FloatArray, rules: HealthRules) -> FloatArray:
    with np.errstate(invalid="ignore"):
        if name in ("p_alive", "satisfaction"):
            return 100.0 * np.clip(values, 0.0, 1.0)
        if name == "rhythm":
            late = (rules.rhythm_zero_cycles - values) / (rules.rhythm_zero_cycles - 1.0)
            return 100.0 * np.clip(late, 0.0, 1.0)
        if name == "value_trend":
            return 100.0 * np.clip(1.0 + values, 0.0, 1.0)
        if name == "receivables":
            return 100.0 * (1.0 - np.clip(values / rules.receivables_zero_share, 0.0, 1.0))
        if name in ("complaints", "sla_breaches"):
            return 100.0 * 0.5 ** np.clip(values, 0.0, 50.0)
        # contact_coverage
        counts = np.clip(np.floor(values), 0, len(_CONTACT_SCORES))
        table = np.array([*_CONTACT_SCORES, 100.0])
        out = np.full(values.shape, np.nan)
        known = ~np.isnan(counts)
        out[known] = table[counts[known].astype(int)]
        return out


def roc_auc(score: npt.ArrayLike, positive: npt.ArrayLike) -> float:
    """Area under the ROC curve of ``score`` for ``positive`` (Mann-Whitney, ties count
    half); NaN when one class is empty."""
    values = np.asarray(score, dtype=float)
    labels = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(values).rank(method="average").to_numpy()
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass(frozen=True)
class HealthAUC:
    """How well health and P(alive), measured at the end of the calibration period, tell
    the customers who made no purchase in the holdout period (AUC; 0.5 is chance)."""

    auc_health: float
    auc_p_alive: float
    customers: int
    no_purchase: int

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready."""
        return {
            "auc_health": round(self.auc_health, 4),
            "auc_p_alive": round(self.auc_p_alive, 4),
            "customers": self.customers,
            "no_purchase": self.no_purchase,
        }


def health_auc(
    calibration: pd.DataFrame,
    p_alive: pd.Series,
    *,
    days_per_unit: float,
    rules: HealthRules | None = None,
    attributes: pd.DataFrame | None = None,
) -> HealthAUC:
    """Back-test of health: ``calibration`` is a calibration/holdout summary (with
    ``frequency_holdout``: repeat purchases after the cut), ``p_alive`` the model's at the cut.

    Low health should mean "no purchase in the next period", so the AUC is of ``-health``
    (and ``-P(alive)``) for that event.
    """
    if "frequency_holdout" not in calibration.columns:
        raise DataContractError(
            "health back-test needs a calibration summary (column frequency_holdout)"
        )
    signals = health_signals(calibration, p_alive, attributes, days_per_unit=days_per_unit)
    result = account_health(signals, rules)
    none = calibration["frequency_holdout"].to_numpy(dtype=float) <= 0
    p = p_alive.reindex(calibration.index).to_numpy(dtype=float)
    return HealthAUC(
        auc_health=roc_auc(-result.health.to_numpy(dtype=float), none),
        auc_p_alive=roc_auc(-p, none),
        customers=len(calibration),
        no_purchase=int(none.sum()),
    )
