"""report.html: self-contained, escaped, readable in Chinese, with the expected charts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.pipeline import AnalysisResult, analyze
from paretocrm.analytics.report import render_report, write_report

NASTY_ID = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    """A small analysis with a back-test, one customer id crafted to break naive HTML."""
    rng = np.random.default_rng(21)
    rows = []
    for i in range(80):
        customer = NASTY_ID if i == 0 else f"客户{i:02d}"
        first = int(rng.integers(0, 400))
        last = min(first + int(rng.integers(30, 730)), 729)  # customers do drop out
        gap = float(rng.gamma(2.0, 15.0)) + 1
        day = first
        while day <= last:
            stamp = pd.Timestamp("2023-01-01") + pd.Timedelta(days=day)
            rows.append((customer, stamp, float(rng.gamma(2, 100))))
            day += int(rng.exponential(gap)) + 1
    transactions = pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount"])
    transactions.loc[transactions["customer_id"] == NASTY_ID, "amount"] *= 50  # a core customer
    return analyze(transactions, holdout="2024-06-30")


def test_report_is_self_contained_with_plotly_inlined(result: AnalysisResult) -> None:
    page = render_report(result)
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<script src=") == 0
    assert "plotly.js" in page.lower()
    assert page.count('<div id="') >= 4  # Pareto, value matrix, funnel, back-test


def test_report_sections_and_chinese_fonts(result: AnalysisResult) -> None:
    page = render_report(result)
    for heading in ("Pareto curve 帕累托曲线", "Value matrix 价值矩阵", "Lifecycle 生命周期",
                    "Back-test 回测", "Churn warnings 流失预警"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in page
    assert '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif' in page
    assert '<meta charset="utf-8">' in page


def test_customer_data_is_escaped_everywhere(result: AnalysisResult) -> None:
    page = render_report(result)
    assert NASTY_ID not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_write_report_creates_a_utf8_file(result: AnalysisResult, tmp_path: Path) -> None:
    path = write_report(result, tmp_path / "report.html", title="测试报告 <b>")
    text = path.read_text(encoding="utf-8")
    assert "<title>测试报告 &lt;b&gt;</title>" in text


def test_backtest_scorecard_is_in_the_report_and_models_json(result: AnalysisResult) -> None:
    from paretocrm.analytics.cli import models_document

    assert result.backtest is not None
    card = result.backtest.scorecard
    assert {"past_revenue", "frequency", "recency", "ideal"} <= set(card.capture)
    model = next(iter(result.backtest.models))
    assert 0.5 < card.churn[model]["auc"] <= 1  # better than a coin on these customers
    page = render_report(result)
    assert "<h3>Decision scorecard 决策评分卡</h3>" in page
    assert f"{card.capture['past_revenue']['top_20']:.1%}" in page
    assert f"{card.churn[model]['brier']:.3f}" in page
    document = models_document(result)["backtest"]
    fits = document["scorecard"]["calibration_models"]
    assert set(fits[model]["params"]) and fits[model]["log_likelihood"] < 0
