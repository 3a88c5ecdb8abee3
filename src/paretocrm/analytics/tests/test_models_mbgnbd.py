"""MBG/NBD: the reference fit on the CDNOW sample and the model's defining property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime
from scipy.special import hyp2f1

from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.mbgnbd import MBGNBDModel

#: BTYDplus' MBG/NBD fit of the CDNOW sample (also lifetimes' ModifiedBetaGeoFitter test).
REFERENCE = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}


@pytest.fixture(scope="module")
def fitted(cdnow_summary: pd.DataFrame) -> MBGNBDModel:
    s = cdnow_summary
    return MBGNBDModel().fit(s["frequency"], s["recency"], s["T"])


def test_fit_on_the_cdnow_sample_matches_the_reference_values(fitted: MBGNBDModel) -> None:
    assert {k: round(v, 3) for k, v in fitted.params_.items()} == REFERENCE
    assert all(np.isfinite(v) and v > 0 for v in fitted.standard_errors_.values())


def test_conditional_expectation_matches_the_closed_form_and_hardies_sheet(
    fitted: MBGNBDModel,
) -> None:
    r, alpha, a, b = (fitted.params_[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T, t = 2.0, 30.43, 38.86, 39.0
    # The untransformed formula (lifetimes' form), evaluated directly.
    hyp = hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + T + t))
    numerator = (a + b + x) / (a - 1) * (1 - hyp * ((alpha + T) / (alpha + T + t)) ** (r + x))
    denominator = 1 + a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    value = fitted.conditional_expected_purchases(t, x, t_x, T)[0]
    assert value == pytest.approx(numerator / denominator, rel=1e-9)
    assert abs(value - 1.226) < 0.05  # Hardie's spreadsheet value for BG/NBD
    expected = fitted.expected_purchases([1.0, 3.0, 32.0, 78.0])
    np.testing.assert_allclose(expected, [0.0532, 0.1506, 1.0437, 1.8576], rtol=0.05)


def test_a_customer_without_repeat_purchase_is_not_certainly_alive(fitted: MBGNBDModel) -> None:
    alive = fitted.conditional_probability_alive([0, 0, 0], [0, 0, 0], [1.0, 20.0, 60.0])
    assert (alive < 1).all() and alive[0] > alive[1] > alive[2]
    bgnbd = BGNBDModel()
    bgnbd.params_ = dict(REFERENCE)
    assert (bgnbd.conditional_probability_alive([0, 0], [0, 0], [1.0, 60.0]) == 1).all()


def test_analytic_gradient_matches_finite_differences(cdnow_summary: pd.DataFrame) -> None:
    s = cdnow_summary
    data = tuple(s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    model = MBGNBDModel()
    params = np.array([0.4, 5.0, 1.2, 2.0])
    analytic = model._gradient_prepared(params, data).sum(axis=0)
    numeric = approx_fprime(params, lambda p: model._log_likelihood(p, data).sum(), 1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4)


def test_probability_of_no_purchase_in_the_holdout(fitted: MBGNBDModel) -> None:
    """Dead, or alive and silent: 1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+t))^(r+x)."""
    r, alpha = fitted.params_["r"], fitted.params_["alpha"]
    x, t_x, T = np.array([0.0, 2.0, 9.0]), np.array([0.0, 30.43, 20.0]), np.array([38.86] * 3)
    alive = fitted.conditional_probability_alive(x, t_x, T)
    silent = ((alpha + T) / (alpha + T + 39.0)) ** (r + x)
    value = fitted.conditional_probability_no_purchases(39.0, x, t_x, T)
    assert value == pytest.approx(1 - alive + alive * silent, rel=1e-12)
    assert ((value > 0) & (value < 1)).all()
    longer = fitted.conditional_probability_no_purchases(78.0, x, t_x, T)
    assert (longer < value).all()  # a longer holdout leaves less room for silence
    # BG/NBD's customer without a repeat purchase is alive: pure Poisson-gamma silence.
    bg = BGNBDModel().fit(*(np.array(v) for v in ([0, 1, 3], [0, 5, 20], [30, 30, 30])))
    assert bg.conditional_probability_no_purchases(10.0, 0.0, 0.0, 30.0)[0] == pytest.approx(
        ((bg.params_["alpha"] + 30) / (bg.params_["alpha"] + 40)) ** bg.params_["r"]
    )
