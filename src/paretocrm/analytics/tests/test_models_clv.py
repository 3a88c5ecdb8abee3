"""Discounted CLV: agreement with the period-by-period definition, margin and discounting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.models.base import TransactionModel
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.clv import WEEKS_PER_MONTH, customer_lifetime_value
from paretocrm.analytics.models.gammagamma import GammaGammaModel
from paretocrm.analytics.models.paretonbd import ParetoNBDModel


@pytest.fixture(scope="module")
def fitted(cdnow_summary: pd.DataFrame) -> tuple[BGNBDModel, GammaGammaModel, pd.DataFrame]:
    s = cdnow_summary
    bg = BGNBDModel().fit(s["frequency"], s["recency"], s["T"])
    gg = GammaGammaModel().fit(s["frequency"], s["monetary_value"])
    return bg, gg, s.iloc[:200]


def test_clv_equals_the_loop_over_periods_of_lifetimes(
    fitted: tuple[BGNBDModel, GammaGammaModel, pd.DataFrame],
) -> None:
    bg, gg, s = fitted
    args = (s["frequency"], s["recency"], s["T"])
    value = customer_lifetime_value(bg, gg, *args, s["monetary_value"], discount_rate=0.02)
    spend = gg.conditional_expected_spend(s["frequency"], s["monetary_value"])
    loop = np.zeros(len(s))
    for month in range(1, 13):
        now = bg.conditional_expected_purchases(month * WEEKS_PER_MONTH, *args)
        before = bg.conditional_expected_purchases((month - 1) * WEEKS_PER_MONTH, *args)
        loop += spend * (now - before) / 1.02**month
    np.testing.assert_allclose(value, loop, rtol=1e-12)


def test_margin_scales_and_discounting_lowers_the_value(
    fitted: tuple[BGNBDModel, GammaGammaModel, pd.DataFrame],
) -> None:
    bg, gg, s = fitted
    args = (s["frequency"], s["recency"], s["T"], s["monetary_value"])
    full = customer_lifetime_value(bg, gg, *args, discount_rate=0.0)
    half = customer_lifetime_value(bg, gg, *args, discount_rate=0.0, margin=0.5)
    discounted = customer_lifetime_value(bg, gg, *args, discount_rate=0.05)
    np.testing.assert_allclose(half, full / 2)
    assert np.all(discounted < full) and np.all(discounted > 0)


def test_bad_settings_are_named(fitted: tuple[BGNBDModel, GammaGammaModel, pd.DataFrame]) -> None:
    bg, gg, s = fitted
    args = (s["frequency"], s["recency"], s["T"], s["monetary_value"])
    with pytest.raises(ConfigurationError, match="periods must be a whole number >= 1"):
        customer_lifetime_value(bg, gg, *args, periods=0)
    with pytest.raises(ConfigurationError, match="discount_rate must be > -1"):
        customer_lifetime_value(bg, gg, *args, discount_rate=-2.0)


def test_bgnbd_weighted_sum_over_distinct_pairs_equals_the_generic_sum(
    fitted: tuple[BGNBDModel, GammaGammaModel, pd.DataFrame],
) -> None:
    # BG/NBD sums its hypergeometric terms per distinct (x, T); the base class builds the
    # periods x customers array. Both must give the same weighted expectation.
    bg, _, s = fitted
    args = (s["frequency"], s["recency"], s["T"])
    ends = np.arange(1, 7) * 4.0
    weights = np.linspace(1.0, 0.2, 6)
    generic = TransactionModel.weighted_expected_purchases(bg, ends, weights, *args)
    np.testing.assert_allclose(
        bg.weighted_expected_purchases(ends, weights, *args), generic, rtol=1e-12
    )


def test_pareto_nbd_clv_uses_the_generic_weighted_sum(cdnow_summary: pd.DataFrame) -> None:
    s = cdnow_summary.iloc[:300]
    pnbd = ParetoNBDModel().fit(
        cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    gg = GammaGammaModel().fit(cdnow_summary["frequency"], cdnow_summary["monetary_value"])
    args = (s["frequency"], s["recency"], s["T"])
    value = customer_lifetime_value(pnbd, gg, *args, s["monetary_value"], periods=3)
    spend = gg.conditional_expected_spend(s["frequency"], s["monetary_value"])
    expected = sum(
        spend
        * (
            pnbd.conditional_expected_purchases(k * WEEKS_PER_MONTH, *args)
            - pnbd.conditional_expected_purchases((k - 1) * WEEKS_PER_MONTH, *args)
        )
        / 1.01**k
        for k in range(1, 4)
    )
    np.testing.assert_allclose(value, expected, rtol=1e-10)


def test_weights_must_match_the_horizons(
    fitted: tuple[BGNBDModel, GammaGammaModel, pd.DataFrame],
) -> None:
    bg, _, s = fitted
    with pytest.raises(ConfigurationError, match="weights must be 3 finite numbers"):
        bg.weighted_expected_purchases([1, 2, 3], [1.0, 0.5], s["frequency"], s["recency"], s["T"])
