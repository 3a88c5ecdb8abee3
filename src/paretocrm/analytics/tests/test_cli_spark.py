"""``paretocrm analyze --engine spark``: same scores as the DuckDB engine, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from paretocrm.analytics.cli import main

pytestmark = [
    # PySpark 4.0 warns on every pandas conversion that it is not yet certified on pandas 3.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="module")
def cdnow_parquet(
    cdnow_transactions: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The CDNOW sample as Parquet with microsecond timestamps (Spark reads no nanoseconds)."""
    path = tmp_path_factory.mktemp("cdnow") / "transactions.parquet"
    table = pa.Table.from_pandas(cdnow_transactions, preserve_index=False)
    pq.write_table(table, path, coerce_timestamps="us")
    return path


@pytest.mark.spark
@pytest.mark.slow  # a JVM start and a dozen Spark jobs, plus the DuckDB run: ~40 s
def test_spark_engine_gives_the_duckdb_scores_for_the_same_file(
    require_java: None,
    cdnow_parquet: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spark_out, duck_out = tmp_path / "spark", tmp_path / "duckdb"
    assert main([str(cdnow_parquet), "--engine", "spark", "--out", str(spark_out)]) == 0
    printed = capsys.readouterr().out
    assert "2,357 customers scored" in printed
    assert "bgnbd:" in printed

    assert main([str(cdnow_parquet), "--out", str(duck_out)]) == 0
    spark = pd.read_parquet(spark_out / "scores.parquet").set_index("customer_id").sort_index()
    duck = pd.read_parquet(duck_out / "scores.parquet").set_index("customer_id").sort_index()
    assert list(spark.index) == list(duck.index)
    # Both engines fit the same likelihood from the same optimizer start: the scores agree
    # to the optimizer's tolerance.
    for column in ("p_alive", "expected_purchases"):
        pd.testing.assert_series_equal(spark[column], duck[column], rtol=1e-5, atol=1e-8)

    spark_models = json.loads((spark_out / "models.json").read_text(encoding="utf-8"))
    duck_models = json.loads((duck_out / "models.json").read_text(encoding="utf-8"))
    assert spark_models["engine"] == "spark"
    assert spark_models["customers"] == 2357
    for name, value in duck_models["models"]["bgnbd"]["params"].items():
        assert spark_models["models"]["bgnbd"]["params"][name] == pytest.approx(value, rel=1e-4)


def test_spark_options_without_the_spark_engine_are_refused(
    cdnow_parquet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(cdnow_parquet), "--spark-master", "local[1]", "--out", str(tmp_path)])
    assert code == 2
    assert "--spark-master and --spark-table need --engine spark" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--example", "cdnow"], "--example is not available with --engine spark"),
        (["missing.parquet"], "missing.parquet: file not found"),
        ([], "missing TRANSACTIONS"),
    ],
)
def test_bad_spark_invocations_end_with_one_line(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--engine", "spark", "--out", str(tmp_path), *extra])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.spark
@pytest.mark.slow  # a JVM start
def test_spark_engine_names_the_missing_column(
    require_java: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no_amount.parquet"
    pq.write_table(
        pa.table({"customer_id": ["a"], "timestamp": [pd.Timestamp("2024-01-01")]}),
        path,
        coerce_timestamps="us",
    )
    code = main([str(path), "--engine", "spark", "--out", str(tmp_path / "out")])
    assert code == 2
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert "no_amount.parquet: missing required column(s) amount" in err
