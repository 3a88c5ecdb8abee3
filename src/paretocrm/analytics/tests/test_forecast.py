"""Tests of the next-period forecast and the seasonal demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.forecast import forecast_next_period, seasonal_demand

CUSTOMERS = pd.Index(["a", "b", "c", "d"], name="customer_id")


def _series(values: list[float] | list[str]) -> pd.Series:
    return pd.Series(values, index=CUSTOMERS)


def test_forecast_sums_purchases_times_spend_per_group() -> None:
    forecast = forecast_next_period(
        _series([2.0, 1.0, 0.5, 0.0]),
        _series([100.0, 50.0, 10.0, 999.0]),
        {"tier": _series(["core", "core", "ordinary", "ordinary"])},
        p_alive=_series([0.9, 0.8, 0.5, 0.1]),
    )
    table = forecast.by["tier"]
    assert table.index.tolist() == ["core", "ordinary"]
    assert table.loc["core", "customers"] == 2
    assert table.loc["core", "expected_purchases"] == pytest.approx(3.0)
    assert table.loc["core", "expected_revenue"] == pytest.approx(250.0)
    assert table.loc["ordinary", "expected_revenue"] == pytest.approx(5.0)
    assert table.loc["core", "expected_active"] == pytest.approx(1.7)
    assert table.loc["core", "revenue_share"] == pytest.approx(250 / 255)
    assert table.loc["ordinary", "purchases_per_customer"] == pytest.approx(0.25)
    assert forecast.total_revenue == pytest.approx(255.0)
    assert forecast.total_purchases == pytest.approx(3.5)
    assert forecast.expected_active == pytest.approx(2.3)


def test_forecast_gives_one_table_per_grouping_and_totals_agree() -> None:
    rng = np.random.default_rng(4)
    index = pd.Index([f"c{i}" for i in range(50)])
    purchases = pd.Series(rng.gamma(1.0, 1.0, 50), index=index)
    spend = pd.Series(rng.gamma(2.0, 30.0, 50), index=index)
    groupings = {
        "segment": pd.Series(rng.integers(0, 4, 50), index=index),
        "tier": pd.Series(rng.choice(["core", "key", "ordinary"], 50), index=index),
    }
    forecast = forecast_next_period(purchases, spend, groupings)
    assert set(forecast.by) == {"segment", "tier"}
    for table in forecast.by.values():
        assert table["expected_revenue"].sum() == pytest.approx(forecast.total_revenue)
        assert table["customers"].sum() == 50
    assert np.isnan(forecast.expected_active)


def test_spend_missing_for_a_customer_is_refused_naming_it() -> None:
    with pytest.raises(DataContractError, match=r"expected_spend.*'d'"):
        forecast_next_period(
            _series([1.0] * 4),
            pd.Series([1.0, 1.0, 1.0], index=["a", "b", "c"]),
            {"tier": _series(["x"] * 4)},
        )


def test_customer_without_a_group_is_refused_naming_the_grouping() -> None:
    groups = pd.Series(["x", "y", None, "x"], index=CUSTOMERS)
    with pytest.raises(DataContractError, match=r"grouping 'segment'.*c"):
        forecast_next_period(_series([1.0] * 4), _series([1.0] * 4), {"segment": groups})


def test_negative_expected_purchases_are_refused() -> None:
    with pytest.raises(DataContractError, match="expected_purchases"):
        forecast_next_period(_series([1.0, -1.0, 0.0, 0.0]), _series([1.0] * 4), {})


def _transactions() -> pd.DataFrame:
    """Two years. Group "summer" buys in June-August, "winter" in December-January."""
    rows = []
    for year in (2022, 2023):
        for month in (6, 7, 8):
            rows.append(("s1", f"{year}-{month:02d}-15", 100.0))
        rows.append(("s2", f"{year}-07-01", 50.0))
        for month in (1, 12):
            rows.append(("w1", f"{year}-{month:02d}-10", 300.0))
        rows.append(("w1", f"{year}-03-10", 30.0))
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


def test_seasonal_demand_finds_each_groups_peak_months() -> None:
    groups = pd.Series({"s1": "summer", "s2": "summer", "w1": "winter"})
    result = seasonal_demand(_transactions(), groups, top=2)
    assert result.peak_months.loc["summer", "peak_months"] == [7, 6]
    assert result.peak_months.loc["winter", "peak_months"] == [1, 12]
    # July: (100 + 50) per year over two covered years.
    assert result.monthly.loc[7, "summer"] == pytest.approx(150.0)
    assert result.share["summer"].sum() == pytest.approx(1.0)
    assert result.index["winter"].mean() == pytest.approx(1.0)
    assert result.index.loc[1, "winter"] == pytest.approx(300 / (630 / 12))


def test_months_covered_once_are_not_averaged_over_two_years() -> None:
    result = seasonal_demand(_transactions())
    # Data runs 2022-01 .. 2023-12: every month covered twice.
    assert result.years_covered.tolist() == [2] * 12
    short = _transactions()
    short = short[short["timestamp"] >= "2022-06-01"]
    covered = seasonal_demand(short).years_covered
    assert covered.loc[1] == 1 and covered.loc[6] == 2


def test_only_the_given_customers_are_counted() -> None:
    result = seasonal_demand(_transactions(), customers=pd.Index(["w1"]))
    assert list(result.monthly.columns) == ["all"]
    assert result.monthly.loc[7, "all"] == pytest.approx(0.0)
    assert result.monthly.loc[12, "all"] == pytest.approx(300.0)


def test_groups_restricted_to_given_customers() -> None:
    groups = pd.Series({"s1": "summer", "s2": "summer", "w1": "winter"})
    result = seasonal_demand(_transactions(), groups, customers=pd.Index(["s2", "w1"]))
    assert list(result.monthly.columns) == ["summer", "winter"]
    # Only s2 is left in "summer": 50 in July each year.
    assert result.monthly.loc[7, "summer"] == pytest.approx(50.0)
    assert result.monthly.loc[6, "summer"] == pytest.approx(0.0)


def test_missing_amount_in_arrow_input_is_refused_naming_the_row() -> None:
    frame = _transactions()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    amounts = table.column("amount").to_pylist()
    amounts[4] = None
    table = table.set_column(2, "amount", pa.array(amounts, pa.float64()))
    with pytest.raises(DataContractError, match=r"amount.*\[5\]"):
        seasonal_demand(table)


def test_quantity_measure_and_arrow_input() -> None:
    frame = _transactions().assign(quantity=2.0)
    result = seasonal_demand(pa.Table.from_pandas(frame), measure="quantity")
    assert result.monthly.loc[7, "all"] == pytest.approx(4.0)


def test_missing_measure_column_is_refused_naming_it() -> None:
    with pytest.raises(DataContractError, match="quantity"):
        seasonal_demand(_transactions(), measure="quantity")


def test_bad_timestamp_is_refused_naming_the_row() -> None:
    frame = _transactions().astype({"timestamp": object})
    frame.loc[2, "timestamp"] = "not a date"
    with pytest.raises(DataContractError, match=r"timestamp.*\[3\]"):
        seasonal_demand(frame)


def test_top_out_of_range_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="top"):
        seasonal_demand(_transactions(), top=13)
