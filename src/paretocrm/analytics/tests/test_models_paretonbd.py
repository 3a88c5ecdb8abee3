"""Pareto/NBD: branch continuity of the likelihood, predictions, simulation recovery."""

from __future__ import annotations

import numpy as np
import pytest

from paretocrm.analytics.models.paretonbd import (
    ParetoNBDModel,
    _dropout_integral,
    _log_a0,
    _log_a0_by_quadrature,
)

PARAMS = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
DATA = (np.array([0.0, 1, 4, 12]), np.array([0.0, 5, 20, 30]), np.array([30.0, 32, 35, 36]))


def _model(**params: float) -> ParetoNBDModel:
    model = ParetoNBDModel()
    model.params_ = params or dict(PARAMS)
    return model


def simulate_pareto_nbd(
    n: int, r: float, alpha: float, s: float, beta: float, horizon: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rates = rng.gamma(r, 1 / alpha, n)
    lifetimes = rng.exponential(1 / rng.gamma(s, 1 / beta, n))
    frequency, recency = np.zeros(n), np.zeros(n)
    for i in range(n):
        end = min(lifetimes[i], horizon)
        times = np.cumsum(rng.exponential(1 / rates[i], size=200))
        seen = times[times <= end]
        frequency[i] = seen.size
        recency[i] = seen[-1] if seen.size else 0.0
    return frequency, recency, np.full(n, horizon)


@pytest.mark.parametrize("gap", [1e-6, 1e-3])
def test_likelihood_is_continuous_across_the_alpha_beta_switch(gap: float) -> None:
    model = ParetoNBDModel()
    below = model._log_likelihood(np.array([0.5, 10.0 - gap, 0.6, 10.0]), DATA)
    above = model._log_likelihood(np.array([0.5, 10.0 + gap, 0.6, 10.0]), DATA)
    np.testing.assert_allclose(below, above, atol=10 * gap)


def test_fit_recovers_the_parameters_of_simulated_customers() -> None:
    truth = {"r": 0.9, "alpha": 6.0, "s": 0.8, "beta": 15.0}
    x, t_x, t_cal = simulate_pareto_nbd(4_000, **truth, horizon=52.0, seed=3)
    model = ParetoNBDModel().fit(x, t_x, t_cal)
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 3 * se, name


def test_expected_purchases_agrees_with_the_mean_of_simulated_counts() -> None:
    x, _, _ = simulate_pareto_nbd(20_000, **PARAMS, horizon=40.0, seed=4)
    expected = float(_model().expected_purchases(40.0)[0])
    assert abs(x.mean() - expected) < 4 * x.std() / np.sqrt(x.size)


def test_probability_alive_is_one_when_the_last_purchase_is_now() -> None:
    p = _model().conditional_probability_alive([3, 3], [36.0, 10.0], [36.0, 36.0])
    assert p[0] == pytest.approx(1.0)
    assert 0 < p[1] < p[0]


def test_dropout_integral_is_continuous_at_s_equal_one() -> None:
    horizon = np.array([5.0, 52.0])
    at_one = _dropout_integral(1.0, 12.0, horizon)
    near_one = _dropout_integral(1.0 + 1e-6, 12.0, horizon)
    np.testing.assert_allclose(at_one, near_one, rtol=1e-5)


def test_conditional_expectation_is_rate_times_expected_alive_time() -> None:
    model = _model()
    x, t_x, t_cal = 2, 20.0, 30.0
    r, alpha, s, beta = PARAMS.values()
    alive = model.conditional_probability_alive(x, t_x, t_cal)[0]
    expected = (r + x) / (alpha + t_cal) * (beta + t_cal) / (s - 1)
    expected *= 1 - ((beta + t_cal) / (beta + t_cal + 39)) ** (s - 1)
    value = model.conditional_expected_purchases(39, x, t_x, t_cal)[0]
    assert value == pytest.approx(expected * alive, rel=1e-12)


def test_closed_form_a0_equals_its_defining_integral_over_a_wide_range() -> None:
    rng = np.random.default_rng(9)
    for _ in range(200):
        r, s = rng.uniform(0.1, 3, 2)
        alpha, beta = np.exp(rng.uniform(-3, 6, 2))
        x = float(rng.choice([0, 1, 3, 20, 300, 5000]))
        t_cal = float(np.exp(rng.uniform(-3, 8)))
        t_x = float(t_cal * rng.uniform(0, 0.999)) if x else 0.0
        closed = _log_a0(r, alpha, s, beta, np.array([x]), np.array([t_x]), np.array([t_cal]))[0]
        integral = _log_a0_by_quadrature(r, alpha, s, beta, x, t_x, t_cal)
        assert closed == pytest.approx(integral, rel=1e-9), (r, alpha, s, beta, x, t_x, t_cal)
