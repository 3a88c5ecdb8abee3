"""Discounted customer lifetime value from a purchase model and a spend model.

CLV = margin * sum over periods k = 1..K of
``E[purchases in period k | x, t_x, T] * E[spend | x, m] / (1 + d)^k``,

the periodic discounted sum of Fader, Hardie & Lee (2005, *JMR* "RFM and CLV") as implemented
in the ``lifetimes`` package's ``customer_lifetime_value`` - here vectorised over customers and
periods at once. The expected purchases in period k are the difference of the conditional
expectations up to the end of periods k and k-1.
"""

from __future__ import annotations

import numpy as np

from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.models.base import ArrayLike, FloatArray, TransactionModel, check_rfm
from paretocrm.analytics.models.gammagamma import GammaGammaModel

#: Weeks in an average month (365.25 / 12 / 7).
WEEKS_PER_MONTH = 365.25 / 12 / 7


def customer_lifetime_value(
    transaction_model: TransactionModel,
    spend_model: GammaGammaModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary_value: ArrayLike,
    *,
    periods: int = 12,
    units_per_period: float = WEEKS_PER_MONTH,
    discount_rate: float = 0.01,
    margin: float = 1.0,
) -> FloatArray:
    """Discounted value of each customer's expected purchases over the next ``periods``.

    Args:
        transaction_model: a fitted BG/NBD or Pareto/NBD model.
        spend_model: a fitted Gamma-Gamma model.
        frequency, recency, T, monetary_value: the per-customer summary, in the time unit
            the models were fitted in.
        periods: number of discounting periods (default 12 months).
        units_per_period: model time units per period (default: weeks per month).
        discount_rate: discount rate per period (default 1 % a month).
        margin: profit margin applied to the spend (1.0 = revenue).

    Returns:
        One value per customer, in the currency of ``monetary_value``.
    """
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise ConfigurationError(f"periods must be a whole number >= 1, got {periods!r}")
    if not np.isfinite(units_per_period) or units_per_period <= 0:
        raise ConfigurationError(f"units_per_period must be > 0, got {units_per_period!r}")
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ConfigurationError(f"discount_rate must be > -1, got {discount_rate!r}")
    if not np.isfinite(margin):
        raise ConfigurationError(f"margin must be a finite number, got {margin!r}")
    x, t_x, t_cal = check_rfm(frequency, recency, T)
    spend = spend_model.conditional_expected_spend(x, monetary_value)
    return lifetime_value(
        transaction_model,
        spend,
        x,
        t_x,
        t_cal,
        periods=periods,
        units_per_period=units_per_period,
        discount_rate=discount_rate,
        margin=margin,
    )


def lifetime_value(
    transaction_model: TransactionModel,
    spend: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    periods: int = 12,
    units_per_period: float = WEEKS_PER_MONTH,
    discount_rate: float = 0.01,
    margin: float = 1.0,
) -> FloatArray:
    """The same discounted sum with each customer's expected ``spend`` per purchase given
    (from Gamma-Gamma or one of its fallbacks, :mod:`paretocrm.analytics.spend`)."""
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise ConfigurationError(f"periods must be a whole number >= 1, got {periods!r}")
    if not np.isfinite(units_per_period) or units_per_period <= 0:
        raise ConfigurationError(f"units_per_period must be > 0, got {units_per_period!r}")
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ConfigurationError(f"discount_rate must be > -1, got {discount_rate!r}")
    if not np.isfinite(margin):
        raise ConfigurationError(f"margin must be a finite number, got {margin!r}")
    x, t_x, t_cal = check_rfm(frequency, recency, T)
    spend = np.asarray(spend, dtype=np.float64)
    ends = np.arange(1, periods + 1, dtype=np.float64) * units_per_period
    discount = (1.0 + discount_rate) ** -np.arange(1, periods + 1, dtype=np.float64)
    # sum_k d_k (C_k - C_{k-1}) = sum_k C_k (d_k - d_{k+1}) with d_{K+1} = 0: the same sum
    # without the per-period differences, as one weighted sum the model can take cheaply.
    weights = discount - np.append(discount[1:], 0.0)
    purchases = transaction_model.weighted_expected_purchases(ends, weights, x, t_x, t_cal)
    result: FloatArray = margin * spend * purchases
    return result
