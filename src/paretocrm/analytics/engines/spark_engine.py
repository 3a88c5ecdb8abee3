"""The Spark engine: the per-customer summary as Spark SQL and scoring per partition.

For customer bases that outgrow one machine (the optional ``spark`` extra). It does the same
work as the DuckDB path, in three steps that keep every large table inside Spark:

1. **Summary** - the very SQL text of :func:`paretocrm.analytics.summary.summary_sql`
   (``dialect="spark"``) runs over the transactions, read from Parquet or a Spark table.
2. **Fit** - the models are fitted on *compressed sufficient statistics*: Spark counts the
   customers per distinct ``(frequency, recency, T)`` profile (``groupBy().count()``) and
   only those rows travel to the driver, where the ordinary numpy/scipy estimators fit them
   with the counts as weights. The fit is the one the DuckDB path makes on the same data.
3. **Score** - ``mapInPandas`` applies the fitted model to each partition (P(alive),
   expected purchases in a horizon and, with a spend model, expected spend per purchase),
   and the result is written as Parquet.

Time zone: the summary counts whole days of the timestamp. Use a ``TIMESTAMP_NTZ`` column
(what Spark reads from a Parquet file written by pandas/pyarrow) or set
``spark.sql.session.timeZone`` to the zone the dates were recorded in;
:func:`local_session` sets UTC. Spark cannot read nanosecond Parquet timestamps: write them
with ``coerce_timestamps="us"`` (pyarrow) or as dates.

On a cluster, ``paretocrm`` (with numpy, scipy, pandas, pyarrow) must be installed on the
executors, since the scoring function runs there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame as SparkDataFrame
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as sql_types
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.models.base import TransactionModel
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.gammagamma import GammaGammaModel
from paretocrm.analytics.summary import (
    DEFAULT_TREND_WINDOW_DAYS,
    DateLike,
    SummaryParams,
    build_params,
    count_purchase_days,
    finish_summary,
    summary_sql,
)

#: Settings of a local session for tests and one-machine runs (bound to 127.0.0.1, no UI).
LOCAL_CONF: dict[str, str] = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

_REQUIRED = ("customer_id", "timestamp", "amount")
_CASTS: dict[str, sql_types.DataType] = {
    "customer_id": sql_types.StringType(),
    "amount": sql_types.DoubleType(),
    "cost": sql_types.DoubleType(),
    "order_id": sql_types.StringType(),
}
_SCORE_FIELDS = ("p_alive", "expected_purchases", "expected_spend")


def local_session(
    *,
    master: str = "local[2]",
    app_name: str = "paretocrm",
    shuffle_partitions: int = 4,
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A local SparkSession with :data:`LOCAL_CONF` and this interpreter on the executors.

    ``conf`` adds or overrides settings, e.g. ``{"spark.sql.warehouse.dir": ...}`` (a static
    setting that must be given before the session starts). ``PYSPARK_PYTHON`` is set to this
    interpreter unless already set: PySpark reads the worker's Python from the environment,
    and a bare ``python3`` on the PATH may lack numpy, pyarrow or paretocrm.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in {
        **LOCAL_CONF,
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        **(conf or {}),
    }.items():
        builder = builder.config(key, value)
    session: SparkSession = builder.getOrCreate()
    return session


def read_transactions(
    spark: SparkSession,
    source: str | Path,
    *,
    kind: Literal["parquet", "table"] = "parquet",
) -> SparkDataFrame:
    """Read transactions from a Parquet file/directory or a Spark table; check and cast them.

    Raises:
        DataContractError: a required column is missing (named), or ``customer_id``,
            ``timestamp`` or ``amount`` has empty or unreadable values (first ones shown).
    """
    if kind == "parquet":
        if not Path(source).exists():
            raise DataContractError(f"{source}: no such Parquet file or directory")
        frame = _read_parquet(spark, str(source))
    elif kind == "table":
        frame = spark.table(str(source))
    else:
        raise ConfigurationError(f"kind must be 'parquet' or 'table', got {kind!r}")
    return canonical_transactions(frame, label=str(source))


def _read_parquet(spark: SparkSession, path: str) -> SparkDataFrame:
    """``spark.read.parquet`` with the usual unreadable-file causes explained."""
    try:
        frame: SparkDataFrame = spark.read.parquet(path)
    except AnalysisException as error:
        text = str(error).splitlines()[0]
        if "TIMESTAMP(NANOS" in text:
            raise DataContractError(
                f"{path}: Spark cannot read nanosecond timestamps; write the file with "
                "microsecond timestamps (pyarrow: coerce_timestamps='us') or dates",
                column="timestamp",
            ) from None
        raise DataContractError(f"{path}: Spark cannot read it as Parquet: {text}") from None
    return frame


def canonical_transactions(frame: SparkDataFrame, *, label: str = "transactions") -> SparkDataFrame:
    """Check the contract's required columns and cast the known ones to canonical types."""
    missing = [column for column in _REQUIRED if column not in frame.columns]
    if missing:
        raise DataContractError(
            f"{label}: missing required column(s) {', '.join(missing)}; "
            f"found {', '.join(frame.columns)}",
            column=missing[0],
        )
    for column, data_type in _CASTS.items():
        if column in frame.columns:
            frame = frame.withColumn(column, F.col(column).cast(data_type))
    if not isinstance(
        frame.schema["timestamp"].dataType, sql_types.TimestampType | sql_types.TimestampNTZType
    ):
        frame = frame.withColumn("timestamp", F.to_timestamp(F.col("timestamp")))
    _require_values(frame, label)
    return frame


