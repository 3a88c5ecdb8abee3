"""The Spark engine gives the DuckDB summary and the same scores on the CDNOW sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from paretocrm.analytics.datasets import CDNOW_CALIBRATION_END, CDNOW_OBSERVATION_END
from paretocrm.analytics.exceptions import DataContractError
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.gammagamma import GammaGammaModel

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,  # a JVM start and a dozen Spark jobs: tens of seconds
    # PySpark 4.0 warns on every pandas conversion that it is not yet certified on pandas 3.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    # ...and its Arrow-to-pandas conversion still passes pandas 3's deprecated copy keyword.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

pyspark = pytest.importorskip("pyspark")

from paretocrm.analytics.engines import spark_engine  # noqa: E402 - needs pyspark first

#: Columns that are sums of money: the engines add the same numbers in a different order,
#: so these agree to the last couple of bits, not bit for bit.
MONEY_COLUMNS = [
    "monetary_value",
    "revenue",
    "gross_profit",
    "revenue_recent",
    "revenue_previous",
    "revenue_holdout",
]
HORIZON = 39.0


@pytest.fixture(scope="module")
def spark(require_java: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One local[2] session for the whole module, with its scratch space under tmp."""
    scratch = tmp_path_factory.mktemp("spark")
    session = spark_engine.local_session(
        master="local[2]",
        shuffle_partitions=4,
        conf={
            "spark.sql.warehouse.dir": str(scratch / "warehouse"),
            "spark.local.dir": str(scratch / "local"),
        },
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def cdnow_parquet(
    cdnow_transactions: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The CDNOW sample as Parquet with microsecond timestamps (Spark reads no nanoseconds)."""
    path = tmp_path_factory.mktemp("cdnow") / "transactions.parquet"
    table = pa.Table.from_pandas(cdnow_transactions, preserve_index=False)
    pq.write_table(table, path, coerce_timestamps="us")
    return path


@pytest.fixture(scope="module")
def spark_summary(spark: object, cdnow_parquet: Path) -> tuple[object, object]:
    """The Spark summary DataFrame and its params, CDNOW calibration/holdout split."""
    transactions = spark_engine.read_transactions(spark, cdnow_parquet)  # type: ignore[arg-type]
    params = spark_engine.summary_params(
        transactions,
        unit="W",
        calibration_end=CDNOW_CALIBRATION_END,
        observation_end=CDNOW_OBSERVATION_END,
    )
    return spark_engine.summarize(transactions, params).cache(), params


def test_spark_summary_equals_the_duckdb_summary(
    spark_summary: tuple[object, object], cdnow_summary: pd.DataFrame
) -> None:
    frame, params = spark_summary
    collected = spark_engine.collect_summary(frame, params)  # type: ignore[arg-type]
    assert len(collected) == 2357
    exact = collected.columns.difference(MONEY_COLUMNS)
    pd.testing.assert_frame_equal(collected[exact], cdnow_summary[exact], check_exact=True)
    pd.testing.assert_frame_equal(
        collected[MONEY_COLUMNS], cdnow_summary[MONEY_COLUMNS], rtol=1e-12, atol=0
    )
    # The published counts: 2,457 repeat purchase days in calibration, 1,882 in the holdout.
    assert collected["frequency"].sum() == 2457
    assert collected["frequency_holdout"].sum() == 1882


def test_default_observation_end_is_the_last_purchase_day(
    spark: object, cdnow_parquet: Path
) -> None:
    transactions = spark_engine.read_transactions(spark, cdnow_parquet)  # type: ignore[arg-type]
    params = spark_engine.summary_params(transactions)
    last_day = (pd.Timestamp("1998-06-30") - pd.Timestamp("1970-01-01")).days
    assert params.observation_end_day == last_day
    assert params.calibration_end_day == last_day
    assert not params.holdout


def test_fit_on_spark_sufficient_statistics_equals_the_fit_on_every_customer(
    spark_summary: tuple[object, object], cdnow_summary: pd.DataFrame
) -> None:
    frame, _ = spark_summary
    profiles = spark_engine.sufficient_statistics(frame)  # type: ignore[arg-type]
    assert profiles["count"].sum() == 2357
    assert len(profiles) < 2357  # compressed: fewer distinct profiles than customers
    model, spend = spark_engine.fit_models(
        frame,  # type: ignore[arg-type]
        spend_model=GammaGammaModel(),
    )
    reference = BGNBDModel().fit(
        cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    for name, value in reference.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-9)
    assert model.log_likelihood_ == pytest.approx(reference.log_likelihood_, rel=1e-9)
    # The spend inputs are money sums that differ in the last bit between the engines (see
    # MONEY_COLUMNS). The Gamma-Gamma likelihood is flat along a ridge of (p, q, gamma), so
    # the optimiser may stop at a slightly different point of it: compare the optimum's
    # likelihood and the predictions, which the ridge leaves unchanged.
    spend_reference = GammaGammaModel().fit(
        cdnow_summary["frequency"], cdnow_summary["monetary_value"]
    )
    assert spend is not None
    assert spend.log_likelihood_ == pytest.approx(spend_reference.log_likelihood_, rel=1e-9)
    np.testing.assert_allclose(
        spend.conditional_expected_spend(
            cdnow_summary["frequency"], cdnow_summary["monetary_value"]
        ),
        spend_reference.conditional_expected_spend(
            cdnow_summary["frequency"], cdnow_summary["monetary_value"]
        ),
        rtol=1e-5,
    )


def test_scores_per_partition_equal_the_scores_on_the_driver(
    spark_summary: tuple[object, object], cdnow_summary: pd.DataFrame
) -> None:
    frame, _ = spark_summary
    model = BGNBDModel().fit(
        cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    spend = GammaGammaModel().fit(cdnow_summary["frequency"], cdnow_summary["monetary_value"])
    scored = spark_engine.score(
        frame.repartition(3),  # type: ignore[attr-defined]
        model,
        horizon=HORIZON,
        spend_model=spend,
    )
    spark_scores = scored.toPandas().set_index("customer_id").sort_index()
    expected_alive = model.conditional_probability_alive(
        cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    expected_purchases = model.conditional_expected_purchases(
        HORIZON, cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    assert spark_scores.index.equals(cdnow_summary.index)
    np.testing.assert_allclose(spark_scores["p_alive"], expected_alive, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        spark_scores["expected_purchases"], expected_purchases, rtol=0, atol=1e-9
    )
    assert spark_scores["p_alive"].between(0, 1).all()
    assert (spark_scores["expected_spend"] > 0).all()


def test_run_reads_parquet_and_writes_scores_parquet(
    spark: object, cdnow_parquet: Path, tmp_path: Path, cdnow_summary: pd.DataFrame
) -> None:
    output = tmp_path / "scores"
    result = spark_engine.run(
        spark,  # type: ignore[arg-type]
        cdnow_parquet,
        output,
        calibration_end=CDNOW_CALIBRATION_END,
        observation_end=CDNOW_OBSERVATION_END,
        horizon=HORIZON,
    )
    scores = pd.read_parquet(output).set_index("customer_id").sort_index()
    assert scores.index.equals(cdnow_summary.index)
    assert {"p_alive", "expected_purchases", "expected_spend"} <= set(scores.columns)
    reference = BGNBDModel().fit(
        cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    assert result.model.params_ == pytest.approx(reference.params_, rel=1e-9)
    np.testing.assert_allclose(
        scores["expected_purchases"],
        reference.conditional_expected_purchases(
            HORIZON, cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
        ),
        rtol=0,
        atol=1e-9,
    )
    assert result.spend_model is not None
    assert scores["frequency_holdout"].sum() == 1882


def test_reading_a_spark_table_works_like_parquet(spark: object, cdnow_parquet: Path) -> None:
    spark.read.parquet(str(cdnow_parquet)).createOrReplaceTempView("cdnow_view")  # type: ignore[attr-defined]
    frame = spark_engine.read_transactions(spark, "cdnow_view", kind="table")  # type: ignore[arg-type]
    assert frame.count() == 6919


def test_missing_column_is_refused_naming_it(spark: object) -> None:
    frame = spark.createDataFrame(  # type: ignore[attr-defined]
        pd.DataFrame({"customer_id": ["a"], "timestamp": pd.to_datetime(["2024-01-01"])})
    )
    with pytest.raises(DataContractError, match="amount"):
        spark_engine.canonical_transactions(frame)


def test_empty_amount_is_refused_naming_the_column(spark: object) -> None:
    frame = spark.createDataFrame(  # type: ignore[attr-defined]
        pd.DataFrame(
            {
                "customer_id": ["a", "b"],
                "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                "amount": [1.0, float("nan")],
            }
        )
    )
    with pytest.raises(DataContractError, match=r"column amount .* 1 row"):
        spark_engine.canonical_transactions(frame)


def test_missing_parquet_path_is_a_clear_error(spark: object, tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="no such Parquet"):
        spark_engine.read_transactions(spark, tmp_path / "nope.parquet")  # type: ignore[arg-type]


def test_nanosecond_parquet_is_refused_with_advice(spark: object, tmp_path: Path) -> None:
    path = tmp_path / "nanos.parquet"
    frame = pd.DataFrame(
        {
            "customer_id": ["a"],
            "timestamp": pd.to_datetime(["2024-01-01 10:00:00.123456789"]),
            "amount": [1.0],
        }
    )
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    with pytest.raises(DataContractError, match="coerce_timestamps='us'"):
        spark_engine.read_transactions(spark, path)  # type: ignore[arg-type]
