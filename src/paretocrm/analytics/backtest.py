"""Holdout back-test: how well did the model predict a period it did not see?

Given a per-customer summary with a holdout (``summarize(..., calibration_end=...)``) and
each model's predicted number of purchases over the holdout (``conditional_expected_
purchases(duration_holdout, frequency, recency, T)``), the back-test reports, per model:

- the table of Fader, Hardie & Lee (2005, *Marketing Science* 24(2), figure 4): customers
  grouped by calibration frequency ``x`` = 0, 1, ..., 6 and 7+, mean actual vs mean predicted
  holdout purchases;
- the aggregate (cumulative) holdout purchases, actual vs predicted, and the relative error;
- individual-level errors: mean absolute error, root mean squared error, and the Pearson
  correlation of predictions with actual purchases;
- targeting quality: the share of next-period value (holdout revenue) captured by the top
  ``top_share`` (default 20%) of customers ranked by prediction, next to the share the best
  possible ranking (by actual holdout value) would have captured;
- a decision scorecard (:class:`Scorecard`): the share of next-period value held by the top
  10 % and 20 % under each model's ranking next to the naive rankings a manager would use
  without a model (past revenue, purchase frequency, recency of the last purchase) and the
  ideal one; for churn (no purchase in the holdout) each model's AUC and Brier score; and
  the calibration period's fitted parameters with their log-likelihood.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError

__all__ = ["BacktestResult", "ModelBacktest", "Scorecard", "backtest", "frequency_classes"]

#: Shares of customers whose captured next-period value the scorecard reports.
SCORECARD_TOP_SHARES = (0.1, 0.2)

_NEEDED = ("frequency", "frequency_holdout")


@dataclass(frozen=True)
class ModelBacktest:
    """The back-test figures of one model."""

    total_actual: float
    total_predicted: float
    aggregate_error: float
    """(predicted - actual) / actual over the whole holdout."""
    mae: float
    rmse: float
    correlation: float
    top_share_captured: float
    """Share of holdout value held by the top customers by prediction."""
    ideal_top_share: float
    """Share of holdout value held by the top customers by actual value (the ceiling)."""

    def as_dict(self) -> dict[str, float | None]:
        """JSON-friendly figures (NaN becomes None)."""
        return {
            name: None if math.isnan(value) else float(value)
            for name, value in self.__dict__.items()
        }


@dataclass(frozen=True)
class Scorecard:
    """The decisions a model supports, judged on the holdout (see the module docstring)."""

    capture: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per ranking (each model, ``past_revenue``, ``frequency``, ``recency``, ``ideal``):
    ``{"top_10": share, "top_20": share}`` of the holdout value held by its top customers."""
    churn: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per model: ``auc`` and ``brier`` of its P(no purchase in the holdout)."""
    churn_rate: float = math.nan
    """Share of customers without a purchase in the holdout."""
    calibration_models: dict[str, Any] = field(default_factory=dict)
    """Per model: the parameters and log-likelihood fitted on the calibration period."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly scorecard (NaN becomes None)."""
        return {
            "capture": {k: _no_nan(v) for k, v in self.capture.items()},
            "churn": {k: _no_nan(v) for k, v in self.churn.items()},
            "churn_rate": None if math.isnan(self.churn_rate) else self.churn_rate,
            "calibration_models": self.calibration_models,
        }


def _no_nan(figures: dict[str, float]) -> dict[str, float | None]:
    return {k: None if math.isnan(v) else float(v) for k, v in figures.items()}


