"""The per-customer summary: hand-checked values, a pandas reference, the CDNOW totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from paretocrm.analytics.contract import load_transactions
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.summary import (
    SummaryParams,
    count_purchase_days,
    summarize,
    summarize_loaded,
    summary_sql,
)


def test_tiny_history_gives_hand_computed_summary(tiny_transactions: pd.DataFrame) -> None:
    summary = summarize(
        tiny_transactions,
        unit="D",
        calibration_end="2024-01-31",
        observation_end="2024-02-29",
        trend_window=14,
    )
    assert summary.index.tolist() == ["a", "b", "c"]
    a, b, c = (summary.loc[k] for k in "abc")
    # a: purchase days 01-01 (two lines) and 01-15 in calibration, 02-12 in the holdout.
    assert (a.purchase_days, a.frequency, a.recency, a["T"]) == (2, 1, 14.0, 30.0)
    assert (a.monetary_value, a.revenue, a.gross_profit, a.order_count) == (30.0, 45.0, 29.0, 2)
    assert (a.frequency_holdout, a.revenue_holdout, a.duration_holdout) == (1, 7.0, 29.0)
    assert (a.revenue_recent, a.purchases_recent, a.revenue_previous, a.purchases_previous) == (
        0.0,
        0,
        30.0,
        1,
    )
    assert (b.frequency, b.recency, b["T"], b.monetary_value) == (0, 0.0, 2.0, 0.0)
    assert (b.revenue_recent, b.purchases_recent, b.frequency_holdout) == (100.0, 1, 0)
    # c buys on calibration_end itself: that purchase is in the calibration period.
    assert (c.frequency, c.recency, c["T"], c.monetary_value) == (1, 28.0, 28.0, 40.0)
    assert c.first_purchase == pd.Timestamp("2024-01-03")
    assert c.last_purchase == pd.Timestamp("2024-01-31")


def test_weeks_divide_day_counts_by_seven(tiny_transactions: pd.DataFrame) -> None:
    days = summarize(tiny_transactions, unit="D", calibration_end="2024-01-31")
    weeks = summarize(tiny_transactions, unit="W", calibration_end="2024-01-31")
    np.testing.assert_allclose(weeks["T"], days["T"] / 7)
    np.testing.assert_allclose(weeks["recency"], days["recency"] / 7)


def test_without_calibration_end_there_are_no_holdout_columns_and_all_data_is_used(
    tiny_transactions: pd.DataFrame,
) -> None:
    summary = summarize(tiny_transactions, unit="D")
    assert "frequency_holdout" not in summary.columns
    assert summary.loc["a", "frequency"] == 2  # 02-12 now counts
    assert summary.loc["a", "T"] == 42.0  # observation end = last purchase day 02-12


def test_without_cost_or_order_id_gross_profit_is_nan_and_orders_are_lines(
    tiny_transactions: pd.DataFrame,
) -> None:
    summary = summarize(tiny_transactions.drop(columns=["cost", "order_id"]), unit="D")
    assert summary["gross_profit"].isna().all()
    assert summary.loc["a", "order_count"] == 4


def test_customers_whose_first_purchase_is_in_the_holdout_are_left_out(
    tiny_transactions: pd.DataFrame,
) -> None:
    late = pd.DataFrame(
        {"customer_id": ["z"], "timestamp": [pd.Timestamp("2024-02-20")], "amount": [1.0]}
    )
    summary = summarize(
        pd.concat([tiny_transactions, late], ignore_index=True), calibration_end="2024-01-31"
    )
    assert "z" not in summary.index


def test_observation_end_drops_later_purchases(tiny_transactions: pd.DataFrame) -> None:
    summary = summarize(
        tiny_transactions, unit="D", calibration_end="2024-01-20", observation_end="2024-01-30"
    )
    assert summary.loc["a", "frequency_holdout"] == 0  # 02-12 is after observation_end
    assert "b" not in summary.index  # first purchase 01-29 is after calibration_end
    assert summary.loc["c", "frequency_holdout"] == 0  # 01-31 is after observation_end


def _reference_summary(tx: pd.DataFrame, cal: pd.Timestamp, unit_days: int) -> pd.DataFrame:
    """A straightforward pandas version of the contract's frequency/recency/T/monetary."""
    tx = tx.assign(day=tx["timestamp"].dt.normalize())
    cal_tx = tx[tx["day"] <= cal]
    daily = cal_tx.groupby(["customer_id", "day"])["amount"].sum().reset_index()
    rows = {}
    for customer, group in daily.groupby("customer_id"):
        group = group.sort_values("day")
        first, last = group["day"].iloc[0], group["day"].iloc[-1]
        x = len(group) - 1
        rows[customer] = {
            "frequency": x,
            "recency": (last - first).days / unit_days,
            "T": (cal - first).days / unit_days,
            "monetary_value": group["amount"].iloc[1:].mean() if x else 0.0,
            "revenue": group["amount"].sum(),
        }
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()


