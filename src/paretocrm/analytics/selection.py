"""Choose the purchase model by evidence: a time split of the book's own history.

The candidates (MBG/NBD, BG/NBD and Pareto/NBD; the pipeline judges Pareto/NBD, whose fits
have no closed-form gradient, on books up to ``pareto_nbd_max_customers``) make different
assumptions about customers who stop buying; which one describes a book best is an empirical
question, and a distributor's 300 accounts are not CDNOW's consumers. So the engine asks the
book:

1. The history used (everything up to the day judged on, or up to the back-test's holdout
   date, never after it) is split in time at several cut-offs (:data:`SPLIT_SHARES`, from
   half of the history to three quarters): the history before a cut-off calibrates, the
   rest is its test period; the figures below are averaged over the cut-offs.
2. Each candidate is fitted on the calibration part. Small books (at most
   :data:`SMALL_BOOK_CUSTOMERS` customers), where the likelihood is flat, also try the L2
   penalties of :data:`PENALTIES`; the penalty is then chosen the same way as the model.
3. Each fit predicts every customer's purchases in the test period, and is judged on two
   figures:

   - *capture*: the share of the test period's revenue held by the top 20 % of customers
     ranked by predicted value (predicted purchases x each customer's mean spend shrunk
     towards the book's, :func:`~paretocrm.analytics.spend.shrunk_mean_spend`): the
     decision the product makes with the model (who is core, whom to call first);
   - *error by frequency class*: customers grouped by calibration frequency 0, 1, ..., 6,
     7+ (Fader, Hardie & Lee's table), the absolute difference of mean predicted and mean
     actual purchases per class, weighted by the class's customers and divided by the mean
     actual purchases (so books of any rhythm compare).

4. The candidates whose capture is within :data:`CAPTURE_MARGIN` of the best are the
   shortlist (closer than that is noise: one customer more or less in the top 20 % of a
   small book); of these the lowest error by frequency class is used. Within
   :data:`TIE_MARGIN` of that error, the simpler choice wins (candidate order, then the
   smaller penalty).

Large books: the split runs on a seeded sample of :data:`SAMPLE_CUSTOMERS` customers (the
fits and predictions are then a fraction of a second); the chosen model is fitted on all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from paretocrm.analytics.backtest import frequency_classes
from paretocrm.analytics.exceptions import ConvergenceError, DataContractError
from paretocrm.analytics.models.base import TransactionModel
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.mbgnbd import MBGNBDModel
from paretocrm.analytics.models.paretonbd import ParetoNBDModel
from paretocrm.analytics.spend import shrunk_mean_spend
from paretocrm.analytics.summary import UNIT_DAYS, DateLike, summarize_loaded

__all__ = [
    "MODEL_CLASSES",
    "PENALTIES",
    "ModelChoice",
    "choose_purchase_model",
]

MODEL_CLASSES: dict[str, type[TransactionModel]] = {
    "bgnbd": BGNBDModel,
    "mbgnbd": MBGNBDModel,
    "paretonbd": ParetoNBDModel,
}
#: Cut-offs of the time split, as shares of the history: each calibrates on the history
#: before it and is tested on the rest; the figures are averaged over them (one cut-off
#: alone is noisy: on CDNOW the best model changes from one cut-off to the next).
SPLIT_SHARES = (0.5, 0.6, 2 / 3, 0.75)
#: Books with at most this many customers are fitted with a weak prior (MAP) and also
#: choose the L2 penalty by the split.
SMALL_BOOK_CUSTOMERS = 2_000
#: The weak prior of small books: sd of the normal prior on each log-parameter (a factor
#: e^2 = 7.4 either way of the model's default start is one sd).
SMALL_BOOK_PRIOR_SD = 2.0
PENALTIES = (0.0, 0.001, 0.01, 0.1)
#: Customers sampled for the split on larger books.
SAMPLE_CUSTOMERS = 10_000
#: Relative score margin within which the simpler candidate is preferred.
TIE_MARGIN = 0.02
#: Captures closer to the best than this (share of test-period revenue) are a tie.
CAPTURE_MARGIN = 0.005
#: Share of customers whose captured revenue ranks the candidates.
TOP_SHARE = 0.2
#: Shortest history (days) the split is tried on; shorter books keep BG/NBD, said so.
MIN_HISTORY_DAYS = 90


@dataclass(frozen=True)
class ModelChoice:
    """Which purchase model the book's own time split chose, and why."""

    chosen: str
    penalizer_coef: float
    reason: str
    log_prior_sd: float = 0.0
    """The weak prior of the fits (0: none; see :func:`prior_sd`)."""
    calibration_end: str | None = None
    test_end: str | None = None
    customers: int = 0
    sampled: bool = False
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per candidate name, its best penalty and figures (score, MAE, per penalty)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN becomes None)."""
        result: dict[str, Any] = _json_ready(self.__dict__)
        return result

    def note(self) -> str:
        """The one line for the notes, the CLI and the report."""
        penalty = f" (penalizer_coef {self.penalizer_coef:g})" if self.penalizer_coef else ""
        if self.log_prior_sd:
            penalty += (
                f" fitted as MAP with a weak prior (sd {self.log_prior_sd:g} on each "
                "log-parameter): a small book's likelihood is flat"
            )
        return f"purchase model: {self.chosen}{penalty} - {self.reason}"


def prior_sd(customers: int) -> float:
    """The weak prior's sd for a book of ``customers`` (0 for books that need none)."""
    return SMALL_BOOK_PRIOR_SD if customers <= SMALL_BOOK_CUSTOMERS else 0.0