def _require_values(frame: SparkDataFrame, label: str) -> None:
    """One pass counting empty required values; on failure a second pass shows examples."""
    bad = {
        "customer_id": F.col("customer_id").isNull(),
        "timestamp": F.col("timestamp").isNull(),
        "amount": F.col("amount").isNull() | F.isnan("amount"),
    }
    counts = frame.select(
        *[F.sum(condition.cast("long")).alias(name) for name, condition in bad.items()]
    ).first()
    if counts is None:
        raise DataContractError(f"{label}: no rows")
    for name, condition in bad.items():
        if counts[name]:
            examples = [row.asDict() for row in frame.where(condition).limit(3).collect()]
            raise DataContractError(
                f"{label}: column {name} is empty or unreadable in {counts[name]} row(s), "
                f"e.g. {examples}",
                column=name,
            )


def summary_params(
    transactions: SparkDataFrame,
    *,
    unit: str = "W",
    observation_end: DateLike | None = None,
    calibration_end: DateLike | None = None,
    trend_window: int = DEFAULT_TREND_WINDOW_DAYS,
) -> SummaryParams:
    """The summary settings, checked by the same code as the DuckDB path.

    Only the latest timestamp and the column names are needed, so a one-row Arrow stand-in
    carries them to :func:`paretocrm.analytics.summary.build_params`.
    """
    # The latest *day* is computed by Spark, as the summary SQL counts days, so that no
    # driver-side time-zone conversion of a timestamp can move it across midnight.
    day = F.datediff(F.to_date(F.col("timestamp")), F.lit("1970-01-01").cast("date"))
    latest = transactions.agg(F.max(day).alias("latest_day")).first()
    if latest is None or latest["latest_day"] is None:
        raise DataContractError("transactions: no rows to summarise")
    latest_stamp = np.datetime64(int(latest["latest_day"]), "D").astype("datetime64[ns]")
    stand_in = pa.table(
        {
            name: pa.array([latest_stamp]) if name == "timestamp" else pa.nulls(1)
            for name in transactions.columns
        }
    )
    return build_params(
        stand_in,
        unit=unit,
        observation_end=observation_end,
        calibration_end=calibration_end,
        trend_window=trend_window,
    )


def summarize(transactions: SparkDataFrame, params: SummaryParams) -> SparkDataFrame:
    """The per-customer summary as a Spark DataFrame, from the shared SQL text.

    Columns are those of the SQL (``first_day``/``last_day`` as day numbers); collect a
    small one with :func:`collect_summary` to get the contract's pandas form.
    """
    view = "paretocrm_transactions"
    transactions.createOrReplaceTempView(view)
    aggregates = transactions.sparkSession.sql(summary_sql(view, params, dialect="spark"))

    def count_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from count_purchase_days(pa.Table.from_batches([batch]), params).to_batches()

    counted: SparkDataFrame = aggregates.mapInArrow(
        count_batches, schema=_counted_schema(aggregates.schema, params)
    )
    return counted


def _counted_schema(
    aggregates: sql_types.StructType, params: SummaryParams
) -> sql_types.StructType:
    """The schema of :func:`~paretocrm.analytics.summary.count_purchase_days`' output: what
    it makes of an empty table of the aggregates, so the column list lives in one place."""
    empty = to_arrow_schema(aggregates).empty_table()
    return from_arrow_schema(count_purchase_days(empty, params).schema)


def collect_summary(summary: SparkDataFrame, params: SummaryParams) -> pd.DataFrame:
    """Bring a summary to the driver in exactly the DuckDB path's form (index, dtypes)."""
    return finish_summary(summary.toArrow(), params)


def sufficient_statistics(summary: SparkDataFrame) -> pd.DataFrame:
    """Customers per distinct ``(frequency, recency, T)`` profile: the fit's only input."""
    counts = summary.groupBy("frequency", "recency", "T").count().toPandas()
    return counts.astype({"frequency": "float64", "recency": "float64", "T": "float64"})


