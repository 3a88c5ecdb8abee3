"""Pareto/NBD: Poisson purchases while alive, exponential lifetimes, gamma heterogeneity.

Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting Your Customers: Who Are
They and What Will They Do Next? *Management Science* 33(1), 1-24.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). A Note on Implementing the Pareto/NBD
Model in MATLAB (http://brucehardie.com/notes/008/) - the likelihood with the Gauss
hypergeometric function and the switch on ``|alpha - beta|`` used here.

Purchase rate ``lambda ~ Gamma(r, alpha)``, dropout rate ``mu ~ Gamma(s, beta)``. The
hypergeometric terms are evaluated after Euler's transformation,
``2F1(a, b; c; z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z)``, which turns them into series with
first argument 1 (all terms positive, no overflow for heavy buyers), and in log space.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

import numpy as np
from scipy import integrate
from scipy.special import expit, gammaln, hyp2f1

from paretocrm.analytics.models.base import (
    ArrayLike,
    FloatArray,
    TransactionModel,
    as_horizon,
    check_rfm,
)


class ParetoNBDModel(TransactionModel):
    """The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), parameters
    ``r, alpha, s, beta``."""

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")

    def _initial_params(self) -> FloatArray:
        return np.array([0.5, 10.0, 0.5, 10.0])

    def _log_likelihood(self, params: FloatArray, data: tuple[FloatArray, ...]) -> FloatArray:
        """Equation (19) of the 2005 note: log L(r, alpha, s, beta | x, t_x, T)."""
        r, alpha, s, beta = params
        x, t_x, t_cal = data
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = -(r + x) * np.log(alpha + t_cal) - s * np.log(beta + t_cal)
        dead = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, t_x, t_cal)
        result: FloatArray = head + np.logaddexp(alive, dead)
        return result

    def conditional_probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """P(alive | x, t_x, T), equation (11) of Schmittlein et al. in the 2005 note's form."""
        r, alpha, s, beta = self._param_array()
        x, t_x, t_cal = check_rfm(frequency, recency, T)
        return _p_alive(r, alpha, s, beta, x, t_x, t_cal)

    def expected_purchases(self, t: ArrayLike) -> FloatArray:
        """E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)] for a new customer."""
        r, alpha, s, beta = self._param_array()
        horizon = as_horizon(t)
        result: FloatArray = np.atleast_1d(r / alpha * _dropout_integral(s, beta, horizon))
        return result

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T] = (r+x)/(alpha+T) * (beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)]
        * P(alive) (Schmittlein et al. 1987, equation 22)."""
        r, alpha, s, beta = self._param_array()
        x, t_x, t_cal = check_rfm(frequency, recency, T)
        horizon = as_horizon(t)
        rate = (r + x) / (alpha + t_cal)
        alive = _p_alive(r, alpha, s, beta, x, t_x, t_cal)
        result: FloatArray = np.asarray(
            rate * _dropout_integral(s, beta + t_cal, horizon) * alive, dtype=np.float64
        )
        return result


def _dropout_integral(s: float, beta: FloatArray | float, horizon: FloatArray) -> FloatArray:
    """``beta/(s-1) [1 - (beta/(beta+t))^(s-1)]``: expected alive time in the next ``t``;
    the ``s -> 1`` limit ``beta log(1 + t/beta)`` is used near 1."""
    log_ratio = np.log1p(horizon / beta)
    if abs(s - 1.0) < 1e-8:
        result: FloatArray = np.asarray(beta * log_ratio, dtype=np.float64)
        return result
    result = np.asarray(-beta * np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0), dtype=np.float64)
    return result


def _log_a0(
    r: float,
    alpha: float,
    s: float,
    beta: float,
    x: FloatArray,
    t_x: FloatArray,
    t_cal: FloatArray,
) -> FloatArray:
    """log A0 of the 2005 note: log(F(t_x) - F(T)), F the hypergeometric term.

    scipy's ``hyp2f1`` returns NaN for some large parameters with ``z`` near 1; for those rows
    A0 is computed from its definition instead, ``A0 = (r+s+x) * integral from t_x to T of
    (alpha+tau)^-(r+x) (beta+tau)^-(s+1) d tau``, by adaptive quadrature.
    """
    x, t_x, t_cal = np.broadcast_arrays(x, t_x, t_cal)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        at_last = _log_hypergeometric_term(r, alpha, s, beta, x, t_x)
        at_end = _log_hypergeometric_term(r, alpha, s, beta, x, t_cal)
        difference = np.minimum(at_end - at_last, 0.0)
        # log(e^u - e^v) = u + log(1 - e^(v-u)); -inf when t_x == T (no time to die unseen).
        result: FloatArray = at_last + np.log(-np.expm1(difference))
    failed = np.flatnonzero(~np.isfinite(at_last) | ~np.isfinite(at_end))
    if failed.size:
        result = np.array(result, dtype=np.float64, copy=True)
        for i in failed:
            result[i] = _log_a0_by_quadrature(r, alpha, s, beta, x[i], t_x[i], t_cal[i])
    return result


def _log_a0_by_quadrature(
    r: float, alpha: float, s: float, beta: float, x: float, t_x: float, t_cal: float
) -> float:
    """log A0 from the integral that defines it, scaled by the integrand at t_x (its maximum,
    the integrand decreases) so that tiny values do not underflow."""
    if t_cal <= t_x:
        return float("-inf")

    def log_integrand(tau: float) -> float:
        return float(-(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau))

    peak = log_integrand(t_x)
    # The integrand can fall by many orders of magnitude within a tiny fraction of [t_x, T]:
    # break the interval at geometric multiples of its initial e-folding width.
    width = 1.0 / ((r + x) / (alpha + t_x) + (s + 1) / (beta + t_x))
    breaks = t_x + width * np.logspace(0, 12, 13)
    edges = np.concatenate([[t_x], breaks[breaks < t_cal], [t_cal]])
    total = 0.0
    for low, high in itertools.pairwise(edges):
        piece, _ = integrate.quad(
            lambda tau: np.exp(log_integrand(tau) - peak), low, high, epsabs=0.0, epsrel=1e-10
        )
        total += piece
    return float(np.log(r + s + x) + peak + np.log(total))


def _log_hypergeometric_term(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, y: FloatArray
) -> FloatArray:
    """log of ``2F1(r+s+x, s+1 | r+x; r+s+x+1; z(y)) / (max(alpha, beta) + y)^(r+s+x)``.

    For alpha >= beta, z = (alpha-beta)/(alpha+y) and after Euler's transformation the term is
    ``(beta+y)^-s (alpha+y)^-(r+x) 2F1(1, r+x; r+s+x+1; z)``; for alpha < beta,
    z = (beta-alpha)/(beta+y) and it is ``(alpha+y)^(1-r-x) (beta+y)^-(s+1) 2F1(1, s+1; ...)``.
    """
    c = r + s + x + 1
    if alpha >= beta:
        z = (alpha - beta) / (alpha + y)
        series = hyp2f1(1.0, r + x, c, z)
        result: FloatArray = -s * np.log(beta + y) - (r + x) * np.log(alpha + y) + np.log(series)
        return result
    z = (beta - alpha) / (beta + y)
    series = hyp2f1(1.0, s + 1, c, z)
    result = (1 - r - x) * np.log(alpha + y) - (s + 1) * np.log(beta + y) + np.log(series)
    return result


def _p_alive(
    r: float,
    alpha: float,
    s: float,
    beta: float,
    x: FloatArray,
    t_x: FloatArray,
    t_cal: FloatArray,
) -> FloatArray:
    """1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0), via expit of the log odds."""
    log_odds_dead = (
        np.log(s)
        - np.log(r + s + x)
        + (r + x) * np.log(alpha + t_cal)
        + s * np.log(beta + t_cal)
        + _log_a0(r, alpha, s, beta, x, t_x, t_cal)
    )
    result: FloatArray = expit(-log_odds_dead)
    return result
