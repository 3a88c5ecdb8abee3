"""Shifted-beta-geometric (sBG) model of contract renewals.

Fader, P. S. & Hardie, B. G. S. (2007). How to Project Customer Retention. *Journal of
Interactive Marketing* 21(1), 76-90.

Fader, P. S. & Hardie, B. G. S. (2010). Customer-Base Valuation in a Contractual Setting: The
Perils of Ignoring Heterogeneity. *Marketing Science* 29(1), 85-93 - the discounted expected
residual lifetime (DERL).

At the end of every period each customer churns with their own probability
``theta ~ Beta(alpha, beta)``. The data are the numbers of customers still active at the
start of periods 0, 1, ..., n of one cohort.
"""

from __future__ import annotations

from typing import ClassVar, Self

import numpy as np
from scipy.special import betaln, hyp2f1

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.models.base import (
    ArrayLike,
    BaseFitter,
    FloatArray,
    as_float_array,
    require,
)


class SBGModel(BaseFitter):
    """The shifted-beta-geometric retention model, parameters ``alpha, beta``."""

    param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta")

    def _initial_params(self) -> FloatArray:
        return np.array([1.0, 1.0])

    def fit(self, active: ArrayLike) -> Self:
        """Fit on one cohort's counts of active customers at the start of periods 0..n.

        Customers lost between two starts churned in that period (equation 2, P(T = t));
        those still active at the last start are censored (equation 3, S(n)). ``n_customers_``
        is the cohort size ``active[0]``.

        Raises:
            DataContractError: fewer than two counts, a negative count, or a count that
                rises (customers cannot come back in this model).
        """
        counts = as_float_array("active", active)
        if counts.size < 2:
            raise DataContractError("active: need the counts of at least two period starts")
        require(counts >= 0, "active", "are negative", counts)
        require(counts[0] > 0, "active", "start at zero customers", counts[:1])
        rises = np.concatenate([[True], np.diff(counts) <= 0])
        require(rises, "active", "are higher than the count before them", counts)
        periods = np.arange(1, counts.size, dtype=np.float64)
        churned = -np.diff(counts)
        last = float(counts.size - 1)
        # Rows (period, censored) with weights: churned in period t, or still active at n.
        period_column = np.concatenate([periods, [last]])
        censored_column = np.concatenate([np.zeros(periods.size), [1.0]])
        weights = np.concatenate([churned, counts[-1:]])
        return self._fit_rows((period_column, censored_column), weights)

    def _log_likelihood(self, params: FloatArray, data: tuple[FloatArray, ...]) -> FloatArray:
        """log P(T = t) = log B(alpha+1, beta+t-1) - log B(alpha, beta) for churners and
        log S(t) = log B(alpha, beta+t) - log B(alpha, beta) for the censored."""
        alpha, beta = params
        t, censored = data
        churn = betaln(alpha + 1, beta + t - 1) - betaln(alpha, beta)
        survive = betaln(alpha, beta + t) - betaln(alpha, beta)
        result: FloatArray = np.where(censored > 0, survive, churn)
        return result

    def survival(self, t: ArrayLike) -> FloatArray:
        """S(t) = B(alpha, beta+t) / B(alpha, beta): share of a cohort still active after t
        periods."""
        alpha, beta = self._param_array()
        periods = _periods(t)
        result: FloatArray = np.exp(betaln(alpha, beta + periods) - betaln(alpha, beta))
        return result

    def churn_probability(self, t: ArrayLike) -> FloatArray:
        """P(T = t), the share of a cohort that churns in period t (t >= 1)."""
        alpha, beta = self._param_array()
        periods = _periods(t, minimum=1)
        result: FloatArray = np.exp(betaln(alpha + 1, beta + periods - 1) - betaln(alpha, beta))
        return result

    def retention_rate(self, t: ArrayLike) -> FloatArray:
        """r_t = (beta + t - 1) / (alpha + beta + t - 1), equation (4): the share of those
        active in period t-1 who renew for period t (t >= 1); it rises with t."""
        alpha, beta = self._param_array()
        periods = _periods(t, minimum=1)
        result: FloatArray = (beta + periods - 1) / (alpha + beta + periods - 1)
        return result

    def discounted_expected_residual_lifetime(
        self, discount_rate: float, renewals: ArrayLike = 0
    ) -> FloatArray:
        """DERL (Fader & Hardie 2010, equation 6) of a customer who has just made
        ``renewals`` renewals (n - 1 in the paper), at the end of period n, before deciding
        on the next renewal:

        ``DERL = (beta+n-1)/(alpha+beta+n-1) * 2F1(1, beta+n; alpha+beta+n; 1/(1+d))``,

        the expected discounted number of further periods (payments at each renewal).
        """
        if not np.isfinite(discount_rate) or discount_rate <= 0:
            raise ConfigurationError(f"discount_rate must be > 0, got {discount_rate!r}")
        alpha, beta = self._param_array()
        n = _periods(renewals) + 1
        lead = (beta + n - 1) / (alpha + beta + n - 1)
        result: FloatArray = lead * hyp2f1(1.0, beta + n, alpha + beta + n, 1 / (1 + discount_rate))
        return result


def _periods(t: ArrayLike, minimum: int = 0) -> FloatArray:
    periods = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if not np.all(np.isfinite(periods)) or np.any(periods < minimum):
        raise ConfigurationError(f"t must be whole periods >= {minimum}, got {t!r}")
    return periods