def spend_statistics(summary: SparkDataFrame) -> pd.DataFrame:
    """Repeat buyers per distinct ``(frequency, monetary_value)``: the Gamma-Gamma input."""
    repeat = summary.where(F.col("frequency") > 0)
    counts = repeat.groupBy("frequency", "monetary_value").count().toPandas()
    return counts.astype({"frequency": "float64", "monetary_value": "float64"})


def fit_models(
    summary: SparkDataFrame,
    *,
    transaction_model: TransactionModel | None = None,
    spend_model: GammaGammaModel | None = None,
) -> tuple[TransactionModel, GammaGammaModel | None]:
    """Fit a transaction model (default BG/NBD) and optionally a spend model on the counts."""
    model = transaction_model if transaction_model is not None else BGNBDModel()
    profiles = sufficient_statistics(summary)
    model.fit(profiles["frequency"], profiles["recency"], profiles["T"], weights=profiles["count"])
    if spend_model is not None:
        spend = spend_statistics(summary)
        spend_model.fit(spend["frequency"], spend["monetary_value"], weights=spend["count"])
    return model, spend_model


def score_frame(
    summary: pd.DataFrame,
    model: TransactionModel,
    *,
    horizon: float,
    spend_model: GammaGammaModel | None = None,
) -> pd.DataFrame:
    """Score one pandas batch of summary rows (the function each Spark partition runs)."""
    frequency = summary["frequency"].to_numpy(dtype=np.float64)
    recency = summary["recency"].to_numpy(dtype=np.float64)
    age = summary["T"].to_numpy(dtype=np.float64)
    scored = summary.copy()
    scored["p_alive"] = model.conditional_probability_alive(frequency, recency, age)
    scored["expected_purchases"] = model.conditional_expected_purchases(
        horizon, frequency, recency, age
    )
    if spend_model is not None:
        monetary = summary["monetary_value"].to_numpy(dtype=np.float64)
        scored["expected_spend"] = spend_model.conditional_expected_spend(frequency, monetary)
    return scored


def score(
    summary: SparkDataFrame,
    model: TransactionModel,
    *,
    horizon: float,
    spend_model: GammaGammaModel | None = None,
) -> SparkDataFrame:
    """Add ``p_alive``, ``expected_purchases`` (and ``expected_spend``) per partition.

    The fitted models travel to the executors inside the scoring function; nothing but
    their parameters is needed there.
    """
    if not horizon > 0:
        raise ConfigurationError(f"horizon must be > 0, got {horizon}")
    names = _SCORE_FIELDS if spend_model is not None else _SCORE_FIELDS[:2]
    schema = sql_types.StructType(
        [
            *summary.schema.fields,
            *(sql_types.StructField(name, sql_types.DoubleType(), False) for name in names),
        ]
    )

    def score_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield score_frame(batch, model, horizon=horizon, spend_model=spend_model)

    scored: SparkDataFrame = summary.mapInPandas(score_batches, schema=schema)
    return scored


def write_parquet(frame: SparkDataFrame, path: str | Path) -> None:
    """Write ``frame`` as a Parquet directory at ``path``, replacing what is there."""
    frame.write.mode("overwrite").parquet(str(path))


@dataclass(frozen=True)
class SparkRun:
    """What :func:`run` did: settings, fitted models and where the scores are."""

    params: SummaryParams
    model: TransactionModel
    spend_model: GammaGammaModel | None
    output: Path


def run(
    spark: SparkSession,
    source: str | Path,
    output: str | Path,
    *,
    kind: Literal["parquet", "table"] = "parquet",
    unit: str = "W",
    observation_end: DateLike | None = None,
    calibration_end: DateLike | None = None,
    horizon: float = 52.0,
    with_spend: bool = True,
    **model_settings: Any,
) -> SparkRun:
    """Read, summarise, fit on sufficient statistics, score per partition, write Parquet.

    Args:
        spark: the session (see :func:`local_session`).
        source: Parquet path, or table name with ``kind="table"``.
        output: directory for the scores Parquet (summary columns + scores).
        unit, observation_end, calibration_end: as in
            :func:`paretocrm.analytics.summary.summarize`.
        horizon: prediction horizon in ``unit``s (default 52 weeks).
        with_spend: also fit Gamma-Gamma and score expected spend.
        **model_settings: keyword settings for :class:`BGNBDModel`.
    """
    transactions = read_transactions(spark, source, kind=kind)
    params = summary_params(
        transactions, unit=unit, observation_end=observation_end, calibration_end=calibration_end
    )
    summary = summarize(transactions, params).cache()
    try:
        model, spend_model = fit_models(
            summary,
            transaction_model=BGNBDModel(**model_settings),
            spend_model=GammaGammaModel() if with_spend else None,
        )
        write_parquet(score(summary, model, horizon=horizon, spend_model=spend_model), output)
    finally:
        summary.unpersist()
    return SparkRun(params=params, model=model, spend_model=spend_model, output=Path(output))
