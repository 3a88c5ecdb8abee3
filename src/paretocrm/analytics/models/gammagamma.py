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

from typing import Any, ClassVar, Self

import numpy as np
from scipy.special import digamma, gammaln

from paretocrm.analytics.exceptions import DataContractError
from paretocrm.analytics.models.base import (
    ArrayLike,
    BaseFitter,
    FloatArray,
    as_float_array,
    require,
)


class GammaGammaModel(BaseFitter):
    """The Gamma-Gamma spend model, parameters ``p, q, gamma`` (``gamma`` is the paper's
    ``v``-scale parameter)."""

    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")

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

    def _log_likelihood(self, params: FloatArray, data: tuple[FloatArray, ...]) -> FloatArray:
        """Equation (4) of the 2013 note: density of the mean spend ``m`` of ``x`` purchases."""
        p, q, gamma = params
        x, m = data
        px = p * x
        result: FloatArray = (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(gamma)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(gamma + m * x)
        )
        return result

    def _gradient_prepared(self, params: FloatArray, prepared: Any) -> FloatArray:
        """Analytic per-row gradient of equation (4) in (p, q, gamma)."""
        p, q, gamma = params
        x, m = prepared
        px = p * x
        log_total = np.log(gamma + m * x)
        shared = digamma(px + q)
        d_p = x * (shared - digamma(px) + np.log(m) + np.log(x) - log_total)
        d_q = shared - digamma(q) + np.log(gamma) - log_total
        d_gamma = q / gamma - (px + q) / (gamma + m * x)
        result: FloatArray = np.column_stack([d_p, d_q, d_gamma])
        return result

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
