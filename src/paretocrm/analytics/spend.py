"""Expected spend per purchase for every customer, never collapsing to zero.

Gamma-Gamma (Fader & Hardie 2013) is the first choice. On a small B2B book it often does not
identify: with a few tens of repeat buyers whose mean order sizes barely differ beyond what
their own order-to-order noise explains, ``q`` and ``gamma`` run off to infinity. A value
judgement must still rest on spend, so the estimate falls back in this documented order,
and the method used is stated (``SpendEstimate.method`` / ``note``, in models.json and the
report):

1. ``gamma_gamma``: the Gamma-Gamma fit as configured.
2. ``penalised``: Gamma-Gamma with an L2 penalty (:data:`FALLBACK_PENALIZER`), fitted on
   spend in units of the book's mean spend so that the penalty does not depend on the
   currency (``p`` and ``q`` are unit-free and ``gamma`` scales with money); used only when
   its mean spend is within :data:`MEAN_TOLERANCE` of the book's (a penalty can pull a flat
   fit far from the data).
3. ``shrunk_mean``: each repeat buyer's mean spend shrunk towards the book's by empirical
   Bayes: ``(x m + k mbar) / (x + k)`` with ``k = sigma^2 / tau^2``, the within-customer
   variance of one purchase over the between-customer variance of true means, both by the
   method of moments from ``Var(m | x) = tau^2 + sigma^2 / x`` (a regression of the squared
   deviations on ``1 / x``). The summary has no within-customer variance, so these two are
   estimated from the customers' means alone and are noisy on a small book: the shrinkage
   is a safeguard against one lucky order, not an optimal estimate.
4. ``observed_mean``: each customer's own mean spend (revenue per purchase day).

A customer without a repeat purchase gets the book's mean spend in 1-3 (Gamma-Gamma's
population mean), the first order's amount in 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConvergenceError, DataContractError
from paretocrm.analytics.models.gammagamma import GammaGammaModel

__all__ = [
    "FALLBACK_PENALIZER",
    "SPEND_METHODS",
    "SpendEstimate",
    "expected_spend",
    "shrunk_mean_spend",
]

SPEND_METHODS = ("gamma_gamma", "penalised", "shrunk_mean", "observed_mean")
#: L2 penalty of the fallback fit (on spend in units of the book's mean spend).
FALLBACK_PENALIZER = 0.01
#: Gamma-Gamma's q above this: no heterogeneity of mean spend left, the fit has run off.
_RUNAWAY_Q = 1e3
#: The penalised fit is used only if its mean spend is this close to the book's.
MEAN_TOLERANCE = 0.1
#: Fewer repeat buyers than this: no model fit, straight to the shrunk means.
MIN_REPEAT_BUYERS = 10

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SpendEstimate:
    """Expected spend per purchase of every customer and how it was obtained."""

    spend: pd.Series
    method: str
    note: str
    model: GammaGammaModel | None = None
    """The Gamma-Gamma fit used (methods 1 and 2), in the data's money units for 1."""
    details: dict[str, float] | None = None
    scale: float = 1.0
    """Money units of one unit of the model's spend (the penalised fit runs on spend in
    units of the book's mean spend)."""

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "note": self.note, **(self.details or {})}


def expected_spend(summary: pd.DataFrame, *, penalizer_coef: float = 0.0) -> SpendEstimate:
    """Expected spend per purchase for every customer of ``summary`` (see the module doc)."""
    index = summary.index
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float, na_value=0.0)
    usable = (x > 0) & (m > 0) & np.isfinite(m)
    spend_x, spend_m = np.where(usable, x, 0.0), np.where(usable, m, 0.0)
    revenue = summary["revenue"].to_numpy(dtype=float)
    days = np.maximum(summary["purchase_days"].to_numpy(dtype=float), 1.0)
    observed = np.maximum(revenue / days, 0.0)
    if usable.sum() < MIN_REPEAT_BUYERS:
        problem = f"only {int(usable.sum())} repeat buyers with positive spend"
    else:
        model, problem = _gamma_gamma(spend_x, spend_m, penalizer_coef, scale=1.0)
        if model is not None:
            return SpendEstimate(
                pd.Series(model.conditional_expected_spend(spend_x, spend_m), index=index),
                "gamma_gamma",
                "",
                model,
            )
        scale = float(np.average(spend_m[usable], weights=spend_x[usable]))
        penalised, second = _gamma_gamma(spend_x, spend_m / scale, FALLBACK_PENALIZER, scale=scale)
        if penalised is not None and not _reproduces_mean(penalised, spend_x, spend_m / scale):
            second = (
                f"its mean spend {penalised.expected_average_spend() * scale:,.2f} is more "
                f"than {MEAN_TOLERANCE:.0%} off the book's {scale:,.2f}"
            )
            penalised = None
        if penalised is not None:
            values = penalised.conditional_expected_spend(spend_x, spend_m / scale) * scale
            note = (
                f"spend: Gamma-Gamma did not identify ({problem}); used a penalised "
                f"Gamma-Gamma fit (penalizer_coef {FALLBACK_PENALIZER:g} on spend in units "
                f"of the book's mean spend {scale:,.2f})"
            )
            return SpendEstimate(
                pd.Series(values, index=index), "penalised", note, penalised, scale=scale
            )
        problem = f"{problem}; penalised fit: {second}"
    if usable.any():
        values, details = _shrunk_means(spend_x, spend_m, usable)
        note = (
            f"spend: Gamma-Gamma did not identify ({problem}); each customer's mean spend "
            f"shrunk towards the book's mean {details['book_mean']:,.2f} by empirical Bayes "
            f"(k = {details['k']:.2f} purchases)"
        )
        return SpendEstimate(pd.Series(values, index=index), "shrunk_mean", note, None, details)
    note = f"spend: no spend model ({problem}); each customer's own mean spend is used"
    return SpendEstimate(pd.Series(observed, index=index), "observed_mean", note)