def fixed_choice(name: str, penalizer_coef: float, reason: str) -> ModelChoice:
    """A choice made by the settings, not by the split."""
    return ModelChoice(chosen=name, penalizer_coef=penalizer_coef, reason=reason)


def choose_purchase_model(
    table: pa.Table,
    *,
    end: DateLike | None,
    unit: str,
    candidates: tuple[str, ...],
    penalizer_coef: float,
    seed: int = 0,
    customers: pd.Index | None = None,
) -> ModelChoice:
    """Fit ``candidates`` on the first part of the history up to ``end`` and keep the one
    that predicts the rest best, averaged over the split points (see the module docstring).

    ``customers``: the book's customer ids when already known (the pipeline's summary), so
    that sampling a large book does not have to find them in the transactions again."""
    days = _day_range(table, end)
    if days is None or days[1] - days[0] < MIN_HISTORY_DAYS:
        return fixed_choice(
            "bgnbd",
            penalizer_coef,
            f"history shorter than {MIN_HISTORY_DAYS} days: no time split, BG/NBD kept",
        )
    first, last = days
    table, sampled = _sample(table, seed, customers)
    per_split: list[dict[tuple[str, float], tuple[float, float]]] = []
    judged = 0
    for share in SPLIT_SHARES:
        split = _as_date(first + math.floor((last - first) * share))
        summary = summarize_loaded(
            table, unit=unit, calibration_end=split, observation_end=_as_date(last)
        )
        if summary["frequency_holdout"].sum() == 0:
            continue
        judged = max(judged, len(summary))
        per_split.append(_judge(summary, unit, candidates, penalizer_coef))
    common = {
        "calibration_end": str(
            _as_date(first + math.floor((last - first) * SPLIT_SHARES[0])).date()
        ),
        "test_end": str(_as_date(last).date()),
        "customers": judged,
        "sampled": sampled,
    }
    # A candidate counts only where it could be fitted on every split.
    keys = set.intersection(*(set(split) for split in per_split)) if per_split else set()
    if not keys:
        return ModelChoice(
            chosen="bgnbd",
            penalizer_coef=penalizer_coef,
            reason="no candidate could be fitted and judged on the time split: BG/NBD kept",
            **common,  # type: ignore[arg-type]
        )
    order = {name: i for i, name in enumerate(candidates)}
    ranked = [
        (
            float(np.mean([split[key][0] for split in per_split])),
            float(np.mean([split[key][1] for split in per_split])),
            order[key[0]],
            key[1],
            key[0],
        )
        for key in keys
    ]
    top_capture = max(item[0] for item in ranked)
    shortlist = [item for item in ranked if item[0] >= top_capture - CAPTURE_MARGIN]
    best = min(item[1] for item in shortlist)
    close = [item for item in shortlist if item[1] <= best * (1 + TIE_MARGIN) + 1e-12]
    captured, score, _order, penalty, chosen = min(close, key=lambda item: (item[2], item[3]))
    figures: dict[str, dict[str, Any]] = {}
    for name in candidates:
        own = sorted(
            (item for item in ranked if item[4] == name), key=lambda item: (-item[0], item[1])
        )
        figures[name] = {
            "capture": own[0][0] if own else None,
            "class_error": own[0][1] if own else None,
            "by_penalty": {
                f"{item[3]:g}": {"capture": item[0], "class_error": item[1]} for item in own
            },
        }
    reason = (
        f"best on the book's own time split (each of {len(per_split)} cut-offs from "
        f"{common['calibration_end']} on, the rest up to {common['test_end']} predicted from "
        f"the history before it): top {TOP_SHARE:.0%} by predicted value captured "
        f"{captured:.1%} of the later revenue, error by frequency class {score:.3f}; "
        + ", ".join(
            f"{name} {figures[name]['capture']:.1%} / {figures[name]['class_error']:.3f}"
            for name in candidates
            if figures[name]["capture"] is not None
        )
        + (f" (time split on a sample of {judged:,} customers)" if sampled else "")
    )
    return ModelChoice(
        chosen=chosen,
        penalizer_coef=penalty,
        reason=reason,
        candidates=figures,
        **common,  # type: ignore[arg-type]
    )


