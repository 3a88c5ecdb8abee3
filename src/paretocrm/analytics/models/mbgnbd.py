"""MBG/NBD: the modified BG/NBD model of repeat purchases.

Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. *International Journal of Research in Marketing* 24(3),
201-209; with the erratum of Wagner, U. & Hoppe, D. (2008), *IJRM* 25(3), 225-226.

As BG/NBD (purchases at rate ``lambda ~ Gamma(r, alpha)`` while alive, dropout with
probability ``p ~ Beta(a, b)``), except that a customer can also drop out right after the
first purchase. So a customer without a repeat purchase is not certainly alive: silent for
many of the book's cycles, their P(alive) falls, as a key-account manager expects of a one-off
buyer (BG/NBD keeps it at 1).

Per customer (x repeat purchases, last at t_x, observed for T)::

    L = Gamma(r+x) alpha^r / Gamma(r) * B(a, b+x+1) / B(a, b)
        * [ (alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x) ]

    P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))

    E[Y(t) | x, t_x, T] = (a+b+x)/(a-1)
        * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))] * P(alive)

The hypergeometric term is evaluated in Euler's transformed form
``(1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z)``, whose series converges fast for every ``t`` (as in
:mod:`~paretocrm.analytics.models.bgnbd`). Reference values (CDNOW sample, the BTYDplus and
lifetimes fits): r = 0.525, alpha = 6.183, a = 0.891, b = 1.614.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from paretocrm.analytics.models.base import (
    ArrayLike,
    FloatArray,
    TransactionModel,
    as_horizon,
    check_rfm,
    probability_no_purchases_after,
)

__all__ = ["MBGNBDModel"]


class MBGNBDModel(TransactionModel):
    """The MBG/NBD model (Batislam, Denizel & Filiztekin 2007), parameters ``r, alpha, a, b``."""

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")

    def _initial_params(self) -> FloatArray:
        return np.array([0.5, 5.0, 1.0, 2.0])

    def _log_likelihood(self, params: FloatArray, data: tuple[FloatArray, ...]) -> FloatArray:
        r, alpha, a, b = params
        x, t_x, t_cal = data
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        head += betaln(a, b + x + 1) - betaln(a, b)
        alive = -(r + x) * np.log(alpha + t_cal)
        dropped = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
        result: FloatArray = head + np.logaddexp(alive, dropped)
        return result

    def _gradient_prepared(self, params: FloatArray, prepared: Any) -> FloatArray:
        """Analytic per-row gradient of the log-likelihood in (r, alpha, a, b)."""
        r, alpha, a, b = params
        x, t_x, t_cal = prepared
        log_age, log_recency = np.log(alpha + t_cal), np.log(alpha + t_x)
        # Share of the "dropped" term in the likelihood's sum (softmax weight).
        dropped = expit(np.log(a) - np.log(b + x) + (r + x) * (log_age - log_recency))
        alive = 1.0 - dropped
        result: FloatArray = np.empty((x.shape[0], 4), order="F")
        result[:, 0] = (
            digamma(r + x) - digamma(r) + np.log(alpha) - alive * log_age - dropped * log_recency
        )
        result[:, 1] = r / alpha - (r + x) * (alive / (alpha + t_cal) + dropped / (alpha + t_x))
        result[:, 2] = digamma(a + b) - digamma(a + b + x + 1) + dropped / a
        result[:, 3] = (
            digamma(b + x + 1)
            - digamma(a + b + x + 1)
            - digamma(b)
            + digamma(a + b)
            - dropped / (b + x)
        )
        return result

    def conditional_probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """P(alive | x, t_x, T), below 1 also for customers without a repeat purchase."""
        r, alpha, a, b = self._param_array()
        x, t_x, t_cal = check_rfm(frequency, recency, T)
        return _p_alive(r, alpha, a, b, x, t_x, t_cal)

    def conditional_probability_no_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """P(no purchase in ``(T, T + t]`` | x, t_x, T), see
        :func:`~paretocrm.analytics.models.base.probability_no_purchases_after`."""
        r, alpha, a, b = self._param_array()
        x, t_x, t_cal = check_rfm(frequency, recency, T)
        alive = _p_alive(r, alpha, a, b, x, t_x, t_cal)
        return probability_no_purchases_after(r, alpha, alive, x, t_cal, t)

    def expected_purchases(self, t: ArrayLike) -> FloatArray:
        """E[X(t)] = b/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-r, a-1; a+b; z)], z = t/(alpha+t)."""
        r, alpha, a, b = self._param_array()
        horizon = as_horizon(t)
        z = horizon / (alpha + horizon)
        transformed = (1 - z) ** (a - 1) * hyp2f1(a + b - r, a - 1, a + b, z)
        result: FloatArray = np.atleast_1d(np.asarray(b / (a - 1) * (1 - transformed)))
        return result

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T], expected purchases in the next ``t`` (Wagner & Hoppe 2008)."""
        r, alpha, a, b = self._param_array()
        x, t_x, t_cal = check_rfm(frequency, recency, T)
        horizon = as_horizon(t)
        z = horizon / (alpha + t_cal + horizon)
        transformed = (1 - z) ** (a - 1) * hyp2f1(a + b - r, a - 1, a + b + x, z)
        alive = _p_alive(r, alpha, a, b, x, t_x, t_cal)
        result: FloatArray = np.asarray(
            (a + b + x) / (a - 1) * (1 - transformed) * alive, dtype=np.float64
        )
        return result


def _p_alive(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: FloatArray,
    t_x: FloatArray,
    t_cal: FloatArray,
) -> FloatArray:
    log_odds_dead = (
        np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + t_cal) - np.log(alpha + t_x))
    )
    result: FloatArray = expit(-log_odds_dead)
    return result