def test_summary_matches_a_pandas_reference_on_random_data() -> None:
    rng = np.random.default_rng(7)
    n = 3_000
    tx = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 400, n).astype(str),
            "timestamp": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, n), unit="min"),
            "amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )
    cal = pd.Timestamp("2023-09-30")
    ours = summarize(tx, unit="W", calibration_end=cal)
    expected = _reference_summary(tx, cal, 7)
    assert ours.index.tolist() == expected.index.tolist()
    for column in expected.columns:
        np.testing.assert_allclose(ours[column].to_numpy(), expected[column].to_numpy(), rtol=1e-12)


def test_many_lines_per_day_match_the_reference_with_and_without_holdout() -> None:
    # Few days, many lines: most customers have several lines on their first day or on a
    # later one - the cases where the summary adds up the first day's lines separately.
    rng = np.random.default_rng(11)
    n = 2_000
    tx = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 150, n).astype(str),
            "timestamp": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 40 * 24, n), unit="h"),
            "amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )
    for cal in (pd.Timestamp("2024-01-25"), None):
        ours = summarize(tx, unit="D", calibration_end=cal, trend_window=7)
        end = cal if cal is not None else tx["timestamp"].max().normalize()
        expected = _reference_summary(tx, end, 1)
        assert ours.index.tolist() == expected.index.tolist()
        for column in expected.columns:
            np.testing.assert_allclose(
                ours[column].to_numpy(), expected[column].to_numpy(), rtol=1e-12
            )
        days = tx.assign(day=tx["timestamp"].dt.normalize())[["customer_id", "day"]]
        days = days.drop_duplicates()
        recent = days[(days["day"] > end - pd.Timedelta(days=7)) & (days["day"] <= end)]
        counts = recent.groupby("customer_id").size().reindex(ours.index, fill_value=0)
        assert ours["purchases_recent"].tolist() == counts.tolist()
        if cal is not None:
            later = days[days["day"] > cal].groupby("customer_id").size()
            holdout = later.reindex(ours.index, fill_value=0)
            assert ours["frequency_holdout"].tolist() == holdout.tolist()


def test_cdnow_sample_summary_has_the_published_counts(cdnow_summary: pd.DataFrame) -> None:
    assert len(cdnow_summary) == 2_357
    assert int((cdnow_summary["frequency"] > 0).sum()) == 946
    assert int((cdnow_summary["frequency"] == 0).sum()) == 1_411
    assert int(cdnow_summary["frequency"].sum()) == 2_457
    assert int(cdnow_summary["frequency_holdout"].sum()) == 1_882
    assert cdnow_summary["duration_holdout"].unique().tolist() == [39.0]


def test_bad_settings_are_configuration_errors(tiny_transactions: pd.DataFrame) -> None:
    with pytest.raises(ConfigurationError, match="unit must be one of"):
        summarize(tiny_transactions, unit="fortnight")
    with pytest.raises(ConfigurationError, match=r"calibration_end .* is after observation_end"):
        summarize(tiny_transactions, calibration_end="2024-03-01", observation_end="2024-02-01")
    with pytest.raises(ConfigurationError, match="calibration_end is not a date"):
        summarize(tiny_transactions, calibration_end="soon")
    with pytest.raises(ConfigurationError, match="trend_window"):
        summarize(tiny_transactions, trend_window=0)


def test_no_customer_in_the_calibration_period_is_a_contract_error(
    tiny_transactions: pd.DataFrame,
) -> None:
    with pytest.raises(DataContractError, match="no customer has a purchase on or before"):
        summarize(tiny_transactions, calibration_end="2023-12-31")


