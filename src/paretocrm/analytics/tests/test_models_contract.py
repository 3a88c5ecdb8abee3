"""One contract, run over every estimator: the scikit-learn conventions the base fitter owns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from paretocrm.analytics.exceptions import ConfigurationError, NotFittedError
from paretocrm.analytics.models.base import BaseFitter
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.gammagamma import GammaGammaModel
from paretocrm.analytics.models.paretonbd import ParetoNBDModel
from paretocrm.analytics.models.sbg import SBGModel


@dataclass(frozen=True)
class Case:
    """How to build, fit and query one estimator."""

    model: type[BaseFitter]
    fit_args: Callable[[pd.DataFrame], tuple[Any, ...]]
    predict: Callable[[Any], object]
    per_customer: bool = True


def _rfm(s: pd.DataFrame) -> tuple[Any, ...]:
    return (s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy())


CASES = {
    "bgnbd": Case(BGNBDModel, _rfm, lambda m: m.conditional_probability_alive(1, 2.0, 5.0)),
    "pareto_nbd": Case(ParetoNBDModel, _rfm, lambda m: m.expected_purchases(10)),
    "gamma_gamma": Case(
        GammaGammaModel,
        lambda s: (s["frequency"].to_numpy(), s["monetary_value"].to_numpy()),
        lambda m: m.conditional_expected_spend(2, 30.0),
    ),
    "sbg": Case(
        SBGModel,
        lambda s: ([1000, 869, 743, 653, 593, 551, 517, 491],),
        lambda m: m.survival(3),
        per_customer=False,
    ),
}


@pytest.fixture(scope="module")
def data(cdnow_summary: pd.DataFrame) -> pd.DataFrame:
    """A quarter of the CDNOW sample keeps these fits fast."""
    return cdnow_summary.iloc[::4]


@pytest.fixture(params=sorted(CASES), scope="module")
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


def test_using_an_unfitted_model_raises_not_fitted_error(case: Case) -> None:
    model = case.model()
    with pytest.raises(NotFittedError, match=rf"This {case.model.__name__} is not fitted yet"):
        case.predict(model)
    with pytest.raises(NotFittedError):
        _ = model.summary


def test_fit_returns_self_and_learns_named_positive_parameters(
    case: Case, data: pd.DataFrame
) -> None:
    model = case.model()
    assert model.fit(*case.fit_args(data)) is model
    assert tuple(model.params_) == case.model.param_names
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())
    assert tuple(model.standard_errors_) == case.model.param_names
    assert np.isfinite(model.log_likelihood_)
    assert np.all(np.isfinite(np.asarray(case.predict(model), dtype=float)))


def test_summary_has_coefficients_standard_errors_and_intervals(
    case: Case, data: pd.DataFrame
) -> None:
    model = case.model().fit(*case.fit_args(data))
    table = model.summary
    assert table.index.tolist() == list(case.model.param_names)
    assert table.columns.tolist() == ["coef", "se", "lower 95%", "upper 95%"]
    assert (table["se"] > 0).all()
    assert (table["lower 95%"] < table["coef"]).all() and (table["coef"] < table["upper 95%"]).all()


def test_repr_shows_settings_and_then_the_fitted_parameters(case: Case, data: pd.DataFrame) -> None:
    model = case.model(penalizer_coef=0.0)
    assert repr(model) == f"{case.model.__name__}(penalizer_coef=0.0) [not fitted]"
    model.fit(*case.fit_args(data))
    text = repr(model)
    assert text.startswith(f"{case.model.__name__}(penalizer_coef=0.0) fitted on")
    assert all(f"{name}=" in text for name in case.model.param_names)
    assert "log-likelihood=" in text


def test_settings_are_stored_as_given_and_checked_at_fit(case: Case, data: pd.DataFrame) -> None:
    model = case.model(penalizer_coef=0.25, n_starts=2, random_state=3)
    assert (model.penalizer_coef, model.n_starts, model.random_state) == (0.25, 2, 3)
    with pytest.raises(ConfigurationError, match="penalizer_coef must be a number >= 0"):
        case.model(penalizer_coef=-1.0).fit(*case.fit_args(data))


def test_refitting_gives_the_same_result(case: Case, data: pd.DataFrame) -> None:
    first = case.model().fit(*case.fit_args(data))
    second = case.model().fit(*case.fit_args(data))
    assert first.params_ == second.params_
    assert first.log_likelihood_ == second.log_likelihood_


def test_penalizer_shrinks_the_parameters(case: Case, data: pd.DataFrame) -> None:
    plain = case.model().fit(*case.fit_args(data))
    penalised = case.model(penalizer_coef=0.1).fit(*case.fit_args(data))
    assert sum(v**2 for v in penalised.params_.values()) < sum(v**2 for v in plain.params_.values())


@pytest.mark.parametrize("name", sorted(k for k, c in CASES.items() if c.per_customer))
def test_weights_are_the_same_as_duplicated_rows(name: str, data: pd.DataFrame) -> None:
    case = CASES[name]
    args = case.fit_args(data)
    weights = np.tile([1.0, 3.0], len(data) // 2 + 1)[: len(data)]
    repeated = tuple(np.repeat(np.asarray(a), weights.astype(int)) for a in args)
    weighted = case.model().fit(*args, weights=weights)
    duplicated = case.model().fit(*repeated)
    assert weighted.n_customers_ == duplicated.n_customers_ > len(data) / 3
    for key, value in weighted.params_.items():
        assert value == pytest.approx(duplicated.params_[key], rel=1e-6)
    assert weighted.log_likelihood_ == pytest.approx(duplicated.log_likelihood_, rel=1e-9)


@pytest.mark.parametrize("name", ["bgnbd", "pareto_nbd"])
def test_fit_cost_grows_with_distinct_profiles_not_customers(name: str, data: pd.DataFrame) -> None:
    case = CASES[name]
    args = case.fit_args(data)
    model = case.model().fit(*(np.tile(a, 10) for a in args))
    distinct = len({tuple(row) for row in np.column_stack(args)})
    assert model.n_profiles_ == distinct
    assert model.n_customers_ == 10 * len(data)


@pytest.mark.parametrize("name", ["bgnbd", "gamma_gamma"])
def test_analytic_gradient_matches_finite_differences(name: str, data: pd.DataFrame) -> None:
    case = CASES[name]
    model = case.model()
    columns = tuple(np.asarray(c, dtype=float) for c in case.fit_args(data))
    if name == "gamma_gamma":
        repeat = columns[0] > 0
        columns = tuple(c[repeat] for c in columns)
    prepared = model._prepare(columns)
    params = model._initial_params() * 1.3
    analytic = model._gradient_prepared(params, prepared)
    assert analytic is not None
    numeric = optimize.approx_fprime(
        params, lambda p: float(model._log_likelihood_prepared(p, prepared).sum()), 1e-7
    )
    np.testing.assert_allclose(analytic.sum(axis=0), numeric, rtol=1e-4)


def test_more_starting_points_find_the_same_optimum(case: Case, data: pd.DataFrame) -> None:
    single = case.model().fit(*case.fit_args(data))
    several = case.model(n_starts=3, random_state=1).fit(*case.fit_args(data))
    assert several.log_likelihood_ >= single.log_likelihood_ - 1e-6
    for key, value in single.params_.items():
        assert several.params_[key] == pytest.approx(value, rel=1e-3)


@pytest.mark.parametrize("name", ["bgnbd", "gamma_gamma"])
def test_weighted_totals_equal_the_weighted_row_sums(name: str, data: pd.DataFrame) -> None:
    # The optimiser's hot path (_log_likelihood_total / _gradient_total, regrouped per
    # distinct value for BG/NBD) must be the plain weighted sum of the per-row formulas.
    case = CASES[name]
    model = case.model()
    columns = tuple(np.asarray(c, dtype=float) for c in case.fit_args(data))
    if name == "gamma_gamma":
        repeat = columns[0] > 0
        columns = tuple(c[repeat] for c in columns)
    prepared = model._prepare(columns)
    weights = np.random.default_rng(3).integers(1, 5, columns[0].shape[0]).astype(float)
    weighted = model._weigh(prepared, weights)
    for scale in (0.4, 1.0, 2.5):
        params = model._initial_params() * scale
        rows = model._gradient_prepared(params, prepared)
        assert rows is not None
        np.testing.assert_allclose(
            model._gradient_total(params, prepared, weighted), weights @ rows, rtol=1e-10
        )
        assert model._log_likelihood_total(params, prepared, weighted) == pytest.approx(
            float(weights @ model._log_likelihood_prepared(params, prepared)), rel=1e-12
        )
