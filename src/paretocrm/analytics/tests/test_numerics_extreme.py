"""Extreme customers must give finite numbers, probabilities in [0, 1], and no warnings.

pyproject turns RuntimeWarnings raised in paretocrm modules into errors; the explicit
``warnings`` filter below also catches overflow/invalid warnings from numpy and scipy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from paretocrm.analytics.models.base import TransactionModel
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.clv import customer_lifetime_value
from paretocrm.analytics.models.gammagamma import GammaGammaModel
from paretocrm.analytics.models.paretonbd import ParetoNBDModel

# (x, t_x, T): heavy buyers, brand-new customers, very long silences, tiny recencies.
X = np.array([500, 0, 0, 1, 5000, 300, 200, 500, 0, 1])
T_X = np.array([1000, 0, 0, 0.001, 1000, 1e-3, 5000, 999.99, 0, 1e5])
T_CAL = np.array([1000, 0.001, 1e5, 1000, 1000, 1e5, 5000, 1000, 1e-9, 1e5])


def _models() -> list[TransactionModel]:
    bg = BGNBDModel()
    bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    pareto_a = ParetoNBDModel()
    pareto_a.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    pareto_b = ParetoNBDModel()  # alpha < beta: the other hypergeometric branch
    pareto_b.params_ = {"r": 0.553, "alpha": 1.5, "s": 1.8, "beta": 40.0}
    return [bg, pareto_a, pareto_b]


@pytest.fixture(autouse=True)
def _warnings_are_errors() -> None:
    warnings.simplefilter("error")


@pytest.mark.parametrize("model", _models(), ids=["bgnbd", "pareto-a>b", "pareto-a<b"])
def test_predictions_for_extreme_customers_are_finite_and_in_range(
    model: TransactionModel,
) -> None:
    alive = model.conditional_probability_alive(X, T_X, T_CAL)
    assert np.all(np.isfinite(alive)) and np.all((alive >= 0) & (alive <= 1))
    expected = model.conditional_expected_purchases(52.0, X, T_X, T_CAL)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    new = model.expected_purchases([0.0, 1e-9, 1e6])
    assert np.all(np.isfinite(new)) and np.all(np.diff(new) >= 0)
    params = np.array(list(model.params_.values()))
    ll = model._log_likelihood(params, (X.astype(float), T_X, T_CAL))
    assert np.all(np.isfinite(ll))


@pytest.mark.parametrize(
    "model_type",
    [BGNBDModel, pytest.param(ParetoNBDModel, marks=pytest.mark.slow)],  # ~7 s: slow 2F1 region
)
def test_fitting_data_with_extreme_customers_converges(
    model_type: type[TransactionModel],
) -> None:
    rng = np.random.default_rng(8)
    x = rng.poisson(2.0, 400).astype(float)
    t_cal = rng.uniform(20, 40, 400)
    t_x = np.where(x > 0, rng.uniform(0, 1, 400) * t_cal, 0.0)
    model = model_type(n_starts=1).fit(np.r_[x, X], np.r_[t_x, T_X], np.r_[t_cal, T_CAL])
    assert np.isfinite(model.log_likelihood_)
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())


def test_gamma_gamma_handles_huge_and_tiny_spend() -> None:
    model = GammaGammaModel()
    model.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    spend = model.conditional_expected_spend([1, 500, 0, 3], [1e12, 1e-9, 0.0, 1e300])
    assert np.all(np.isfinite(spend)) and np.all(spend > 0)
    ll = model._log_likelihood(
        np.array([6.25, 3.74, 15.44]), (np.array([1.0, 500]), np.array([1e12, 1e-9]))
    )
    assert np.all(np.isfinite(ll))


def test_clv_of_extreme_customers_is_finite_and_not_negative() -> None:
    spend = GammaGammaModel()
    spend.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    for model in _models():
        value = customer_lifetime_value(model, spend, X, T_X, T_CAL, np.full(X.size, 1e6))
        assert np.all(np.isfinite(value)) and np.all(value >= 0)
