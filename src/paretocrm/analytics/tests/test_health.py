"""Account health (客户健康度): signal scores, missing data, reasons, and its back-test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paretocrm.analytics.cli import models_document
from paretocrm.analytics.config import config_from_dict, default_config
from paretocrm.analytics.datasets import CDNOW_CALIBRATION_END
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.health import (
    DEFAULT_HEALTH_WEIGHTS,
    HealthResult,
    HealthRules,
    account_health,
    health_signals,
    roc_auc,
)
from paretocrm.analytics.pipeline import analyze
from paretocrm.analytics.tests.b2b_books import BOOK_END, b2b_book

#: A small distributor's accounts at the end of a year (weeks), each with a story:
#: 宁波甬新阀门 orders every two weeks, owes nothing, three contacts, happy;
#: 苏州华兴管业 was monthly, is silent for four months and owes a third of its revenue;
#: 佛山顺德仪表 orders on time but has two open complaints, one past its SLA, one contact.
ACCOUNTS = ["宁波甬新阀门", "苏州华兴管业", "佛山顺德仪表"]


def summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "frequency": [25.0, 7.0, 11.0],
            "recency": [51.0, 35.0, 48.0],
            "T": [52.0, 52.0, 52.0],
            "revenue": [1_860_000.0, 420_000.0, 310_000.0],
            "revenue_recent": [960_000.0, 60_000.0, 150_000.0],
            "revenue_previous": [900_000.0, 360_000.0, 160_000.0],
        },
        index=pd.Index(ACCOUNTS, name="customer_id"),
    )


def attributes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "overdue_receivables": [0.0, 140_000.0, 0.0],
            "open_complaints": [0.0, 0.0, 2.0],
            "sla_breaches": [0.0, 0.0, 1.0],
            "satisfaction": [0.9, np.nan, 0.5],
            "contacts": [3.0, 2.0, 1.0],
        },
        index=pd.Index(ACCOUNTS, name="customer_id"),
    )


def p_alive() -> pd.Series:
    return pd.Series([0.98, 0.35, 0.93], index=ACCOUNTS)


def scored() -> tuple[pd.DataFrame, HealthResult]:
    signals = health_signals(summary(), p_alive(), attributes(), days_per_unit=7.0)
    return signals, account_health(signals)


def test_signals_are_read_from_the_summary_and_the_attributes() -> None:
    signals, _ = scored()
    assert list(signals.columns) == list(DEFAULT_HEALTH_WEIGHTS)
    # 苏州华兴: 7 gaps over 35 weeks = 5-week cycle, silent 17 weeks = 3.4 cycles.
    assert signals.at["苏州华兴管业", "rhythm"] == pytest.approx(17 / 5)
    assert signals.at["苏州华兴管业", "value_trend"] == pytest.approx(60 / 360 - 1)
    assert signals.at["苏州华兴管业", "receivables"] == pytest.approx(140 / 420)
    assert signals.at["宁波甬新阀门", "receivables"] == 0.0


def test_a_healthy_account_scores_high_and_a_leaving_one_low() -> None:
    _, result = scored()
    health = result.health
    assert health["宁波甬新阀门"] > 90
    assert health["苏州华兴管业"] < 40
    assert health["苏州华兴管业"] < health["佛山顺德仪表"] < health["宁波甬新阀门"]
    assert ((health >= 0) & (health <= 100)).all()


def test_a_missing_survey_does_not_count_against_the_customer() -> None:
    signals, result = scored()
    assert isinstance(result, HealthResult)
    answered = signals.copy()
    answered.at["苏州华兴管业", "satisfaction"] = 1.0
    not_asked = signals.copy()
    not_asked["satisfaction"] = np.nan
    # Without an answer the customer is scored on the other signals (renormalised), which
    # lies between a perfect and a missing answer counted as 0.
    missing = result.health["苏州华兴管业"]
    assert account_health(answered).health["苏州华兴管业"] > missing
    zero = signals.copy()
    zero.at["苏州华兴管业", "satisfaction"] = 0.0
    assert account_health(zero).health["苏州华兴管业"] < missing
    assert "satisfaction" in account_health(not_asked).dropped


def test_reasons_are_the_signals_costing_most_points_as_facts() -> None:
    _, result = scored()
    reasons = dict(zip(ACCOUNTS, result.reasons(3), strict=True))
    leaving = [fact["signal"] for fact in reasons["苏州华兴管业"]]
    assert leaving[0] in ("p_alive", "rhythm")
    assert set(leaving) <= {"p_alive", "rhythm", "receivables", "value_trend"}
    points = [fact["points"] for fact in reasons["苏州华兴管业"]]
    assert points == sorted(points, reverse=True)
    complaining = {fact["signal"] for fact in reasons["佛山顺德仪表"]}
    assert {"complaints", "contact_coverage"} & complaining
    # Points lost add up to what the customer misses of 100.
    lost = result.points_lost.sum(axis=1)
    assert np.allclose(lost.to_numpy(), 100 - result.health.to_numpy())


def test_a_single_threaded_account_loses_points_on_coverage() -> None:
    signals, _ = scored()
    one = signals.copy()
    one["contact_coverage"] = 1.0
    three = signals.copy()
    three["contact_coverage"] = 3.0
    assert (account_health(one).health < account_health(three).health).all()


def test_weights_change_the_score_and_bad_weights_are_refused_by_name() -> None:
    signals, _ = scored()
    only_alive = account_health(signals, HealthRules(weights={"p_alive": 1.0}))
    assert only_alive.health.to_numpy() == pytest.approx(100 * p_alive().to_numpy())
    with pytest.raises(ConfigurationError, match="loyalty"):
        HealthRules(weights={"loyalty": 1.0})
    with pytest.raises(ConfigurationError, match="rhythm"):
        HealthRules(weights={"rhythm": -1.0})
    with pytest.raises(ConfigurationError, match="all be 0"):
        HealthRules(weights=dict.fromkeys(DEFAULT_HEALTH_WEIGHTS, 0.0))
    with pytest.raises(DataContractError, match="mood"):
        account_health(signals.assign(mood=1.0))


def test_the_settings_file_carries_weights_and_threshold() -> None:
    config = default_config()
    assert dict(config.health.weights) == dict(DEFAULT_HEALTH_WEIGHTS)
    changed = config_from_dict({"health": {"alert_below": 30.0, "weights": {"rhythm": 40.0}}})
    assert changed.health.alert_below == 30.0
    assert changed.health.weights["rhythm"] == 40.0
    with pytest.raises(ConfigurationError, match="alert_below"):
        config_from_dict({"health": {"alert_below": 130.0}})


@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 20), st.floats(-1, 5), st.integers(0, 6)),
        min_size=1,
        max_size=30,
    )
)
@settings(max_examples=50, deadline=None)
def test_health_stays_within_0_and_100(rows: list[tuple[float, float, float, int]]) -> None:
    frame = pd.DataFrame(rows, columns=["p_alive", "rhythm", "value_trend", "complaints"])
    health = account_health(frame).health
    assert ((health >= 0) & (health <= 100)).all()


def test_roc_auc_against_hand_counts() -> None:
    assert roc_auc([1, 2, 3, 4], [False, False, True, True]) == 1.0
    assert roc_auc([1, 2, 3, 4], [True, True, False, False]) == 0.0
    assert roc_auc([1, 1, 1, 1], [True, False, True, False]) == 0.5
    assert np.isnan(roc_auc([1, 2], [True, True]))


def test_the_pipeline_scores_health_for_every_customer() -> None:
    book = b2b_book(30, 1, seed=3)
    result = analyze(book.transactions, observation_end=BOOK_END)
    assert result.health is not None
    health = result.health.health
    assert health.index.equals(result.scores.index)
    assert health.notna().all()
    kinds = book.truth["kind"].reindex(health.index)
    assert health[kinds == "steady"].median() > health[kinds == "one_off"].median() + 30
    assert health[kinds == "lapsed"].median() < 50


B2B_HOLDOUT = BOOK_END - pd.Timedelta(days=120)


@pytest.mark.parametrize(("n", "years", "seed"), [(30, 1, 0), (300, 2, 1)])
def test_backtest_reports_health_auc_next_to_p_alive_on_b2b_books(
    n: int, years: int, seed: int
) -> None:
    book = b2b_book(n, years, seed=seed)
    result = analyze(book.transactions, holdout=B2B_HOLDOUT, observation_end=BOOK_END)
    check = result.health_backtest
    assert check is not None
    print(f"b2b {n}x{years}y seed {seed}: {check.as_dict()}")
    assert models_document(result)["health_backtest"] == check.as_dict()
    assert 0 < check.no_purchase < check.customers
    # Health tells the quiet customers from the buying ones about as well as P(alive) does
    # on the books our users have (it also weighs the value trend, which P(alive) ignores).
    assert check.auc_health > 0.85
    assert check.auc_health >= check.auc_p_alive - 0.05


def test_backtest_reports_health_auc_on_the_cdnow_sample(
    cdnow_transactions: pd.DataFrame,
) -> None:
    result = analyze(cdnow_transactions, holdout=CDNOW_CALIBRATION_END)
    check = result.health_backtest
    assert check is not None
    print(f"CDNOW sample: {check.as_dict()}")
    assert check.customers == 2357
    # One-off buyers keep a high P(alive) under the model but are the likeliest to stay
    # away: their rhythm (the book's cycle, several times over) puts health ahead.
    assert check.auc_health > 0.6
    assert check.auc_health > check.auc_p_alive