def test_summary_sql_differs_between_dialects_only_in_the_day_and_array_expressions() -> None:
    params = SummaryParams(
        unit_days=7,
        calibration_end_day=100,
        observation_end_day=200,
        trend_window_days=28,
        has_cost=True,
        has_order_id=True,
        holdout=True,
    )
    duck = summary_sql("sales", params, "duckdb")
    spark = summary_sql("sales", params, "spark")
    assert "datediff(" in spark and "date_diff(" not in spark
    # Spark's spelling of each DuckDB expression; everything else is the same text.
    spellings = [
        (
            "CAST(date_diff('day', DATE '1970-01-01', CAST(timestamp AS DATE)) AS INTEGER)",
            "datediff(CAST(timestamp AS DATE), DATE '1970-01-01')",
        ),
        ("list_sort(LIST(day))", "array_sort(collect_list(day))"),
        (
            "COALESCE(per_customer.purchase_day_list[1] = "
            "per_customer.purchase_day_list[2], FALSE)",
            "COALESCE(try_element_at(per_customer.purchase_day_list, 1) = "
            "try_element_at(per_customer.purchase_day_list, 2), FALSE)",
        ),
    ]
    translated = duck
    for duck_text, spark_text in spellings:
        assert duck_text in translated
        translated = translated.replace(duck_text, spark_text)
    assert translated == spark
    with pytest.raises(ConfigurationError, match="plain SQL identifier"):
        summary_sql("sales; DROP TABLE x", params)


def test_summarize_loaded_on_validated_rows_equals_summarize(
    tiny_transactions: pd.DataFrame,
) -> None:
    settings = {"unit": "D", "calibration_end": "2024-01-31", "trend_window": 14}
    pd.testing.assert_frame_equal(
        summarize_loaded(load_transactions(tiny_transactions), **settings),
        summarize(tiny_transactions, **settings),
    )


def _aggregates(day_lists: list[list[int]], *, chunked: bool = False) -> pa.Table:
    """A stand-in for summary_sql's result: only what count_purchase_days reads."""
    n = len(day_lists)
    lists = pa.array(day_lists, type=pa.list_(pa.int32()))
    if chunked:  # two chunks, the second a slice sharing its parent's buffers
        padded = pa.array([[1, 2, 3], *day_lists], type=pa.list_(pa.int32()))
        lists = pa.chunked_array([lists.slice(0, 1), padded.slice(2, n - 1)])
    columns = {
        "customer_id": [str(i) for i in range(n)],
        "first_day": [days[0] for days in day_lists],
        "last_day": [days[-1] for days in day_lists],
        "recency": [0.0] * n,
        "T": [1.0] * n,
        "revenue": [100.0] * n,
        "first_day_revenue": [40.0] * n,
        "gross_profit": [None] * n,
        "order_count": [1] * n,
        "revenue_recent": [0.0] * n,
        "revenue_previous": [0.0] * n,
        "revenue_holdout": [0.0] * n,
        "duration_holdout": [1.0] * n,
        "purchase_day_list": lists,
    }
    return pa.table(columns)


@pytest.mark.parametrize("chunked", [False, True])
def test_purchase_days_are_counted_once_per_day_and_window(chunked: bool) -> None:
    # Calibration ends on day 100; windows of 10 days: previous (80, 90], recent (90, 100].
    params = SummaryParams(
        unit_days=1,
        calibration_end_day=100,
        observation_end_day=120,
        trend_window_days=10,
        has_cost=False,
        has_order_id=False,
        holdout=True,
    )
    day_lists = [
        [50, 50, 85, 85, 85, 95, 110, 110],  # repeats on the first day and in both windows
        [100],  # one line on the last calibration day
        [81, 90, 91, 100, 101],  # window edges: 90 is previous, 91 and 100 recent, 101 holdout
    ]
    counted = count_purchase_days(_aggregates(day_lists, chunked=chunked), params)
    assert counted.column("purchase_days").to_pylist() == [3, 1, 4]
    assert counted.column("frequency").to_pylist() == [2, 0, 3]
    assert counted.column("purchases_previous").to_pylist() == [1, 0, 2]
    assert counted.column("purchases_recent").to_pylist() == [1, 1, 2]
    assert counted.column("frequency_holdout").to_pylist() == [1, 0, 1]
    # (revenue - first day's revenue) / repeat days; no repeat day gives 0.
    assert counted.column("monetary_value").to_pylist() == [30.0, 0.0, 20.0]


def test_counting_an_empty_result_keeps_the_columns() -> None:
    params = SummaryParams(1, 100, 100, 10, False, False, False)
    empty = _aggregates([[1]]).slice(0, 0)
    counted = count_purchase_days(empty, params)
    assert counted.num_rows == 0
    assert "frequency" in counted.column_names and "purchase_day_list" not in counted.column_names