def _judge(
    summary: pd.DataFrame, unit: str, candidates: tuple[str, ...], penalizer_coef: float
) -> dict[tuple[str, float], tuple[float, float]]:
    """(capture, error by frequency class) of every candidate and penalty on one split."""
    minimum = 0.5 / UNIT_DAYS[unit]
    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency"].to_numpy(dtype=float)
    t_cal = np.maximum(summary["T"].to_numpy(dtype=float), minimum)
    duration = summary["duration_holdout"].to_numpy(dtype=float)
    actual = summary["frequency_holdout"].to_numpy(dtype=float)
    classes = np.asarray(frequency_classes(x).codes)
    worth = summary["revenue_holdout"].to_numpy(dtype=float, na_value=0.0)
    # The same spend for every candidate (only the purchase model differs), so a cheap one:
    # a Gamma-Gamma fit per cut-off cost most of the choice's time on a large book.
    per_purchase = shrunk_mean_spend(summary).to_numpy(dtype=float)
    small = len(summary) <= SMALL_BOOK_CUSTOMERS
    penalties = sorted({penalizer_coef, *PENALTIES}) if small else [penalizer_coef]
    sd = prior_sd(len(summary))
    judged: dict[tuple[str, float], tuple[float, float]] = {}
    for name in candidates:
        for penalty in penalties:
            try:
                model = MODEL_CLASSES[name](penalizer_coef=penalty, log_prior_sd=sd)
                model.fit(x, t_x, t_cal)
                with np.errstate(all="ignore"):
                    predicted = model.conditional_expected_purchases(duration, x, t_x, t_cal)
            except (ConvergenceError, DataContractError):
                continue  # not judged on this split: the candidate drops out
            if np.isfinite(predicted).all():
                judged[(name, penalty)] = (
                    _capture(predicted * per_purchase, worth),
                    _class_error(predicted, actual, classes),
                )
    return judged


def _class_error(
    predicted: np.ndarray[Any, Any], actual: np.ndarray[Any, Any], classes: np.ndarray[Any, Any]
) -> float:
    """Customer-weighted mean |mean predicted - mean actual| per frequency class, relative
    to the mean actual purchases."""
    counts = np.bincount(classes, minlength=8).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_predicted = np.bincount(classes, predicted, minlength=8) / counts
        mean_actual = np.bincount(classes, actual, minlength=8) / counts
    gaps = np.nan_to_num(np.abs(mean_predicted - mean_actual))
    scale = max(float(actual.mean()), 1e-9)
    return float((counts * gaps).sum() / counts.sum() / scale)


def _capture(ranking: np.ndarray[Any, Any], worth: np.ndarray[Any, Any]) -> float:
    """Share of ``worth`` held by the top :data:`TOP_SHARE` of customers by ``ranking``."""
    total = float(worth.sum())
    if total <= 0:
        return 0.0
    top = max(1, math.ceil(TOP_SHARE * ranking.shape[0]))
    return float(worth[np.argsort(-ranking, kind="stable")[:top]].sum()) / total


def _day_range(table: pa.Table, end: DateLike | None) -> tuple[int, int] | None:
    """First and last purchase day (days since 1970-01-01) up to ``end``."""
    # Floor to the second first: an order entered in the app has a time to the microsecond,
    # which a safe cast to seconds refuses.
    seconds = pc.floor_temporal(table.column("timestamp"), unit="second")
    days = pc.cast(pc.cast(seconds, pa.timestamp("s")), pa.int64())
    if end is not None:
        limit = int(pd.Timestamp(end).normalize().value // 10**9) + 86_399
        days = pc.filter(days, pc.less_equal(days, limit))
    if len(days) == 0:
        return None
    low, high = pc.min(days).as_py(), pc.max(days).as_py()
    return int(low // 86_400), int(high // 86_400)


def _as_date(day: int) -> pd.Timestamp:
    return pd.Timestamp(day, unit="D")


def _sample(table: pa.Table, seed: int, customers: pd.Index | None = None) -> tuple[pa.Table, bool]:
    """The transactions of a seeded sample of customers when the book is large."""
    ids = (
        pa.array(customers.to_numpy(dtype=object), type=pa.string())
        if customers is not None
        else pc.unique(table.column("customer_id"))
    )
    if len(ids) <= SAMPLE_CUSTOMERS:
        return table, False
    rng = np.random.default_rng(seed)
    chosen = ids.take(pa.array(np.sort(rng.choice(len(ids), SAMPLE_CUSTOMERS, replace=False))))
    column = table.column("customer_id")
    if column.type != pa.string():
        chosen = chosen.cast(column.type)
    return table.filter(pc.is_in(column, value_set=chosen)), True


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
