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
