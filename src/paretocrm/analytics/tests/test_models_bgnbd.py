"""BG/NBD: properties of the predictions and recovery of known parameters from simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import hyp2f1

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.models.bgnbd import BGNBDModel

PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _model(**params: float) -> BGNBDModel:
    model = BGNBDModel()
    model.params_ = params or dict(PARAMS)
    return model


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, horizon: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers who all start at 0 and are watched until ``horizon`` (the BG/NBD story)."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    frequency, recency = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / rates[i])
            if t > horizon:
                break
            frequency[i] += 1
            recency[i] = t
            if rng.random() < dropout[i]:
                break
    return frequency, recency, np.full(n, horizon)


def test_fit_recovers_the_parameters_of_simulated_customers() -> None:
    truth = {"r": 0.8, "alpha": 5.0, "a": 0.6, "b": 2.5}
    x, t_x, t_cal = simulate_bgnbd(4_000, **truth, horizon=52.0, seed=1)
    model = BGNBDModel().fit(x, t_x, t_cal)
    for name, value in truth.items():
        low, high = model.summary.loc[name, ["lower 95%", "upper 95%"]]
        # A generous band: 3 standard errors either side.
        se = model.standard_errors_[name]
        assert model.params_[name] - 3 * se < value < model.params_[name] + 3 * se, (
            name,
            low,
            high,
        )


def test_expected_purchases_agrees_with_the_mean_of_simulated_counts() -> None:
    x, _, _ = simulate_bgnbd(20_000, **PARAMS, horizon=30.0, seed=2)
    expected = float(_model().expected_purchases(30.0)[0])
    standard_error = x.std() / np.sqrt(x.size)
    assert abs(x.mean() - expected) < 4 * standard_error


def test_euler_transformed_formula_equals_the_papers_direct_formula() -> None:
    r, alpha, a, b = PARAMS.values()
    x, t_x, t_cal, t = 3.0, 20.0, 35.0, 26.0
    z = t / (alpha + t_cal + t)
    direct = (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + t_cal) / (alpha + t_cal + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1, z)
        )
        / (1 + a / (b + x - 1) * ((alpha + t_cal) / (alpha + t_x)) ** (r + x))
    )
    ours = _model().conditional_expected_purchases(t, x, t_x, t_cal)[0]
    assert ours == pytest.approx(direct, rel=1e-10)


def test_probability_alive_is_one_without_repeat_purchases_and_falls_with_silence() -> None:
    model = _model()
    assert model.conditional_probability_alive([0, 0], [0, 0], [1.0, 80.0]).tolist() == [1.0, 1.0]
    p = model.conditional_probability_alive([4, 4, 4], [10, 10, 10], [10.0, 30.0, 60.0])
    assert p[0] > p[1] > p[2] > 0


def test_conditional_expectation_grows_with_the_horizon_and_starts_at_zero() -> None:
    values = _model().conditional_expected_purchases(
        np.array([[0.0], [10.0], [50.0]]), [2, 5], [20.0, 30.0], [30.0, 35.0]
    )
    assert values.shape == (3, 2)
    np.testing.assert_allclose(values[0], 0.0, atol=1e-12)
    assert np.all(np.diff(values, axis=0) > 0)


def test_bad_inputs_name_the_argument() -> None:
    model = _model()
    with pytest.raises(DataContractError, match=r"recency: 1 value\(s\) are greater than T"):
        model.conditional_probability_alive([1], [10.0], [5.0])
    with pytest.raises(DataContractError, match=r"frequency: .* whole numbers"):
        model.fit([1.5, 2], [1, 2], [3, 4])
    with pytest.raises(DataContractError, match="same length"):
        model.fit([1, 2], [1], [3, 4])
    with pytest.raises(ConfigurationError, match="t must be finite and >= 0"):
        model.expected_purchases(-1)