@dataclass(frozen=True)
class BacktestResult:
    """Back-test of one or more models on the same holdout."""

    by_frequency: pd.DataFrame
    """Index: calibration frequency class; columns ``customers``, ``actual`` and one column
    of mean predicted holdout purchases per model."""
    models: dict[str, ModelBacktest] = field(default_factory=dict)
    top_share: float = 0.2
    scorecard: Scorecard = field(default_factory=Scorecard)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly back-test (table and figures)."""
        return {
            "top_share": self.top_share,
            "by_frequency": {
                str(label): {str(k): float(v) for k, v in row.items()}
                for label, row in self.by_frequency.iterrows()
            },
            "models": {name: figures.as_dict() for name, figures in self.models.items()},
            "scorecard": self.scorecard.as_dict(),
        }


def frequency_classes(
    frequency: pd.Series | npt.ArrayLike, max_class: int = 7
) -> pd.Categorical[str]:
    """Calibration frequency classes ``0, 1, ..., max_class - 1, "max_class+"``."""
    values = np.asarray(frequency, dtype=float)
    codes = np.clip(values, 0, max_class).astype(np.int64)
    labels = [str(i) for i in range(max_class)] + [f"{max_class}+"]
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels))


def backtest(
    summary: pd.DataFrame,
    predictions: Mapping[str, pd.Series | npt.ArrayLike] | pd.Series | npt.ArrayLike,
    *,
    value: pd.Series | npt.ArrayLike | None = None,
    predicted_value: Mapping[str, pd.Series | npt.ArrayLike] | None = None,
    churn_probability: Mapping[str, pd.Series | npt.ArrayLike] | None = None,
    calibration_models: Mapping[str, Any] | None = None,
    top_share: float = 0.2,
    max_class: int = 7,
) -> BacktestResult:
    """Compare predicted with actual holdout purchases (see the module docstring).

    ``predictions`` is one array of predicted holdout purchases aligned with ``summary`` or a
    mapping model name -> array. ``value`` is each customer's actual next-period value
    (default the summary's ``revenue_holdout``, else holdout purchases); customers are ranked
    by ``predicted_value[model]`` when given, else by predicted purchases.
    """
    missing = [name for name in _NEEDED if name not in summary.columns]
    if missing:
        raise DataContractError(
            f"back-test needs summary columns {missing}: summarise with a calibration_end "
            "(a holdout date)"
        )
    if not 0 < top_share < 1:
        raise ConfigurationError(f"top_share must be between 0 and 1, got {top_share}")
    named = _named(predictions)
    actual = summary["frequency_holdout"].to_numpy(dtype=float)
    worth = _actual_value(summary, value, actual)
    classes = frequency_classes(summary["frequency"], max_class)
    table = pd.DataFrame({"class": classes, "actual": actual})
    results: dict[str, ModelBacktest] = {}
    rankings: dict[str, npt.NDArray[np.float64]] = {}
    for name, raw in named.items():
        predicted = _aligned(raw, len(summary), name)
        table[name] = predicted
        ranking = predicted
        if predicted_value is not None and name in predicted_value:
            ranking = _aligned(predicted_value[name], len(summary), f"{name} value")
        results[name] = _figures(actual, predicted, worth, ranking, top_share)
        rankings[name] = ranking
    grouped = table.groupby("class", observed=False)
    by_frequency = grouped.mean()
    by_frequency.insert(0, "customers", grouped.size())
    by_frequency.index.name = "frequency"
    scorecard = _scorecard(
        summary, actual, worth, rankings, churn_probability or {}, calibration_models or {}
    )
    return BacktestResult(
        by_frequency=by_frequency, models=results, top_share=top_share, scorecard=scorecard
    )


def _scorecard(
    summary: pd.DataFrame,
    actual: npt.NDArray[np.float64],
    worth: npt.NDArray[np.float64],
    rankings: dict[str, npt.NDArray[np.float64]],
    churn_probability: Mapping[str, pd.Series | npt.ArrayLike],
    calibration_models: Mapping[str, Any],
) -> Scorecard:
    n = len(summary)
    every = dict(rankings)
    if "revenue" in summary.columns:
        every["past_revenue"] = summary["revenue"].to_numpy(dtype=float, na_value=0.0)
    every["frequency"] = summary["frequency"].to_numpy(dtype=float)
    if {"recency", "T"} <= set(summary.columns):
        # Fewest time units since the last purchase first.
        every["recency"] = (summary["recency"] - summary["T"]).to_numpy(dtype=float)
    every["ideal"] = worth
    capture = {
        name: {
            f"top_{round(share * 100)}": _captured(worth, ranking, share)
            for share in SCORECARD_TOP_SHARES
        }
        for name, ranking in every.items()
    }
    churned = (actual == 0).astype(float)
    churn: dict[str, dict[str, float]] = {}
    for name, raw in churn_probability.items():
        probability = _aligned(raw, n, f"churn probability {name!r}")
        if ((probability < 0) | (probability > 1)).any():
            raise DataContractError(
                f"churn probability {name!r} must be between 0 and 1 for every customer"
            )
        churn[str(name)] = {
            "auc": _auc(probability, churned),
            "brier": float(((probability - churned) ** 2).mean()) if n else math.nan,
        }
    return Scorecard(
        capture=capture,
        churn=churn,
        churn_rate=float(churned.mean()) if n else math.nan,
        calibration_models=dict(calibration_models),
    )


def _captured(
    worth: npt.NDArray[np.float64], ranking: npt.NDArray[np.float64], share: float
) -> float:
    """Share of ``worth`` held by the top ``share`` of customers by ``ranking`` (stable ties)."""
    total = float(worth.sum())
    if not total:
        return math.nan
    top = max(1, math.ceil(share * len(worth)))
    return float(worth[np.argsort(-ranking, kind="stable")[:top]].sum()) / total


def _auc(score: npt.NDArray[np.float64], positive: npt.NDArray[np.float64]) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half); NaN with one class only."""
    n_pos = float(positive.sum())
    n_neg = float(len(positive) - n_pos)
    if not n_pos or not n_neg:
        return math.nan
    ranks = pd.Series(score).rank(method="average").to_numpy()
    return float((ranks[positive == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _named(
    predictions: Mapping[str, pd.Series | npt.ArrayLike] | pd.Series | npt.ArrayLike,
) -> dict[str, pd.Series | npt.ArrayLike]:
    if isinstance(predictions, Mapping):
        if not predictions:
            raise ConfigurationError("back-test needs at least one model's predictions")
        return {str(k): v for k, v in predictions.items()}
    return {"model": predictions}


def _aligned(values: pd.Series | npt.ArrayLike, n: int, name: str) -> npt.NDArray[np.float64]:
    array = np.asarray(values, dtype=float)
    if array.shape != (n,):
        raise DataContractError(
            f"predictions {name!r} have {array.size} values but the summary has {n} customers"
        )
    if not np.isfinite(array).all():
        raise DataContractError(f"predictions {name!r} contain NaN or infinite values")
    return array


def _actual_value(
    summary: pd.DataFrame,
    value: pd.Series | npt.ArrayLike | None,
    actual: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    if value is not None:
        return np.nan_to_num(_aligned_loose(value, len(summary)))
    if "revenue_holdout" in summary.columns:
        return summary["revenue_holdout"].to_numpy(dtype=float, na_value=0.0)
    return actual


def _aligned_loose(values: pd.Series | npt.ArrayLike, n: int) -> npt.NDArray[np.float64]:
    array = np.asarray(values, dtype=float)
    if array.shape != (n,):
        raise DataContractError(f"value has {array.size} entries but the summary has {n}")
    return array


def _figures(
    actual: npt.NDArray[np.float64],
    predicted: npt.NDArray[np.float64],
    worth: npt.NDArray[np.float64],
    ranking: npt.NDArray[np.float64],
    top_share: float,
) -> ModelBacktest:
    total_actual = float(actual.sum())
    total_predicted = float(predicted.sum())
    error = predicted - actual
    correlation = (
        float(np.corrcoef(predicted, actual)[0, 1])
        if len(actual) > 1 and predicted.std() > 0 and actual.std() > 0
        else math.nan
    )
    return ModelBacktest(
        total_actual=total_actual,
        total_predicted=total_predicted,
        aggregate_error=(total_predicted - total_actual) / total_actual
        if total_actual
        else math.nan,
        mae=float(np.abs(error).mean()),
        rmse=float(np.sqrt((error**2).mean())),
        correlation=correlation,
        top_share_captured=_captured(worth, ranking, top_share),
        ideal_top_share=_captured(worth, worth, top_share),
    )
