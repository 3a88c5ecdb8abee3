"""Shifted-beta-geometric: retention curves, DERL against a brute-force sum, bad cohorts."""

from __future__ import annotations

import numpy as np
import pytest

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.models.sbg import SBGModel

HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


@pytest.fixture(scope="module")
def model() -> SBGModel:
    return SBGModel().fit(HIGH_END)


def test_survival_is_the_product_of_retention_rates(model: SBGModel) -> None:
    periods = np.arange(1, 13)
    np.testing.assert_allclose(model.survival(periods), np.cumprod(model.retention_rate(periods)))
    assert model.survival(0)[0] == 1.0


def test_retention_rises_with_tenure_as_heterogeneity_sorts_customers(model: SBGModel) -> None:
    assert np.all(np.diff(model.retention_rate(np.arange(1, 20))) > 0)


def test_churn_probabilities_and_survival_add_up(model: SBGModel) -> None:
    churned = model.churn_probability(np.arange(1, 8)).sum()
    assert churned + model.survival(7)[0] == pytest.approx(1.0)


def test_fitted_curve_follows_the_observed_cohort(model: SBGModel) -> None:
    predicted = 1000 * model.survival(np.arange(8))
    np.testing.assert_allclose(predicted, HIGH_END, rtol=0.03)


@pytest.mark.parametrize("renewals", [0, 4])
def test_derl_equals_the_discounted_sum_of_survival(model: SBGModel, renewals: int) -> None:
    d, n = 0.1, renewals + 1
    t = np.arange(n, 4_000)
    brute = np.sum(model.survival(t) / model.survival(n - 1) / (1 + d) ** (t - n))
    derl = model.discounted_expected_residual_lifetime(d, renewals)[0]
    assert derl == pytest.approx(brute, rel=1e-9)


def test_rising_or_too_short_cohorts_are_refused() -> None:
    with pytest.raises(DataContractError, match="higher than the count before them"):
        SBGModel().fit([100, 80, 90])
    with pytest.raises(DataContractError, match="at least two"):
        SBGModel().fit([100])
    with pytest.raises(ConfigurationError, match="discount_rate"):
        SBGModel().fit(HIGH_END).discounted_expected_residual_lifetime(0.0)
