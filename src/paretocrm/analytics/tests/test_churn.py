"""Churn early warning: signals, risk, value at risk ranking and readable reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.churn import ChurnRules, churn_warning
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError

INDEX = ["steady", "fading", "unpaid", "unhappy", "ghost"]


def summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "purchases_recent": [5, 1, 5, 5, 0],
            "purchases_previous": [5, 6, 5, 5, 0],
            "revenue_recent": [500.0, 50.0, 500.0, 500.0, 0.0],
            "revenue_previous": [500.0, 700.0, 500.0, 500.0, 0.0],
        },
        index=INDEX,
    )


def attributes() -> pd.DataFrame:
    return pd.DataFrame(
        {"overdue_receivables": [0.0, 0.0, 12000.0, 0.0], "open_complaints": [0, 0, 0, 2]},
        index=INDEX[:4],
    )


def run(p_alive: list[float], **kwargs: object) -> pd.DataFrame:
    result = churn_warning(
        summary(),
        p_alive=pd.Series(p_alive, index=INDEX),
        value=pd.Series([1000.0, 750.0, 1000.0, 1000.0, 300.0], index=INDEX),
        attributes=attributes(),
        **kwargs,  # type: ignore[arg-type]
    )
    return result.scores


def test_each_signal_fires_on_its_customer_only() -> None:
    scores = run([0.95, 0.9, 0.95, 0.95, 0.2])
    assert scores["churn_reasons"].astype(str).to_dict() == {
        "steady": "",
        "fading": "PURCHASE_DROP;REVENUE_DROP",
        "unpaid": "OVERDUE",
        "unhappy": "COMPLAINTS",
        "ghost": "P_ALIVE_LOW",
    }
    assert list(scores["churn_warning"]) == [False, True, True, True, True]


def test_risk_is_one_minus_p_alive_raised_by_each_extra_signal() -> None:
    scores = run([0.95, 0.9, 0.95, 0.95, 0.2])
    assert scores.at["steady", "churn_risk"] == pytest.approx(0.05)
    assert scores.at["fading", "churn_risk"] == pytest.approx(1 - 0.9 * 0.7 * 0.8)
    assert scores.at["unpaid", "churn_risk"] == pytest.approx(1 - 0.95 * 0.8)
    assert scores.at["ghost", "value_at_risk"] == pytest.approx(300.0 * 0.8)
    assert ((scores["churn_risk"] >= 0) & (scores["churn_risk"] <= 1)).all()


def test_p_alive_drop_needs_a_previous_snapshot() -> None:
    previous = pd.Series([0.95, 0.9, 0.95, 0.95, 0.9], index=INDEX)
    scores = run([0.95, 0.9, 0.95, 0.95, 0.6], p_alive_previous=previous)
    assert scores.at["ghost", "churn_reasons"] == "P_ALIVE_DROP"


def test_warnings_are_ranked_by_value_at_risk_with_readable_reasons() -> None:
    result = churn_warning(
        summary(),
        p_alive=pd.Series([0.95, 0.9, 0.95, 0.95, 0.2], index=INDEX),
        value=pd.Series([1000.0, 750.0, 1000.0, 1000.0, 300.0], index=INDEX),
        attributes=attributes(),
    )
    warnings = result.warnings()
    assert list(warnings["value_at_risk"]) == sorted(warnings["value_at_risk"], reverse=True)
    texts = warnings["reason_text"].to_dict()
    assert texts["fading"].startswith("purchase days fell 83% vs the previous window (6 -> 1)")
    assert texts["unpaid"] == "overdue receivables 12,000.00"
    assert texts["unhappy"] == "2 open complaints"
    assert texts["ghost"] == "P(alive) 0.20 below 0.50"
    zh = result.warnings(top=2, language="zh")
    assert len(zh) == 2
    assert any("存活概率" in t or "下降" in t or "投诉" in t for t in zh["reason_text"])


def test_without_attributes_only_model_and_trend_signals_fire() -> None:
    result = churn_warning(
        summary(), p_alive=pd.Series(0.9, index=INDEX), value=pd.Series(1.0, index=INDEX)
    )
    assert set(result.scores["churn_reasons"].astype(str)) == {"", "PURCHASE_DROP;REVENUE_DROP"}


def test_bad_rules_and_misaligned_inputs_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="weight_overdue must be between 0 and 1"):
        ChurnRules(weight_overdue=2.0)
    with pytest.raises(DataContractError, match="p_alive has 2 values"):
        churn_warning(summary(), p_alive=pd.Series([0.5, 0.5]), value=pd.Series(np.ones(5)))
