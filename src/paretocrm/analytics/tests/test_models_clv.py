"""Discounted CLV: agreement with the period-by-period definition, margin and discounting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.clv import WEEKS_PER_MONTH, customer_lifetime_value
from paretocrm.analytics.models.gammagamma import GammaGammaModel


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
