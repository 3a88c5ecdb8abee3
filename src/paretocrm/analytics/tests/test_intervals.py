"""Intervals (issue 15, item 3) and the revenue forecast (item 7): they contain the truth.

Coverage measured when these tests were written (10 %-90 % intervals, 100 draws):
simulated BG/NBD books (1,500 customers, 10 seeds): the true P(alive) (computed with the
generating parameters) within the interval for 0.80 of the customers on the median seed
(0.54-1.00 over the seeds), the true expected purchases for 0.72 (0.34-1.00; at least half
the customers in 9 of 10 seeds); seeded 30-customer B2B books (2 years, last quarter held
out, seeds 0-4): the company's actual quarter within its forecast interval in 4 of 5
seeds, and 0.77-0.88 of the customers' actual revenue within their own interval.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.cli import models_document
from paretocrm.analytics.config import config_from_dict
from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.intervals import IntervalSettings, customer_intervals, tier_uncertain
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.pipeline import SCORE_COLUMNS, analyze
from paretocrm.analytics.report import render_report
from paretocrm.analytics.spend import SpendEstimate
from paretocrm.analytics.tests.b2b_books import BOOK_END, b2b_book
from paretocrm.analytics.tests.test_models_bgnbd import simulate_bgnbd
from paretocrm.analytics.tiers import TierRules

TRUTH = {"r": 0.8, "alpha": 5.0, "a": 0.6, "b": 2.5}
HORIZON = 26.0


def _simulated_coverage(seed: int) -> tuple[float, float]:
    """Share of customers whose true P(alive) / expected purchases (computed with the
    generating parameters) lie within their interval."""
    x, t_x, t_cal = simulate_bgnbd(1_500, **TRUTH, horizon=52.0, seed=seed)
    model = BGNBDModel().fit(x, t_x, t_cal)
    true_model = BGNBDModel()
    true_model.params_ = dict(TRUTH)
    index = pd.Index([f"客户{i:04d}" for i in range(x.size)])
    summary = pd.DataFrame({"frequency": x, "monetary_value": np.ones_like(x)}, index=index)
    spend = SpendEstimate(pd.Series(1.0, index=index), "observed_mean", "")
    result = customer_intervals(
        model,
        spend,
        summary,
        (x, t_x, t_cal),
        horizon=HORIZON,
        forecast_horizons={"13w": 13.0},
        clv={"periods": 6, "units_per_period": 4.35, "discount_rate": 0.01, "margin": 1.0},
    )
    assert result is not None
    bounds = result.per_customer
    alive = true_model.conditional_probability_alive(x, t_x, t_cal)
    expected = true_model.conditional_expected_purchases(HORIZON, x, t_x, t_cal)
    within_alive = (bounds["p_alive_low"] <= alive + 1e-12) & (alive <= bounds["p_alive_high"])
    within_expected = (bounds["expected_purchases_low"] <= expected) & (
        expected <= bounds["expected_purchases_high"]
    )
    return float(within_alive.mean()), float(within_expected.mean())


def test_intervals_contain_the_generating_values_of_simulated_bgnbd_books() -> None:
    coverage = np.array([_simulated_coverage(seed) for seed in range(10)])
    # Most seeds: on at least 7 of 10 the truth is inside for most customers.
    assert (coverage[:, 0] >= 0.5).sum() >= 7, coverage
    assert (coverage[:, 1] >= 0.5).sum() >= 7, coverage
    assert np.median(coverage, axis=0).min() >= 0.6, coverage


@pytest.fixture(scope="module")
def b2b_backtests() -> list[dict[str, object]]:
    checks = []
    for seed in range(5):
        book = b2b_book(30, years=2, seed=seed)
        result = analyze(book.transactions, observation_end=BOOK_END, holdout="2024-09-30")
        assert result.forecast_backtest is not None
        checks.append(result.forecast_backtest)
    return checks


def test_revenue_forecast_intervals_contain_the_actual_quarter_in_most_b2b_seeds(
    b2b_backtests: list[dict[str, object]],
) -> None:
    inside = [bool(check["actual_within_interval"]) for check in b2b_backtests]
    assert sum(inside) >= 3, b2b_backtests
    shares = [float(check["customers_within_own_interval"]) for check in b2b_backtests]  # type: ignore[arg-type]
    assert np.mean(shares) >= 0.6, shares


@pytest.fixture(scope="module")
def book_result():  # type: ignore[no-untyped-def]
    book = b2b_book(30, years=1, seed=3)
    owners = pd.DataFrame(
        {
            "customer_id": book.truth.index,
            "owner": ["王经理" if i % 2 else "李经理" for i in range(len(book.truth))],
        }
    )
    return analyze(book.transactions, owners, observation_end=BOOK_END)


def test_scores_carry_intervals_and_the_revenue_forecast(book_result) -> None:  # type: ignore[no-untyped-def]
    scores = book_result.scores
    assert list(scores.columns) == list(SCORE_COLUMNS)
    for name in ("p_alive", "expected_purchases", "clv"):
        assert (scores[f"{name}_low"] <= scores[f"{name}_high"]).all(), name
        assert scores[f"{name}_low"].notna().all(), name
    assert (scores["revenue_3m"] <= scores["revenue_6m"] + 1e-9).all()
    assert (scores["revenue_6m"] <= scores["revenue_12m"] + 1e-9).all()
    totals = book_result.forecast.totals
    for months in (3, 6, 12):
        name = f"revenue_{months}m"
        assert totals[name] == pytest.approx(scores[name].sum())
        assert totals[f"{name}_low"] < totals[name] < totals[f"{name}_high"]


def test_forecast_per_tier_and_key_account_manager_adds_up(book_result) -> None:  # type: ignore[no-untyped-def]
    forecast = book_result.forecast
    for grouping in ("tier", "owner"):
        table = forecast.by[grouping]
        assert table["revenue_12m"].sum() == pytest.approx(forecast.totals["revenue_12m"])
        assert (table["revenue_12m_low"] <= table["revenue_12m"]).all()
        assert (table["revenue_12m"] <= table["revenue_12m_high"]).all()
    assert set(forecast.by["owner"].index) == {"王经理", "李经理"}


def test_models_json_and_report_state_intervals_and_forecast(book_result) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(json.dumps(models_document(book_result), default=float))
    assert document["intervals"]["draws"] == 100
    assert "revenue_12m_high" in document["revenue_forecast"]["totals"]
    assert set(document["revenue_forecast"]["by_owner"]) == {"王经理", "李经理"}
    html = render_report(book_result)
    assert "Revenue forecast 收入预测" in html
    assert "CLV interval 区间" in html


def test_a_tier_decision_near_a_boundary_is_flagged() -> None:
    index = pd.Index([f"客户{i}" for i in range(10)])
    clv = pd.Series(np.arange(1.0, 11.0), index=index)
    current = pd.Series(90.0, index=index)  # core or key decided by potential >= 50
    potential = (clv.rank() - 0.5) / 10 * 100
    tiers = pd.Series(np.where(potential >= 50, "core", "key"), index=index)
    low, high = clv.copy(), clv.copy()
    high.iloc[3] = 8.0  # 4 -> up to 8: would be core
    low.iloc[9], high.iloc[9] = 9.6, 10.4  # the top stays core either way
    flags = tier_uncertain(tiers, current, clv, low, high, None, TierRules())
    assert flags.iloc[3]
    assert not flags.iloc[9]
    assert flags.sum() == 1


def test_intervals_can_be_switched_off_and_bad_settings_are_named() -> None:
    book = b2b_book(30, years=1, seed=1)
    config = config_from_dict({"intervals": {"enabled": False}})
    result = analyze(book.transactions, config=config, observation_end=BOOK_END)
    assert result.intervals is None
    assert result.scores["clv_low"].isna().all()
    assert not result.scores["tier_uncertain"].any()
    assert result.scores["revenue_12m"].gt(0).any()  # the forecast itself stays
    with pytest.raises(ConfigurationError, match=r"\[intervals\] draws"):
        config_from_dict({"intervals": {"draws": 5}})
    with pytest.raises(ConfigurationError, match="lower"):
        IntervalSettings(lower=0.9, upper=0.1)
