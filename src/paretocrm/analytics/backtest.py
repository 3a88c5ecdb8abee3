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
  possible ranking (by actual holdout value) would have captured.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError

__all__ = ["BacktestResult", "ModelBacktest", "backtest", "frequency_classes"]

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
class BacktestResult:
    """Back-test of one or more models on the same holdout."""

    by_frequency: pd.DataFrame
    """Index: calibration frequency class; columns ``customers``, ``actual`` and one column
    of mean predicted holdout purchases per model."""
    models: dict[str, ModelBacktest] = field(default_factory=dict)
    top_share: float = 0.2

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly back-test (table and figures)."""
        return {
            "top_share": self.top_share,
            "by_frequency": {
                str(label): {str(k): float(v) for k, v in row.items()}
                for label, row in self.by_frequency.iterrows()
            },
            "models": {name: figures.as_dict() for name, figures in self.models.items()},
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
    for name, raw in named.items():
        predicted = _aligned(raw, len(summary), name)
        table[name] = predicted
        ranking = predicted
        if predicted_value is not None and name in predicted_value:
            ranking = _aligned(predicted_value[name], len(summary), f"{name} value")
        results[name] = _figures(actual, predicted, worth, ranking, top_share)
    grouped = table.groupby("class", observed=False)
    by_frequency = grouped.mean()
    by_frequency.insert(0, "customers", grouped.size())
    by_frequency.index.name = "frequency"
    return BacktestResult(by_frequency=by_frequency, models=results, top_share=top_share)


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
    top = max(1, math.ceil(top_share * len(actual)))
    total_worth = float(worth.sum())
    by_prediction = np.argsort(-ranking, kind="stable")[:top]
    by_actual = np.argsort(-worth, kind="stable")[:top]
    return ModelBacktest(
        total_actual=total_actual,
        total_predicted=total_predicted,
        aggregate_error=(total_predicted - total_actual) / total_actual
        if total_actual
        else math.nan,
        mae=float(np.abs(error).mean()),
        rmse=float(np.sqrt((error**2).mean())),
        correlation=correlation,
        top_share_captured=float(worth[by_prediction].sum()) / total_worth
        if total_worth
        else math.nan,
        ideal_top_share=float(worth[by_actual].sum()) / total_worth if total_worth else math.nan,
    )
