"""Tests of net profit, ABC classes and profitability classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.value import (
    COULD_BECOME_PROFITABLE,
    NEVER_PROFITABLE,
    PROFITABLE,
    CostToServe,
    ProfitabilityRules,
    abc_classes,
    customer_value,
    profitability_classes,
)


def _summary(revenue: list[float], gross: list[float], orders: list[int]) -> pd.DataFrame:
    index = pd.Index([f"c{i}" for i in range(len(revenue))], name="customer_id")
    return pd.DataFrame(
        {"revenue": revenue, "gross_profit": gross, "order_count": orders}, index=index
    )


def test_net_profit_subtracts_every_cost_to_serve_component() -> None:
    summary = _summary([1000.0, 500.0], [400.0, 100.0], [4, 2])
    attributes = pd.DataFrame(
        {
            "customer_id": ["c0", "c1"],
            "cases": [2, 0],
            "interactions": [5, 1],
            "service_cost": [30.0, 0.0],
        }
    )
    cost = CostToServe(per_case=50, per_interaction=10, per_order=5)
    value = customer_value(summary, attributes, cost=cost)
    # c0: 2*50 + 5*10 + 4*5 + 30 = 200; c1: 0 + 10 + 10 + 0 = 20
    assert value["cost_to_serve"].tolist() == [200.0, 20.0]
    assert value["net_profit"].tolist() == [200.0, 80.0]
    assert value["gross_margin"].tolist() == [0.4, 0.2]
    assert not value["margin_assumed"].any()


def test_attributes_indexed_by_customer_id_and_missing_customers_cost_nothing_extra() -> None:
    summary = _summary([100.0, 100.0], [50.0, 50.0], [1, 1])
    attributes = pd.DataFrame({"cases": [1.0]}, index=pd.Index(["c1"], name="customer_id"))
    value = customer_value(summary, attributes, cost=CostToServe(per_case=20, per_order=0))
    assert value["cost_to_serve"].tolist() == [0.0, 20.0]


def test_numeric_attribute_ids_match_string_summary_ids() -> None:
    summary = pd.DataFrame(
        {"revenue": [100.0], "gross_profit": [50.0], "order_count": [0]},
        index=pd.Index(["42"], name="customer_id"),
    )
    attributes = pd.DataFrame({"customer_id": [42], "interactions": [3]})
    value = customer_value(summary, attributes, cost=CostToServe(per_interaction=5))
    assert value.loc["42", "cost_to_serve"] == pytest.approx(15.0)


def test_repeated_attribute_rows_are_refused_naming_the_customer() -> None:
    summary = _summary([100.0], [50.0], [1])
    attributes = pd.DataFrame({"customer_id": ["c0", "c0"], "cases": [1, 2]})
    with pytest.raises(DataContractError, match=r"repeated.*c0"):
        customer_value(summary, attributes)


def test_service_cost_attribute_can_be_left_out() -> None:
    summary = _summary([100.0], [50.0], [0])
    attributes = pd.DataFrame({"service_cost": [30.0]}, index=["c0"])
    with_it = customer_value(summary, attributes)
    without = customer_value(summary, attributes, cost=CostToServe(include_service_cost=False))
    assert with_it.loc["c0", "net_profit"] == pytest.approx(20.0)
    assert without.loc["c0", "net_profit"] == pytest.approx(50.0)


def test_default_margin_is_used_and_flagged_when_cost_of_goods_is_unknown() -> None:
    summary = _summary([1000.0, 200.0], [float("nan"), 120.0], [0, 0])
    value = customer_value(summary, cost=CostToServe(default_margin=0.25, per_order=0))
    assert value["gross_profit"].tolist() == [250.0, 120.0]
    assert value["margin_assumed"].tolist() == [True, False]


def test_summary_without_revenue_is_refused_naming_the_column() -> None:
    summary = pd.DataFrame({"order_count": [1]}, index=["c0"])
    with pytest.raises(DataContractError, match="revenue"):
        customer_value(summary)


def test_non_numeric_attribute_is_refused_naming_column_and_customer() -> None:
    summary = _summary([100.0], [50.0], [1])
    attributes = pd.DataFrame({"cases": ["many"]}, index=["c0"])
    with pytest.raises(DataContractError, match=r"cases.*c0"):
        customer_value(summary, attributes)


def test_negative_unit_cost_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="per_case"):
        CostToServe(per_case=-1)


def test_abc_classes_split_at_eighty_and_ninety_five_percent() -> None:
    values = pd.Series([50.0, 30.0, 10.0, 5.0, 3.0, 2.0], index=list("abcdef"))
    classes = abc_classes(values)
    # Before-shares: a 0, b .5, c .8, d .9, e .95, f .98
    assert classes.astype(str).tolist() == ["A", "A", "B", "B", "C", "C"]


def test_abc_gives_loss_making_customers_class_c_and_breaks_ties_by_id() -> None:
    values = pd.Series([10.0, 10.0, -5.0, 0.0], index=["z", "y", "x", "w"])
    classes = abc_classes(values, a_share=0.5, b_share=0.3)
    assert classes.to_dict() == {"z": "B", "y": "A", "x": "C", "w": "C"}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=60))
def test_abc_classes_are_ordered_by_value(values: list[float]) -> None:
    series = pd.Series(values, index=[f"c{i:02d}" for i in range(len(values))])
    rank = {"A": 0, "B": 1, "C": 2}
    classes = abc_classes(series).astype(str).map(rank)
    ordered = classes.loc[series.sort_values(ascending=False, kind="stable").index]
    # A higher value never gets a worse class than a lower value (ties may straddle).
    tied_free = series.loc[ordered.index].to_numpy()
    for i in range(len(ordered) - 1):
        if tied_free[i] > tied_free[i + 1]:
            assert ordered.iloc[i] <= ordered.iloc[i + 1]


def test_abc_shares_must_fit_in_one() -> None:
    with pytest.raises(ConfigurationError, match="a_share"):
        abc_classes(pd.Series([1.0]), a_share=0.9, b_share=0.2)


def _value_table(gross: list[float], serve: list[float]) -> pd.DataFrame:
    gross_arr, serve_arr = np.array(gross), np.array(serve)
    return pd.DataFrame(
        {
            "gross_profit": gross_arr,
            "cost_to_serve": serve_arr,
            "net_profit": gross_arr - serve_arr,
        },
        index=[f"c{i}" for i in range(len(gross))],
    )


def test_profitability_rule_table() -> None:
    value = _value_table(
        gross=[100.0, 40.0, 10.0, 10.0, 10.0, -5.0],
        serve=[50.0, 60.0, 100.0, 100.0, 100.0, 0.0],
    )
    trend = pd.Series([0.0, 0.0, 5.0, 0.0, 0.0, 9.0], index=value.index)
    potential = pd.Series([0.0, 0.0, 0.0, 0.0, 900.0, 900.0], index=value.index)
    classes = profitability_classes(value, trend=trend, potential=potential)
    assert classes.astype(str).tolist() == [
        PROFITABLE,  # net > 0
        COULD_BECOME_PROFITABLE,  # cost 60 <= 2 x gross 40
        COULD_BECOME_PROFITABLE,  # far from covering cost but growing
        NEVER_PROFITABLE,  # far from covering cost, flat, low potential
        COULD_BECOME_PROFITABLE,  # high potential
        NEVER_PROFITABLE,  # negative gross margin: more sales lose more
    ]


def test_stricter_uplift_rule_turns_a_candidate_into_never_profitable() -> None:
    value = _value_table(gross=[40.0], serve=[60.0])
    strict = profitability_classes(value, rules=ProfitabilityRules(max_uplift=1.2))
    assert strict.astype(str).tolist() == [NEVER_PROFITABLE]


def test_trend_must_cover_every_customer() -> None:
    value = _value_table(gross=[1.0, 1.0], serve=[5.0, 5.0])
    with pytest.raises(DataContractError, match=r"trend.*c1"):
        profitability_classes(value, trend=pd.Series([1.0], index=["c0"]))
