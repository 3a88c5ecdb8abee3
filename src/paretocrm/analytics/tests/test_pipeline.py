"""The end-to-end pipeline on CDNOW (published back-test) and on a small synthetic company."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.config import config_from_dict, default_config
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.pipeline import SCORE_COLUMNS, AnalysisResult, analyze
from paretocrm.analytics.tiers import TIERS

# Fader, Hardie & Lee (2005), holdout purchases by calibration frequency 0..6, 7+.
PUBLISHED_ACTUAL = [0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359]
PUBLISHED_BGNBD = [0.225, 0.523, 1.044, 1.520, 2.164, 2.654, 3.504, 6.157]


def synthetic_company(n: int = 80, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Transactions with cost, and attributes, of ``n`` customers over two years."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    rows = []
    for i in range(n):
        first = int(rng.integers(0, 500))
        life = int(rng.integers(30, 730))
        gap = float(rng.gamma(2.0, 15.0)) + 1
        size = float(rng.pareto(1.5) + 1) * 100
        day = first
        while day <= min(first + life, 729):
            amount = round(size * float(rng.uniform(0.5, 1.5)), 2)
            rows.append((f"C{i:03d}", start + pd.Timedelta(days=day), amount, amount * 0.7))
            day += int(rng.exponential(gap)) + 1
    transactions = pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount", "cost"])
    ids = [f"C{i:03d}" for i in range(n)]
    attributes = pd.DataFrame(
        {
            "customer_id": ids,
            "credit_rating": rng.integers(20, 100, n).astype(float),
            "industry_influence": rng.integers(1, 6, n).astype(float),
            "overdue_receivables": np.where(rng.uniform(size=n) < 0.1, 5000.0, 0.0),
            "open_complaints": rng.poisson(0.2, n).astype(float),
        }
    )
    return transactions, attributes


@pytest.fixture(scope="module")
def cdnow_result(cdnow_transactions: pd.DataFrame) -> AnalysisResult:
    # BG/NBD only (the default): Pareto/NBD is checked against the table in its own tests.
    return analyze(cdnow_transactions, config=default_config(), holdout="1997-09-30")


@pytest.fixture(scope="module")
def company() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic_company()


@pytest.mark.slow  # one CDNOW analysis with a back-test, about 5-10 s
def test_scores_have_the_contract_columns_one_row_per_customer(
    cdnow_result: AnalysisResult,
) -> None:
    scores = cdnow_result.scores
    assert tuple(scores.columns) == SCORE_COLUMNS
    assert scores.index.name == "customer_id"
    assert len(scores) == 2357
    assert scores.index.is_unique
    facts = cdnow_result.lifecycle_facts  # the explanation as data, beside the score table
    assert facts.index.equals(scores.index) and facts.str.startswith('{"').all()


@pytest.mark.slow  # one CDNOW analysis with a back-test, about 5-10 s
def test_scores_are_within_their_ranges(cdnow_result: AnalysisResult) -> None:
    scores = cdnow_result.scores
    assert scores["p_alive"].between(0, 1).all()
    assert scores["churn_risk"].between(0, 1).all()
    assert scores["rating"].between(0, 100).all()
    assert (scores["clv"] >= 0).all()
    assert (scores["expected_purchases"] >= 0).all()
    assert set(scores["tier"].astype(str)) <= set(TIERS)
    assert scores[list(SCORE_COLUMNS[:8])].notna().all().all()


@pytest.mark.slow  # one CDNOW analysis with a back-test, about 5-10 s
def test_backtest_reproduces_the_published_cdnow_table(cdnow_result: AnalysisResult) -> None:
    assert cdnow_result.backtest is not None
    table = cdnow_result.backtest.by_frequency
    assert list(table["customers"]) == [1411, 439, 214, 100, 62, 38, 29, 64]
    np.testing.assert_allclose(table["actual"], PUBLISHED_ACTUAL, atol=0.0005)
    np.testing.assert_allclose(table["bgnbd"], PUBLISHED_BGNBD, atol=0.01)
    assert cdnow_result.backtest.models["bgnbd"].correlation == pytest.approx(0.63, abs=0.01)


@pytest.mark.slow  # one CDNOW analysis with a back-test, about 5-10 s
def test_no_cost_means_an_assumed_margin_that_is_reported(cdnow_result: AnalysisResult) -> None:
    assert any("default margin 30%" in note for note in cdnow_result.notes)
    scores = cdnow_result.scores
    np.testing.assert_allclose(scores["gross_profit"], scores["revenue"] * 0.3)


@pytest.mark.slow  # one CDNOW analysis with a back-test, about 5-10 s
def test_core_customers_hold_more_value_than_low_value_ones(cdnow_result: AnalysisResult) -> None:
    mean_revenue = cdnow_result.scores.groupby("tier", observed=True)["revenue"].mean()
    assert mean_revenue["core"] > mean_revenue["ordinary"] > mean_revenue["low_value"]


def test_attributes_feed_rating_and_churn(company: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    transactions, attributes = company
    result = analyze(transactions, attributes)
    assert "credit" in result.rating.weights.index
    assert "industry_influence" in result.rating.weights.index
    overdue = attributes.set_index("customer_id")["overdue_receivables"] > 0
    reasons = result.scores["churn_reasons"].astype(str)
    flagged = reasons.str.contains("OVERDUE")
    assert set(flagged[flagged].index) == set(overdue[overdue].index)
    assert not any("default margin" in note for note in result.notes)
    assert result.forecast is not None
    assert set(result.forecast.by) == {"segment", "tier"}


def test_progress_reports_every_step_in_order(
    company: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    calls: list[tuple[str, int, int]] = []
    analyze(company[0], progress=lambda step, done, total: calls.append((step, done, total)))
    done = [c[1] for c in calls]
    assert done == sorted(done)
    assert calls[-1][0] == "done"
    assert calls[-1][1] == calls[-1][2]
    assert calls[0][0] == "reading transactions"


def test_ahp_judgements_in_the_config_set_the_weights(
    company: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    config = config_from_dict(
        {
            "rating": {
                "ahp": {
                    "revenue/credit": 3,
                    "profit_contribution/revenue": 1,
                    "profit_contribution/credit": 3,
                }
            }
        }
    )
    transactions, attributes = company
    result = analyze(transactions, attributes, config=config)
    assert result.ahp is not None
    assert set(result.rating.weights.index) == {"revenue", "credit", "profit_contribution"}
    assert result.rating.weights["revenue"] > result.rating.weights["credit"]


def test_inconsistent_ahp_judgements_stop_the_analysis(
    company: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    cycle = {
        "revenue/credit": 9,
        "credit/purchase_frequency": 9,
        "purchase_frequency/revenue": 9,
    }
    config = config_from_dict({"rating": {"ahp": cycle}})
    with pytest.raises(ConfigurationError, match="inconsistent"):
        analyze(company[0], config=config)


def test_customer_first_buying_on_the_last_day_is_scored(
    company: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    transactions = company[0]
    last_day = transactions["timestamp"].max()
    newcomer = pd.DataFrame(
        {"customer_id": ["NEW"], "timestamp": [last_day], "amount": [99.0], "cost": [50.0]}
    )
    result = analyze(pd.concat([transactions, newcomer], ignore_index=True))
    assert result.summary.at["NEW", "T"] == 0
    assert result.scores.at["NEW", "p_alive"] >= 0.99  # seen half a day ago (any model)
    assert result.scores.at["NEW", "lifecycle_stage"] == "exploration"
    assert np.isfinite(result.scores.at["NEW", "clv"])


def test_bad_transactions_name_the_column(company: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    with pytest.raises(DataContractError, match="amount"):
        analyze(company[0].drop(columns="amount"))


def test_a_degenerate_bgnbd_fit_is_refitted_with_a_small_penalty_and_said() -> None:
    """Regular buyers who all stopped at once, judged months later (an import behind the
    day of the analysis): the plain fit runs off; the analysis still scores, and says why."""
    import numpy as np
    import pandas as pd

    from paretocrm.analytics.pipeline import FALLBACK_PENALIZER, analyze

    rng = np.random.default_rng(11)
    rows = []
    for customer in range(60):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 60)))
        gap = int(rng.integers(20, 40))
        while day <= pd.Timestamp("2026-06-30"):
            rows.append((f"C{customer:03d}", day, float(rng.uniform(50, 500))))
            day += pd.Timedelta(days=gap + int(rng.integers(-3, 4)))
    transactions = pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount"])

    result = analyze(transactions, observation_end="2026-11-29")

    # 60 customers: a small book, fitted with a weak prior (MAP) that keeps the fit finite;
    # without it the plain fit runs off and is refitted with a penalty. Either is said.
    assert any(
        f"penalizer_coef {FALLBACK_PENALIZER}" in note or "weak prior" in note
        for note in result.notes
    )
    assert np.isfinite(result.scores["p_alive"]).all()
    assert np.isfinite(result.scores["clv"]).all()
    assert 0 < result.scores["p_alive"].mean() < 0.6  # all silent for five months
