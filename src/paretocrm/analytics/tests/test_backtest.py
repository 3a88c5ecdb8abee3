"""Back-test report: frequency table, aggregate error, individual errors, top-20% capture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.backtest import backtest, frequency_classes
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError


def holdout_summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "frequency": [0, 0, 1, 2, 7, 12],
            "frequency_holdout": [0, 1, 1, 3, 6, 10],
            "revenue_holdout": [0.0, 10.0, 20.0, 60.0, 120.0, 400.0],
        },
        index=[f"c{i}" for i in range(6)],
    )


def test_frequency_classes_collapse_seven_and_more() -> None:
    classes = frequency_classes([0, 3, 6, 7, 40])
    assert list(classes.astype(str)) == ["0", "3", "6", "7+", "7+"]
    assert list(classes.categories) == ["0", "1", "2", "3", "4", "5", "6", "7+"]


def test_table_means_by_calibration_frequency() -> None:
    predicted = np.array([0.2, 0.4, 1.5, 2.0, 7.0, 9.0])
    result = backtest(holdout_summary(), {"bgnbd": predicted})
    table = result.by_frequency
    assert table.loc["0", "customers"] == 2
    assert table.loc["0", "actual"] == pytest.approx(0.5)
    assert table.loc["0", "bgnbd"] == pytest.approx(0.3)
    assert table.loc["7+", "actual"] == pytest.approx(8.0)
    assert table.loc["7+", "bgnbd"] == pytest.approx(8.0)
    assert table.loc["5", "customers"] == 0


def test_aggregate_and_individual_errors() -> None:
    predicted = np.array([0.2, 0.4, 1.5, 2.0, 7.0, 9.0])
    figures = backtest(holdout_summary(), predicted).models["model"]
    actual = holdout_summary()["frequency_holdout"].to_numpy(dtype=float)
    assert figures.total_actual == 21.0
    assert figures.total_predicted == pytest.approx(20.1)
    assert figures.aggregate_error == pytest.approx((20.1 - 21.0) / 21.0)
    assert figures.mae == pytest.approx(np.abs(predicted - actual).mean())
    assert figures.rmse == pytest.approx(np.sqrt(((predicted - actual) ** 2).mean()))
    assert figures.correlation == pytest.approx(np.corrcoef(predicted, actual)[0, 1])


def test_top_share_capture_compares_with_the_ideal_ranking() -> None:
    summary = holdout_summary()
    perfect = summary["revenue_holdout"].to_numpy()
    backwards = -perfect
    result = backtest(summary, {"perfect": perfect, "backwards": backwards}, top_share=0.2)
    # top 20% of 6 customers = 2 customers; the best two hold 520 of 610.
    assert result.models["perfect"].top_share_captured == pytest.approx(520 / 610)
    assert result.models["perfect"].ideal_top_share == pytest.approx(520 / 610)
    assert result.models["backwards"].top_share_captured == pytest.approx(10 / 610)
    assert result.as_dict()["models"]["perfect"]["mae"] is not None  # type: ignore[index]


def test_needs_holdout_columns_and_aligned_predictions() -> None:
    with pytest.raises(DataContractError, match="calibration_end"):
        backtest(pd.DataFrame({"frequency": [1]}), [1.0])
    with pytest.raises(DataContractError, match="have 2 values"):
        backtest(holdout_summary(), [1.0, 2.0])
    with pytest.raises(ConfigurationError, match="top_share"):
        backtest(holdout_summary(), np.ones(6), top_share=1.5)


# --- decision scorecard (issue 15, item 6) ---------------------------------------------


def scorecard_summary() -> pd.DataFrame:
    """Ten small B2B accounts, calibration 40 weeks; hand-checked figures in the tests."""
    return pd.DataFrame(
        {
            "frequency": [0, 1, 2, 3, 5, 10, 0, 4, 6, 8],
            "recency": [0.0, 5, 10, 20, 30, 38, 0, 15, 39, 25],
            "T": [40.0] * 10,
            "revenue": [50.0, 200, 100, 300, 400, 900, 10, 800, 600, 1000],
            "frequency_holdout": [0, 0, 1, 2, 3, 5, 0, 0, 4, 1],
            "revenue_holdout": [0.0, 0, 30, 60, 100, 500, 0, 0, 200, 10],
        },
        index=[
            "华东阀门",
            "宏达管件",
            "金泰仪表",
            "永丰密封",
            "瑞安机电",
            "中远物流",
            "海昌贸易",
            "信和化工",
            "南方燃气",
            "鼎盛进出口",
        ],
    )


def test_scorecard_capture_compares_the_model_with_naive_rankings() -> None:
    summary = scorecard_summary()
    purchases = np.array([0.0, 0, 1, 2, 3, 9, 0, 0.5, 4, 1])
    result = backtest(summary, {"mbgnbd": purchases}, predicted_value={"mbgnbd": purchases})
    capture = result.scorecard.capture
    total = 900.0
    # top 10 % = 1 account, top 20 % = 2 accounts
    assert capture["mbgnbd"] == pytest.approx({"top_10": 500 / total, "top_20": 700 / total})
    # past revenue: 鼎盛 (1000) then 中远 (900)
    assert capture["past_revenue"] == pytest.approx({"top_10": 10 / total, "top_20": 510 / total})
    # frequency: 中远 (10) then 鼎盛 (8)
    assert capture["frequency"] == pytest.approx({"top_10": 500 / total, "top_20": 510 / total})
    # recency (weeks since the last purchase, fewest first): 南方 (1) then 中远 (2)
    assert capture["recency"] == pytest.approx({"top_10": 200 / total, "top_20": 700 / total})
    assert capture["ideal"] == pytest.approx({"top_10": 500 / total, "top_20": 700 / total})


def test_scorecard_churn_auc_and_brier_score() -> None:
    summary = scorecard_summary()
    churn = np.array([0.9, 0.6, 0.3, 0.2, 0.1, 0.05, 0.9, 0.3, 0.1, 0.4])
    result = backtest(summary, {"bgnbd": np.ones(10)}, churn_probability={"bgnbd": churn})
    figures = result.scorecard.churn["bgnbd"]
    # churned (no holdout purchase): 华东, 宏达, 海昌, 信和. Of the 24 churned x kept pairs,
    # 0.9, 0.6 and 0.9 beat all six kept; 0.3 beats four, ties one (half), loses to 0.4.
    assert figures["auc"] == pytest.approx(22.5 / 24)
    assert figures["brier"] == pytest.approx(0.9825 / 10)
    assert result.scorecard.churn_rate == pytest.approx(0.4)


def test_scorecard_carries_the_calibration_fits_into_the_json() -> None:
    fitted = {"bgnbd": {"params": {"r": 0.24, "alpha": 4.41}, "log_likelihood": -9582.4}}
    result = backtest(
        scorecard_summary(),
        {"bgnbd": np.ones(10)},
        churn_probability={"bgnbd": np.full(10, 0.4)},
        calibration_models=fitted,
    )
    document = result.as_dict()
    scorecard = document["scorecard"]
    assert scorecard["calibration_models"] == fitted  # type: ignore[index]
    assert scorecard["churn"]["bgnbd"]["brier"] == pytest.approx(0.24)  # type: ignore[index]
    assert set(scorecard["capture"]) == {  # type: ignore[index]
        "bgnbd",
        "past_revenue",
        "frequency",
        "recency",
        "ideal",
    }


def test_scorecard_names_the_bad_churn_probabilities() -> None:
    with pytest.raises(DataContractError, match=r"churn probability 'bgnbd'.*between 0 and 1"):
        backtest(
            scorecard_summary(),
            {"bgnbd": np.ones(10)},
            churn_probability={"bgnbd": np.full(10, 1.5)},
        )
