"""``paretocrm analyze``: outputs and printed summary, and clear exits on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.cli import main
from paretocrm.analytics.pipeline import SCORE_COLUMNS


def small_csv(tmp_path: Path, *, drop: str | None = None) -> Path:
    """A CSV of 40 customers with Chinese headers (客户编号/日期/金额/成本)."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(40):
        days = np.sort(rng.choice(700, size=int(rng.integers(1, 12)), replace=False))
        for day in days:
            amount = round(float(rng.gamma(2, 80)), 2)
            stamp = (pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(day))).date()
            rows.append((f"K{i:02d}", stamp.isoformat(), amount, round(amount * 0.6, 2)))
    frame = pd.DataFrame(rows, columns=["客户编号", "日期", "金额", "成本"])
    if drop is not None:
        frame = frame.drop(columns=drop)
    path = tmp_path / "orders.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.mark.slow  # analyses the CDNOW sample with a two-model back-test (~10 s)
def test_example_cdnow_writes_all_outputs_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["--example", "cdnow", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for text in ("Pareto (revenue)", "Tiers", "core", "Churn warnings", "Back-test", "bgnbd",
                 "Decision scorecard", "past_revenue"):  # fmt: skip
        assert text in printed
    scores = pd.read_csv(out / "scores.csv", dtype={"customer_id": str})
    assert len(scores) == 2357
    assert list(scores.columns) == ["customer_id", *SCORE_COLUMNS]
    parquet = pd.read_parquet(out / "scores.parquet")
    assert len(parquet) == 2357
    models = json.loads((out / "models.json").read_text(encoding="utf-8"))
    assert set(models["models"]) >= {"bgnbd", "paretonbd", "gammagamma"}
    assert models["models"]["bgnbd"]["log_likelihood"] < 0
    classes = models["backtest"]["by_frequency"]
    assert classes["0"]["customers"] == 1411
    assert abs(classes["0"]["bgnbd"] - 0.225) < 0.01
    scorecard = models["backtest"]["scorecard"]
    assert set(scorecard["capture"]) >= {"bgnbd", "past_revenue", "frequency", "recency"}
    assert 0.5 < scorecard["churn"]["bgnbd"]["auc"] <= 1
    assert scorecard["calibration_models"]["bgnbd"]["log_likelihood"] < 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Plotly" in report
    assert "<script src=" not in report


def test_own_file_with_chinese_headers_and_attributes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transactions = small_csv(tmp_path)
    customers = tmp_path / "customers.csv"
    pd.DataFrame(
        {"customer_id": [f"K{i:02d}" for i in range(40)], "credit_rating": range(40, 80)}
    ).to_csv(customers, index=False)
    out = tmp_path / "result"
    code = main(
        [str(transactions), "--customers", str(customers), "--out", str(out), "--unit", "D"]
    )
    assert code == 0
    assert "40 customers" in capsys.readouterr().out
    scores = pd.read_parquet(out / "scores.parquet")
    assert len(scores) == 40
    models = json.loads((out / "models.json").read_text(encoding="utf-8"))
    assert models["backtest"] is None
    assert "credit" in models["rating_weights"]


def test_missing_column_exits_2_naming_the_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_csv(tmp_path, drop="金额")
    assert main([str(path), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert "amount" in captured.err
    assert str(path) in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_bad_value_exits_2_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("customer_id,date,amount\na,2024-01-01,10\nb,2024-01-02,lots\n")
    assert main([str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "amount" in err
    assert "lots" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--holdout", "soon"], "--holdout"),
        (["--config", "missing.toml"], "configuration file not found"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    transactions = small_csv(tmp_path)
    argv = [str(transactions), "--out", str(tmp_path / "out")]
    argv += [str(tmp_path / a) if a.endswith(".toml") else a for a in args]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_missing_file_and_missing_argument_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main([]) == 2
    assert "--example cdnow" in capsys.readouterr().err
    assert main(["--unit", "Y"]) == 2  # argparse refuses the choice
