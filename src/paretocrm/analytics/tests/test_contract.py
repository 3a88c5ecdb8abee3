"""The data contract: aliases, dtypes, sources and error messages naming column and rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from paretocrm.analytics.contract import (
    load_customers,
    load_transactions,
    load_transactions_frame,
)
from paretocrm.analytics.exceptions import AnalyticsError, DataContractError


def _frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_canonical_frame_keeps_values_and_gets_canonical_types() -> None:
    table = load_transactions(
        _frame(customer_id=[1, 2], timestamp=["2024-01-01", "2024-02-03"], amount=[1, 2.5])
    )
    assert table.column_names == ["customer_id", "timestamp", "amount"]
    assert table.schema.field("customer_id").type == pa.string()
    assert table.schema.field("timestamp").type == pa.timestamp("ns")
    assert table.schema.field("amount").type == pa.float64()
    assert table.column("customer_id").to_pylist() == ["1", "2"]
    assert table.column("amount").to_pylist() == [1.0, 2.5]


def test_english_and_chinese_aliases_map_to_canonical_names() -> None:
    frame = load_transactions_frame(
        _frame(
            客户编号=["c1"],
            日期=["2024-03-01"],
            金额=["1,200.50"],
            成本=[700],
            数量=[3],
            渠道=["直销"],
        )
    )
    assert list(frame.columns) == [
        "customer_id",
        "timestamp",
        "amount",
        "cost",
        "quantity",
        "channel",
    ]
    assert frame.loc[0, "amount"] == 1200.5
    english = load_transactions_frame(
        _frame(Customer=["c1"], Date=["2024-03-01"], Revenue=[5], Order=["A-1"])
    )
    assert list(english.columns) == ["customer_id", "timestamp", "amount", "order_id"]


def test_unknown_columns_are_dropped() -> None:
    frame = load_transactions_frame(
        _frame(customer_id=["x"], timestamp=["2024-01-01"], amount=[1.0], note=["hello"])
    )
    assert "note" not in frame.columns


def test_integral_float_ids_lose_the_decimal_point_and_padded_text_ids_keep_zeros() -> None:
    floats = load_transactions(_frame(customer_id=[7.0], timestamp=["2024-01-01"], amount=[1]))
    assert floats.column("customer_id").to_pylist() == ["7"]
    text = load_transactions(_frame(customer_id=["007"], timestamp=["2024-01-01"], amount=[1]))
    assert text.column("customer_id").to_pylist() == ["007"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31", "2024-01-31 00:00:00"),
        ("20240131", "2024-01-31 00:00:00"),
        ("2024/1/31", "2024-01-31 00:00:00"),
        ("2024-01-31T08:30:00+08:00", "2024-01-31 00:30:00"),
    ],
)
def test_date_layouts_are_parsed_and_time_zones_go_to_utc(text: str, expected: str) -> None:
    frame = load_transactions_frame(_frame(customer_id=["a"], timestamp=[text], amount=[1]))
    assert frame.loc[0, "timestamp"] == pd.Timestamp(expected)


def test_bad_amount_error_names_column_rows_and_values() -> None:
    with pytest.raises(DataContractError) as caught:
        load_transactions(
            _frame(
                customer_id=["a", "b", "c"], timestamp=["2024-01-01"] * 3, amount=["1", "x", "?"]
            )
        )
    error = caught.value
    assert error.column == "amount"
    assert error.rows == [(2, "x"), (3, "?")]
    assert "'amount'" in str(error) and "row 2: 'x'" in str(error)


def test_bad_dates_and_empty_ids_are_reported_by_row() -> None:
    with pytest.raises(DataContractError, match=r"'timestamp'.*row 2: '2024-13-01'"):
        load_transactions(
            _frame(customer_id=["a", "b"], timestamp=["2024-01-01", "2024-13-01"], amount=[1, 2])
        )
    with pytest.raises(DataContractError, match=r"'customer_id'.*empty value - row 1: ' '"):
        load_transactions(_frame(customer_id=[" "], timestamp=["2024-01-01"], amount=[1]))


def test_missing_required_column_lists_what_was_found_and_accepted_names() -> None:
    with pytest.raises(DataContractError, match=r"missing required column\(s\) amount.*revenue"):
        load_transactions(_frame(customer_id=["a"], timestamp=["2024-01-01"]))


def test_two_columns_with_the_same_meaning_are_refused() -> None:
    with pytest.raises(DataContractError, match="'customer' and 'client' both mean"):
        load_transactions(
            _frame(customer=["a"], client=["b"], timestamp=["2024-01-01"], amount=[1])
        )


def test_csv_with_bom_and_padded_ids_reads_ids_as_text(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "\ufeff客户编号,日期,金额\n007,2024-01-01,10\n008,2024-01-02,5\n", encoding="utf-8"
    )
    table = load_transactions(path)
    assert table.column("customer_id").to_pylist() == ["007", "008"]
    assert table.column("amount").to_pylist() == [10.0, 5.0]


def test_csv_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("customer,date,amount\na,2024-01-01,oops\n", encoding="utf-8")
    with pytest.raises(DataContractError, match=r"bad\.csv: column 'amount'.*row 1: 'oops'"):
        load_transactions(path)


def test_parquet_and_arrow_sources_give_the_same_table(tmp_path: Path) -> None:
    source = pa.table(
        {"customer": ["a", "b"], "date": pa.array([19723, 19724], pa.date32()), "value": [1, 2]}
    )
    pq.write_table(source, tmp_path / "t.parquet")
    from_file = load_transactions(tmp_path / "t.parquet")
    assert from_file.equals(load_transactions(source))
    assert from_file.column("timestamp").to_pylist()[0] == pd.Timestamp("2024-01-01")


def test_unsupported_file_type_and_missing_file_are_clear(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="no such file"):
        load_transactions(tmp_path / "nothing.csv")
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(DataContractError, match=r"unsupported file type \.xlsx"):
        load_transactions(tmp_path / "x.xlsx")


def test_contract_errors_are_analytics_errors() -> None:
    assert issubclass(DataContractError, AnalyticsError)
    assert issubclass(DataContractError, ValueError)


def test_customer_attributes_map_chinese_headers_and_choice_values() -> None:
    customers = load_customers(
        _frame(
            客户编号=["1", "2"],
            范围=["全球性", "regional"],
            合作级别=["战略合作伙伴", "partner"],
            信用评级=[80, 55],
        )
    )
    assert customers.index.tolist() == ["1", "2"]
    assert customers["scope"].tolist() == ["global", "regional"]
    assert customers["cooperation_level"].tolist() == ["strategic_partner", "partner"]
    assert customers["credit_rating"].tolist() == [80.0, 55.0]


def test_customer_attribute_out_of_range_and_unknown_choice_are_reported() -> None:
    with pytest.raises(DataContractError, match=r"'industry_influence'.*row 2: 9\.0"):
        load_customers(_frame(customer_id=["1", "2"], industry_influence=[3, 9]))
    with pytest.raises(DataContractError, match=r"'scope'.*row 1: 'planetary'"):
        load_customers(_frame(customer_id=["1"], scope=["planetary"]))


def test_duplicate_customer_ids_in_attributes_are_refused() -> None:
    with pytest.raises(DataContractError, match=r"duplicate customer id - row 3: 'a'"):
        load_customers(_frame(customer_id=["a", "b", "a"]))


@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_amount_is_refused_naming_column_and_row(bad: float) -> None:
    table = pa.table(
        {
            "customer_id": ["a", "b", "c"],
            "timestamp": pa.array([1, 2, 3], pa.timestamp("s")),
            "amount": pa.array([1.0, bad, 2.0], pa.float64()),
        }
    )
    with pytest.raises(DataContractError, match="amount") as caught:
        load_transactions(table)
    assert "not a finite number - row 2:" in str(caught.value)
    assert [row for row, _ in caught.value.rows] == [2]


def test_finite_amounts_pass_the_finiteness_check() -> None:
    table = pa.table(
        {
            "customer_id": ["a", "b"],
            "timestamp": pa.array([1, 2], pa.timestamp("s")),
            "amount": pa.array([1.0, -3.5], pa.float64()),
        }
    )
    assert load_transactions(table).column("amount").to_pylist() == [1.0, -3.5]


@pytest.mark.parametrize(
    "padded",
    [" c1", "c1 ", "\tc1", "c1\n", "\u3000c1", "c1\u3000", "\u00a0c1"],
)
def test_ids_with_white_space_at_either_end_are_trimmed(padded: str) -> None:
    # Trimming is skipped only when no value starts or ends with a possible space byte; a
    # single padded value among plain ones (including an ideographic space) still counts.
    ids = ["c0", "x", padded, "c2"]
    table = pa.table({"customer_id": ids, "timestamp": ["2024-01-01"] * 4, "amount": [1.0] * 4})
    trimmed = load_transactions(table).column("customer_id").to_pylist()
    assert trimmed[2] == "c1"


def test_trimming_check_reads_sliced_chunks_at_their_offset() -> None:
    # A sliced Arrow array shares its parent's buffers: the padded value before the slice
    # must not be read, and the one inside it must be found.
    ids = pa.array([" before", "a", "b ", "c"]).slice(1, 3)
    stamps = pa.array(["2024-01-01"] * 3)
    table = pa.table({"customer_id": ids, "timestamp": stamps, "amount": [1.0, 2.0, 3.0]})
    assert load_transactions(table).column("customer_id").to_pylist() == ["a", "b", "c"]
    plain = pa.table(
        {"customer_id": ids.slice(0, 1), "timestamp": stamps[:1], "amount": pa.array([1.0])}
    )
    assert load_transactions(plain).column("customer_id").to_pylist() == ["a"]
