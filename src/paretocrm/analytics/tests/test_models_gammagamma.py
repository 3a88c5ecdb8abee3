"""Gamma-Gamma: fitting on repeat buyers only, shrinkage of expected spend, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from paretocrm.analytics.exceptions import ConvergenceError, DataContractError
from paretocrm.analytics.models.gammagamma import GammaGammaModel


def _model() -> GammaGammaModel:
    model = GammaGammaModel()
    model.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    return model


def test_customers_without_repeat_purchases_do_not_change_the_fit() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(1, 8, 300).astype(float)
    m = rng.gamma(6.0, 6.0, 300)
    with_zeros = GammaGammaModel().fit(np.r_[x, [0, 0, 0]], np.r_[m, [0, 0, 0]])
    without = GammaGammaModel().fit(x, m)
    assert with_zeros.params_ == without.params_
    assert with_zeros.n_customers_ == 300


def test_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(6)
    p, q, gamma, n = 4.0, 5.0, 20.0, 3_000
    nu = rng.gamma(q, 1 / gamma, n)
    x = rng.integers(1, 10, n)
    means = np.array([rng.gamma(p, 1 / nu[i], x[i]).mean() for i in range(n)])
    model = GammaGammaModel().fit(x, means)
    for name, value in {"p": p, "q": q, "gamma": gamma}.items():
        assert abs(model.params_[name] - value) < 3 * model.standard_errors_[name], name


def test_expected_spend_lies_between_the_own_mean_and_the_population_mean() -> None:
    model = _model()
    population = model.expected_average_spend()
    spend = model.conditional_expected_spend([1, 10, 50], [100.0, 100.0, 100.0])
    assert np.all(spend < 100.0) and np.all(spend > population)
    # More purchases -> more weight on the customer's own mean.
    assert spend[0] < spend[1] < spend[2]
    assert model.conditional_expected_spend([0], [0.0])[0] == pytest.approx(population)


def test_repeat_buyers_with_zero_spend_are_refused_by_position() -> None:
    with pytest.raises(DataContractError, match=r"monetary_value: 1 value\(s\) .* position 1"):
        GammaGammaModel().fit([1, 2, 0], [10.0, 0.0, 5.0])
    with pytest.raises(DataContractError, match="no repeat buyers"):
        GammaGammaModel().fit([0, 0], [0.0, 0.0])


def test_data_that_do_not_identify_the_model_raise_convergence_error() -> None:
    # Every purchase worth exactly the same: no spread to estimate p from.
    with pytest.raises(ConvergenceError, match="ran off to 0 or infinity"):
        GammaGammaModel().fit([1, 2, 3, 4, 1, 2, 3, 4], [10.0] * 8)
