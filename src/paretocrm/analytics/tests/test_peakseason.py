"""Peak-season plan: expected monthly quantities checked against hand-computed averages."""

from __future__ import annotations

import pandas as pd
import pytest

from paretocrm.analytics.exceptions import DataContractError
from paretocrm.analytics.peakseason import peak_season_plan


def _lines() -> pd.DataFrame:
    """Two years (2024-01 .. 2025-12) of lines for three customers."""
    rows = []
    for year in (2024, 2025):
        # Fruit exporter "a": apples in Sep and Oct, 100 and 60 boxes a year; pears in Oct.
        rows += [("a", f"{year}-09-05", "apples", 100.0), ("a", f"{year}-10-05", "apples", 60.0)]
        rows.append(("a", f"{year}-10-20", "pears", 40.0))
        # "b" buys apples only in the 2025 season: 30 in September.
        if year == 2025:
            rows.append(("b", f"{year}-09-15", "apples", 30.0))
        # "c" is not profitable: its lines count for coverage only.
        rows += [("c", f"{year}-{month:02d}-01", "apples", 1000.0) for month in (1, 12)]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "category", "quantity"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


def test_expected_quantities_per_customer_and_category_by_hand() -> None:
    plan = peak_season_plan(_lines(), pd.Index(["a", "b"]), top=2)
    assert plan.years_covered.tolist() == [2] * 12
    # a: September (100 + 100) / 2 = 100; October apples 60 + pears 40 = 100 a year.
    assert plan.by_customer.loc[9, "a"] == pytest.approx(100.0)
    assert plan.by_customer.loc[10, "a"] == pytest.approx(100.0)
    # b bought 30 once in two covered Septembers: 15 expected.
    assert plan.by_customer.loc[9, "b"] == pytest.approx(15.0)
    assert plan.by_customer.loc[1, "a"] == pytest.approx(0.0)
    # Apples in September: a 100 + b 15 = 115; October: 60. Pears: October 40. c left out.
    assert plan.by_category.loc[9, "apples"] == pytest.approx(115.0)
    assert plan.by_category.loc[10, "apples"] == pytest.approx(60.0)
    assert plan.by_category.loc[10, "pears"] == pytest.approx(40.0)
    assert plan.by_category.loc[1, "apples"] == pytest.approx(0.0)
    assert plan.peak_months.loc["apples", "peak_months"] == [9, 10]
    assert plan.peak_months.loc["apples", "peak_share"] == pytest.approx(1.0)
    assert list(plan.by_category.columns) == ["apples", "pears"]


def test_lines_without_a_category_are_grouped_and_no_customers_give_empty_tables() -> None:
    lines = _lines()
    lines.loc[lines["category"] == "pears", "category"] = None
    plan = peak_season_plan(lines, pd.Index(["a"]))
    assert plan.by_category.loc[10, "—"] == pytest.approx(40.0)
    empty = peak_season_plan(_lines(), pd.Index([]))
    assert empty.by_customer.shape[1] == 0 and empty.by_category.shape[1] == 0


def test_missing_column_and_missing_quantity_are_refused_by_name() -> None:
    with pytest.raises(DataContractError, match="category"):
        peak_season_plan(_lines().drop(columns=["category"]), pd.Index(["a"]))
    lines = _lines()
    lines.loc[2, "quantity"] = None
    with pytest.raises(DataContractError, match=r"quantity.*\[3\]"):
        peak_season_plan(lines, pd.Index(["a"]))
