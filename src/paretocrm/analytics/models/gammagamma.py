"""Gamma-Gamma model of the average spend per transaction.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using Iso-Value Curves for
Customer Base Analysis. *Journal of Marketing Research* 42(4), 415-430.

Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma Model of Monetary Value
(http://brucehardie.com/notes/025/) - the likelihood of the observed mean used here.

Each transaction value is ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)`` across customers, and
spend is independent of the purchase process. Only repeat buyers (``frequency > 0``) carry
information about spend; their ``monetary_value`` is the mean of their repeat purchases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from paretocrm.analytics.exceptions import DataContractError
from paretocrm.analytics.models.base import (
    ArrayLike,
    BaseFitter,
    FloatArray,
    as_float_array,
    require,
)
from paretocrm.analytics.models.profiles import distinct_values


@dataclass(frozen=True)
class _SpendStatistics:
    """Parameter-free parts of the Gamma-Gamma likelihood (see ``GammaGammaModel._prepare``).

    ``xs`` are the distinct purchase counts and ``x_at`` maps each row to its count; the
    other arrays are per row, except ``xs_log_xs`` (per distinct count).
    """

    xs: FloatArray
    x_at: npt.NDArray[np.intp]
    x: FloatArray
    spend: FloatArray
    log_m: FloatArray
    x_log_m: FloatArray
    xs_log_xs: FloatArray


@dataclass
class _WeightedSpend:
    """What the Gamma-Gamma totals need from the row weights (``GammaGammaModel._weigh``).

    ``per_x`` is the total weight per distinct count; ``wx`` the per-row weight times the
    count; the two sums are the parameter-free parts of the weighted likelihood. The last
    ``log(gamma + x m)`` computed is kept for the next call at the same ``gamma`` (the
    optimiser asks for the likelihood and the gradient at each point).
    """

    weights: FloatArray
    per_x: FloatArray
    wx: FloatArray
    total: float
    x_log_m: float
    log_m: float
    cached_gamma: float = float("nan")
    cached_log_total: FloatArray | None = None

    def log_total(self, gamma: float, spend: FloatArray) -> FloatArray:
        """``log(gamma + x m)`` per row, computed once per value of ``gamma``."""
        if self.cached_log_total is None or gamma != self.cached_gamma:
            self.cached_log_total = np.log(gamma + spend)
            self.cached_gamma = gamma
        return self.cached_log_total


class GammaGammaModel(BaseFitter):
    """The Gamma-Gamma spend model, parameters ``p, q, gamma`` (``gamma`` is the paper's
    ``v``-scale parameter)."""

    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")
    # Measured on 1M generated customers: from a sample's optimum BFGS ends in long
    # precision-loss line searches along the nearly collinear (q, gamma) direction (29
    # likelihood evaluations instead of 21), so the sample start does not pay off here.
    warm_start: ClassVar[bool] = False

    def _initial_params(self) -> FloatArray:
        return np.array([2.0, 2.0, 10.0])

    def fit(
        self,
        frequency: ArrayLike,
        monetary_value: ArrayLike,
        *,
        weights: ArrayLike | None = None,
    ) -> Self:
        """Fit on the repeat buyers; rows with ``frequency == 0`` are ignored.

        Raises:
            DataContractError: a repeat buyer has ``monetary_value <= 0``, or there is no
                repeat buyer at all.
        """
        x, m = _check_spend(frequency, monetary_value)
        repeat = x > 0
        if not repeat.any():
            raise DataContractError("frequency: no repeat buyers (frequency > 0) to fit on")
        require(
            m[repeat] > 0,
            "monetary_value",
            "of repeat buyers are not > 0 (positions among repeat buyers)",
            m[repeat],
        )
        w = None if weights is None else as_float_array("weights", weights)
        if w is not None and w.shape != x.shape:
            raise DataContractError(
                f"weights: {w.shape[0]} values for {x.shape[0]} rows", column="weights"
            )
        return self._fit_rows((x[repeat], m[repeat]), None if w is None else w[repeat])

    def log_covariance(self, frequency: ArrayLike, monetary_value: ArrayLike) -> Any:
        """Covariance of the log-parameters given the data of :meth:`fit` (its repeat
        buyers; see :meth:`BaseFitter._log_covariance_rows`); None for a degenerate fit."""
        x, m = _check_spend(frequency, monetary_value)
        repeat = (x > 0) & (m > 0)
        return self._log_covariance_rows((x[repeat], m[repeat]))

    def _log_likelihood(self, params: FloatArray, data: tuple[FloatArray, ...]) -> FloatArray:
        """Equation (4) of the 2013 note: density of the mean spend ``m`` of ``x`` purchases."""
        return self._log_likelihood_prepared(params, self._prepare(data))

    def _prepare(self, data: tuple[FloatArray, ...]) -> _SpendStatistics:
        """Split equation (4) into what depends on the parameters and what does not.

        The gamma functions and ``p x log x`` depend on x only (a few hundred distinct values
        among ~a million repeat buyers), and ``(p x - 1) log m = p (x log m) - log m`` needs
        ``x log m`` and ``log m`` once per fit. Only ``log(gamma + m x)`` is left per row and
        per evaluation.
        """
        x, m = data
        xs, x_at = distinct_values(x)
        log_m = np.log(m)
        return _SpendStatistics(
            xs=xs,
            x_at=x_at,
            x=x,
            spend=m * x,
            log_m=log_m,
            x_log_m=x * log_m,
            xs_log_xs=xs * np.log(xs),
        )

    def _log_likelihood_prepared(self, params: FloatArray, prepared: Any) -> FloatArray:
        """Equation (4) per row from :meth:`_prepare`'s statistics."""
        p, q, gamma = params
        stats: _SpendStatistics = prepared
        pxs = p * stats.xs
        per_x = gammaln(pxs + q) - gammaln(pxs) + p * stats.xs_log_xs
        constant = q * np.log(gamma) - gammaln(q)
        rows = (
            p * stats.x_log_m
            - stats.log_m
            - (p * stats.x + q) * np.log(gamma + stats.spend)
            + constant
        )
        result: FloatArray = per_x[stats.x_at] + rows
        return result

    def _gradient_prepared(self, params: FloatArray, prepared: Any) -> FloatArray:
        """Analytic per-row gradient of equation (4) in (p, q, gamma)."""
        p, q, gamma = params
        stats: _SpendStatistics = prepared
        pxs = p * stats.xs
        shared = digamma(pxs + q)
        # x (digamma(px + q) - digamma(px) + log x), per distinct x.
        d_p_x = stats.xs * (shared - digamma(pxs)) + stats.xs_log_xs
        log_total = np.log(gamma + stats.spend)
        # Column-major, so each column is written in place (no column_stack copy).
        result: FloatArray = np.empty((stats.x.shape[0], 3), order="F")
        result[:, 0] = d_p_x[stats.x_at] + stats.x_log_m - stats.x * log_total
        result[:, 1] = shared[stats.x_at] - digamma(q) + np.log(gamma) - log_total
        result[:, 2] = q / gamma - (p * stats.x + q) / (gamma + stats.spend)
        return result

    def _weigh(self, prepared: Any, weights: FloatArray) -> _WeightedSpend:
        """Per-count weights and the parameter-free weighted sums, once per fit."""
        stats: _SpendStatistics = prepared
        return _WeightedSpend(
            weights=weights,
            per_x=np.bincount(stats.x_at, weights=weights, minlength=stats.xs.shape[0]).astype(
                np.float64
            ),
            wx=weights * stats.x,
            total=float(weights.sum()),
            x_log_m=float(weights @ stats.x_log_m),
            log_m=float(weights @ stats.log_m),
        )

    def _log_likelihood_total(self, params: FloatArray, prepared: Any, weighted: Any) -> float:
        """The weighted sum of equation (4), regrouped: per distinct count, and two dot
        products with ``log(gamma + x m)`` - the only per-row work left."""
        p, q, gamma = params
        stats: _SpendStatistics = prepared
        w: _WeightedSpend = weighted
        pxs = p * stats.xs
        per_x = gammaln(pxs + q) - gammaln(pxs) + p * stats.xs_log_xs
        log_total = w.log_total(float(gamma), stats.spend)
        constant = q * np.log(gamma) - gammaln(q)
        return float(
            w.per_x @ per_x
            + p * w.x_log_m
            - w.log_m
            - p * (w.wx @ log_total)
            - q * (w.weights @ log_total)
            + w.total * constant
        )

    def _gradient_total(self, params: FloatArray, prepared: Any, weighted: Any) -> FloatArray:
        """The weighted sum of :meth:`_gradient_prepared`, regrouped the same way."""
        p, q, gamma = params
        stats: _SpendStatistics = prepared
        w: _WeightedSpend = weighted
        pxs = p * stats.xs
        shared = digamma(pxs + q)
        d_p_x = stats.xs * (shared - digamma(pxs)) + stats.xs_log_xs
        log_total = w.log_total(float(gamma), stats.spend)
        inverse = 1.0 / (gamma + stats.spend)
        return np.array(
            [
                w.per_x @ d_p_x + w.x_log_m - w.wx @ log_total,
                w.per_x @ shared + w.total * (np.log(gamma) - digamma(q)) - w.weights @ log_total,
                w.total * q / gamma - p * (w.wx @ inverse) - q * (w.weights @ inverse),
            ]
        )

    def conditional_expected_spend(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> FloatArray:
        """E[M | x, m] = (p (gamma + x m)) / (p x + q - 1), equation (5) of the 2013 note.

        For ``frequency == 0`` this is the population mean ``p gamma / (q - 1)``. Needs
        ``q > 1`` (a finite population mean); otherwise the result is ``inf``.
        """
        p, q, gamma = self._param_array()
        x, m = _check_spend(frequency, monetary_value)
        m = np.where(x > 0, m, 0.0)
        denominator = p * x + q - 1
        with np.errstate(divide="ignore"):
            result: FloatArray = np.where(
                denominator > 0,
                p * (gamma + x * m) / np.where(denominator > 0, denominator, 1.0),
                np.inf,
            )
        return result

    def expected_average_spend(self) -> float:
        """Population mean spend per transaction, ``p gamma / (q - 1)`` (``inf`` if q <= 1)."""
        p, q, gamma = self._param_array()
        return float(p * gamma / (q - 1)) if q > 1 else float("inf")


def _check_spend(frequency: ArrayLike, monetary_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = as_float_array("frequency", frequency)
    m = as_float_array("monetary_value", monetary_value)
    if x.shape != m.shape:
        raise DataContractError(
            f"frequency and monetary_value must have the same length, got "
            f"{x.shape[0]} and {m.shape[0]}"
        )
    require((x >= 0) & (x == np.round(x)), "frequency", "are not whole numbers >= 0", x)
    return x, m