def _reproduces_mean(model: GammaGammaModel, x: FloatArray, m: FloatArray) -> bool:
    """Whether a (penalised) fit's mean spend is within :data:`MEAN_TOLERANCE` of the data's
    purchase-weighted mean (a penalty can bias a flat fit far from it)."""
    observed = float(np.average(m[x > 0], weights=x[x > 0]))
    return abs(model.expected_average_spend() / observed - 1.0) <= MEAN_TOLERANCE


def shrunk_mean_spend(summary: pd.DataFrame) -> pd.Series:
    """Method 3 alone (empirical-Bayes shrunk means, no model fit): a cheap spend for
    ranking, e.g. in the purchase-model choice, where every candidate gets the same one."""
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float, na_value=0.0)
    usable = (x > 0) & (m > 0) & np.isfinite(m)
    if not usable.any():
        revenue = summary["revenue"].to_numpy(dtype=float)
        days = np.maximum(summary["purchase_days"].to_numpy(dtype=float), 1.0)
        return pd.Series(np.maximum(revenue / days, 0.0), index=summary.index)
    values, _details = _shrunk_means(np.where(usable, x, 0.0), np.where(usable, m, 0.0), usable)
    return pd.Series(values, index=summary.index)


def _gamma_gamma(
    x: FloatArray, m: FloatArray, penalizer_coef: float, *, scale: float
) -> tuple[GammaGammaModel | None, str]:
    """A usable Gamma-Gamma fit, or None and why not."""
    try:
        model = GammaGammaModel(penalizer_coef=penalizer_coef).fit(x, m)
    except (ConvergenceError, DataContractError) as error:
        return None, str(error)
    q = model.params_["q"]
    if not 1 < q < _RUNAWAY_Q or not np.isfinite(model.expected_average_spend()):
        shown = {
            k: round(v * (scale if k == "gamma" else 1.0), 3) for k, v in model.params_.items()
        }
        return None, f"q ran to {q:,.1f} ({shown})"
    return model, ""


def _shrunk_means(
    x: FloatArray, m: FloatArray, usable: npt.NDArray[np.bool_]
) -> tuple[FloatArray, dict[str, float]]:
    """Empirical-Bayes means (see the module docstring); the book's mean for non-repeaters."""
    xs, ms = x[usable], m[usable]
    book_mean = float(np.average(ms, weights=xs))
    squared = (ms - book_mean) ** 2
    inverse = 1.0 / xs
    if xs.size >= 3 and np.ptp(inverse) > 0:
        slope, intercept = np.polyfit(inverse, squared, 1)
    else:
        slope, intercept = float(squared.mean()), 0.0
    sigma2, tau2 = max(float(slope), 0.0), max(float(intercept), 0.0)
    k = sigma2 / tau2 if tau2 > 0 else float("inf")
    if np.isinf(k):
        values = np.full(x.shape, book_mean)
    else:
        weight = np.where(usable, x + k, 1.0)  # non-repeaters (x = 0) get the book's mean
        values = np.where(usable, (x * m + k * book_mean) / weight, book_mean)
    details = {"book_mean": book_mean, "k": k, "sigma2": sigma2, "tau2": tau2}
    return np.asarray(values, dtype=np.float64), details
