"""``report.html``: a self-contained HTML report of an analysis that opens offline.

plotly.js is inlined from the installed plotly package (no CDN), every piece of data shown is
escaped with :func:`html.escape`, and the fonts fall back through the common Chinese system
fonts so the Chinese labels read well on Windows, Linux and macOS.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from paretocrm.analytics.concentration import HerfindahlIndex
from paretocrm.analytics.lifecycle import STAGE_LABELS_ZH, STAGES
from paretocrm.analytics.pipeline import AnalysisResult
from paretocrm.analytics.tiers import TIER_LABELS_ZH, TIERS

__all__ = ["render_report", "write_report"]

_FONTS = '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'
_TIER_COLOURS = {
    "core": "#c0392b",
    "key": "#e67e22",
    "potential": "#27ae60",
    "ordinary": "#2980b9",
    "low_value": "#95a5a6",
}
#: At most this many customers are drawn in the value matrix (a deterministic sample) so the
#: report stays small for a million customers.
MAX_MATRIX_POINTS = 5000
_STYLE = f"""
body {{ font-family: {_FONTS}; margin: 2em auto; max-width: 1100px; color: #222; }}
h1, h2 {{ font-weight: 600; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.note {{ color: #555; font-size: 0.9em; }}
"""


def write_report(result: AnalysisResult, path: str | Path, *, title: str | None = None) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(render_report(result, title=title), encoding="utf-8")
    return target


def render_report(result: AnalysisResult, *, title: str | None = None) -> str:
    """The report as one HTML string."""
    heading = title or "Customer value report 客户价值分析报告"
    figures = [_pareto_figure(result), _matrix_figure(result), _funnel_figure(result)]
    if result.backtest is not None:
        figures.append(_backtest_figure(result))
    charts = [
        figure.to_html(full_html=False, include_plotlyjs=(i == 0), default_height="420px")
        for i, figure in enumerate(figures)
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8">',
        f"<title>{_e(heading)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(heading)}</h1>",
        _overview(result),
        "<h2>Pareto curve 帕累托曲线</h2>",
        charts[0],
        _top_shares_table(result),
        "<h2>Tiers 客户分级</h2>",
        _tier_table(result),
        "<h2>Value matrix 价值矩阵</h2>",
        charts[1],
        "<h2>Top core customers 核心客户</h2>",
        _top_core_table(result),
        "<h2>Revenue forecast 收入预测</h2>",
        _forecast_table(result),
        "<h2>Lifecycle 生命周期</h2>",
        charts[2],
        "<h2>Concentration risk 集中度风险</h2>",
        _concentration_html(result),
        "<h2>Churn warnings 流失预警</h2>",
        _churn_table(result),
        "<h2>Models 模型</h2>",
        _models_table(result),
    ]
    if result.backtest is not None:
        parts += ["<h2>Back-test 回测</h2>", charts[3], _backtest_table(result)]
    parts += [_notes(result), "</body></html>"]
    return "\n".join(parts)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(_fmt(v))}</td>'
            if isinstance(v, int | float)
            else f"<td>{_e(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(value: float) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if value != value:  # NaN
        return "-"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"


def _overview(result: AnalysisResult) -> str:
    scores = result.scores
    revenue = result.pareto["revenue"]
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    period = result.period
    rows = [
        ("Customers 客户数", len(scores)),
        (
            "Period 期间",
            f"{period.get('first_purchase', '?')} .. {period.get('last_purchase', '?')}",
        ),
        ("Revenue 收入", float(scores["revenue"].sum())),
        ("Net profit 净利润", float(scores["net_profit"].sum())),
        ("Pareto 帕累托", revenue.headline() + " (revenue)"),
        ("Generated 生成时间", generated),
    ]
    return _table(["", ""], rows)


def _pareto_figure(result: AnalysisResult) -> go.Figure:
    figure = go.Figure()
    for name, label in (("revenue", "revenue 收入"), ("net_profit", "net profit 净利润")):
        curve = result.pareto[name].curve
        figure.add_trace(
            go.Scatter(x=curve["customer_share"], y=curve["value_share"], mode="lines", name=label)
        )
    figure.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="equal 均等", line={"dash": "dot"})
    )
    figure.update_layout(
        xaxis={"title": "share of customers 客户占比", "tickformat": ".0%"},
        yaxis={"title": "share of value 价值占比", "tickformat": ".0%"},
        font={"family": _FONTS},
    )
    return figure


def _matrix_figure(result: AnalysisResult) -> go.Figure:
    scores = result.scores
    sample = (
        scores.sample(MAX_MATRIX_POINTS, random_state=0)
        if len(scores) > MAX_MATRIX_POINTS
        else scores
    )
    figure = go.Figure()
    for tier in TIERS:
        part = sample[sample["tier"] == tier]
        figure.add_trace(
            go.Scattergl(
                x=part["current_value"],
                y=part["potential_value"],
                mode="markers",
                name=f"{tier} {TIER_LABELS_ZH[tier]}",
                marker={"color": _TIER_COLOURS[tier], "size": 5, "opacity": 0.6},
                hovertext=[_e(i) for i in part.index],
            )
        )
    figure.update_layout(
        xaxis={"title": "current value 当前价值 (percentile)", "range": [0, 100]},
        yaxis={"title": "potential value 潜在价值 (percentile)", "range": [0, 100]},
        font={"family": _FONTS},
    )
    return figure


def _funnel_figure(result: AnalysisResult) -> go.Figure:
    # Counted on the categorical codes (a string copy of a million rows cost ~0.1 s).
    counts = result.scores["lifecycle_stage"].value_counts()
    counts.index = counts.index.astype(str)
    labels = [f"{stage} {STAGE_LABELS_ZH[stage]}" for stage in STAGES]
    figure = go.Figure(go.Funnel(y=labels, x=[int(counts.get(stage, 0)) for stage in STAGES]))
    figure.update_layout(font={"family": _FONTS})
    return figure


def _backtest_figure(result: AnalysisResult) -> go.Figure:
    assert result.backtest is not None
    table = result.backtest.by_frequency
    figure = go.Figure()
    for column in table.columns.drop("customers"):
        figure.add_trace(go.Bar(x=[str(i) for i in table.index], y=table[column], name=column))
    figure.update_layout(
        barmode="group",
        xaxis={"title": "repeat purchases in calibration 校准期重复购买次数"},
        yaxis={"title": "mean purchases in holdout 验证期平均购买次数"},
        font={"family": _FONTS},
    )
    return figure


def _top_shares_table(result: AnalysisResult) -> str:
    revenue = result.pareto["revenue"].top_shares
    profit = result.pareto["net_profit"].top_shares["share"].to_numpy()
    rows = [
        (f"top {float(fraction):.0%}", int(count), float(share), float(profit_share))
        for fraction, count, share, profit_share in zip(
            revenue.index, revenue["n_customers"], revenue["share"], profit, strict=True
        )
    ]
    return _table(["customers 客户", "count 数量", "revenue share", "net profit share"], rows)


def _tier_table(result: AnalysisResult) -> str:
    scores = result.scores
    grouped = scores.groupby("tier", observed=False)
    rows = [
        (
            f"{tier} {TIER_LABELS_ZH[tier]}",
            int(grouped.size().get(tier, 0)),
            float(grouped["revenue"].sum().get(tier, 0.0)),
            float(grouped["net_profit"].sum().get(tier, 0.0)),
            float(grouped["clv"].sum().get(tier, 0.0)),
        )
        for tier in TIERS
    ]
    return _table(["tier 等级", "customers", "revenue", "net profit", "CLV"], rows)


def _top_core_table(result: AnalysisResult) -> str:
    scores = result.scores
    core = scores[scores["tier"] == "core"].nlargest(result.config.report_top, "rating")
    rows = [
        (
            customer,
            float(row["rating"]),
            float(row["revenue"]),
            float(row["net_profit"]),
            float(row["clv"]),
            _range(row["clv_low"], row["clv_high"]),
            float(row["p_alive"]),
            float(row["revenue_12m"]),
            "near a boundary 临界" if row["tier_uncertain"] else "",
            str(row["lifecycle_reason"]),
        )
        for customer, row in core.iterrows()
    ]
    header = [
        "customer",
        "rating",
        "revenue",
        "net profit",
        "CLV",
        "CLV interval 区间",
        "P(alive)",
        "revenue next 12 months 未来12个月收入",
        "tier 等级",
        "lifecycle",
    ]
    return _table(header, rows)


def _range(low: object, high: object) -> str:
    """``low - high`` (a dash without an interval)."""
    values = [float(v) for v in (low, high)]  # type: ignore[arg-type]
    if not all(math.isfinite(v) for v in values):
        return "-"
    return f"{_fmt(values[0])} - {_fmt(values[1])}"


def _forecast_table(result: AnalysisResult) -> str:
    """The revenue forecast: the company and each tier, next 3 / 6 / 12 months, with the
    intervals of the parameter draws, and the back-test of the forecast when there is one."""
    if result.forecast is None or not result.forecast.totals:
        return ""
    totals = result.forecast.totals
    horizons = [name for name in totals if name.startswith("revenue_") and name.count("_") == 1]
    header = ["", *(f"{name[8:]} {name[8:-1]}个月" for name in horizons)]

    def cells(values: Mapping[Any, Any]) -> list[str]:
        return [
            f"{_fmt(float(values[name]))} "
            f"({_range(values.get(f'{name}_low', math.nan), values.get(f'{name}_high', math.nan))})"
            for name in horizons
        ]

    rows = [["company 全公司", *cells(totals)]]
    by_tier = result.forecast.by.get("tier")
    if by_tier is not None:
        for tier, row in by_tier.iterrows():
            rows.append([f"{tier} {TIER_LABELS_ZH.get(str(tier), '')}", *cells(row.to_dict())])
    parts = [_table(header, rows)]
    if result.intervals is not None:
        parts.append(
            f'<p class="note">Intervals 区间: {result.intervals.lower:.0%}-'
            f"{result.intervals.upper:.0%} quantiles of {result.intervals.draws} draws "
            f"(parameters: {_e(result.intervals.method['purchase_model'])}; spend: "
            f"{_e(result.intervals.method['spend'])}); the revenue intervals also simulate "
            "the orders themselves.</p>"
        )
    check = result.forecast_backtest
    if check:
        interval = check.get("interval")
        parts.append(
            _table(
                ["back-test 回测", "actual 实际", "forecast 预测", "error 误差", "interval 区间"],
                [
                    (
                        check["model"],
                        float(check["actual_revenue"]),
                        float(check["predicted_revenue"]),
                        "-" if check["error"] is None else f"{check['error']:+.1%}",
                        _range(*interval) if interval else "-",
                    )
                ],
            )
        )
    return "".join(parts)


def _concentration_html(result: AnalysisResult) -> str:
    report = result.concentration
    hhi = report.revenue_hhi
    parts = [f"<p>{_e(_hhi_text(hhi))}</p>"]
    if report.alerts.empty:
        parts.append('<p class="note">No single customer above the dependency threshold.</p>')
    else:
        parts.append(_frame_table(report.alerts))
    if report.next_core is not None and not report.next_core.empty:
        parts += ["<h3>Next core customers 潜在核心客户</h3>", _frame_table(report.next_core)]
    return "\n".join(parts)


def _hhi_text(hhi: HerfindahlIndex) -> str:
    return (
        f"Herfindahl-Hirschman index of revenue 赫芬达尔指数: {hhi.points:,.0f} of 10,000 "
        f"({hhi.level}; like {hhi.equivalent_customers:,.1f} equal-sized customers)"
    )


def _frame_table(frame: pd.DataFrame) -> str:
    rows = [
        (index, *[v.item() if hasattr(v, "item") else v for v in row])
        for index, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    return _table([str(frame.index.name or "customer"), *map(str, frame.columns)], rows)


def _churn_table(result: AnalysisResult) -> str:
    warnings = result.churn.warnings(top=result.config.report_top)
    if warnings.empty:
        return '<p class="note">No churn warning.</p>'
    rows = [
        (customer, float(row["churn_risk"]), float(row["value_at_risk"]), row["reason_text"])
        for customer, row in warnings.iterrows()
    ]
    return _table(["customer", "churn risk", "value at risk", "reasons 原因"], rows)


def _models_table(result: AnalysisResult) -> str:
    rows = [
        (
            name,
            ", ".join(f"{k} = {v:.3f}" for k, v in info["params"].items()),
            float(info["log_likelihood"]),
        )
        for name, info in result.models_info().items()
    ]
    return _table(["model", "parameters", "log-likelihood"], rows)


def _backtest_table(result: AnalysisResult) -> str:
    assert result.backtest is not None
    rows = [
        (
            name,
            figures.total_actual,
            figures.total_predicted,
            f"{figures.aggregate_error:+.1%}",
            figures.mae,
            figures.rmse,
            figures.correlation,
            f"{figures.top_share_captured:.1%} (best {figures.ideal_top_share:.1%})",
        )
        for name, figures in result.backtest.models.items()
    ]
    header = ["model", "actual", "predicted", "error", "MAE", "RMSE", "correlation", "top 20%"]
    by_frequency = result.backtest.by_frequency.rename_axis("x (calibration)")
    return _table(header, rows) + _frame_table(by_frequency) + _scorecard_tables(result)


#: How the scorecard names the naive rankings (English 中文).
_RANKING_LABELS = {
    "past_revenue": "past revenue 历史收入",
    "frequency": "frequency 购买频次",
    "recency": "recency 最近购买",
    "ideal": "ideal (hindsight) 事后最优",
}


def _scorecard_tables(result: AnalysisResult) -> str:
    """The decision scorecard: capture by ranking, churn AUC/Brier, calibration fits."""
    assert result.backtest is not None
    card = result.backtest.scorecard
    if not card.capture:
        return ""

    def share(value: float | None) -> str:
        return "-" if value is None or value != value else f"{value:.1%}"

    capture = _table(
        ["ranking 排序依据", "top 10% 前10%", "top 20% 前20%"],
        [
            (
                _RANKING_LABELS.get(name, f"model {name} 模型"),
                share(figures.get("top_10")),
                share(figures.get("top_20")),
            )
            for name, figures in card.capture.items()
        ],
    )
    churn = _table(
        ["model 模型", "churn AUC 流失 AUC", "Brier score"],
        [
            (name, f"{figures['auc']:.3f}", f"{figures['brier']:.3f}")
            for name, figures in card.churn.items()
        ],
    )
    fits = _table(
        ["model 模型", "calibration parameters 校准期参数", "log-likelihood 对数似然"],
        [
            (
                name,
                ", ".join(f"{k} = {v:.4g}" for k, v in info["params"].items()),
                f"{info['log_likelihood']:,.2f}",
            )
            for name, info in card.calibration_models.items()
        ],
    )
    return (
        "<h3>Decision scorecard 决策评分卡</h3>"
        "<p>Share of the holdout's revenue held by the top customers under each ranking "
        "(各排序方式下前 10% / 20% 客户占回测期收入的份额)</p>"
        + capture
        + f"<p>Churn = no purchase in the holdout 流失 = 回测期内无购买 "
        f"({share(card.churn_rate)} of customers)</p>" + churn + fits
    )


def _notes(result: AnalysisResult) -> str:
    if not result.notes:
        return ""
    items = "".join(f"<li>{_e(note)}</li>" for note in result.notes)
    return f'<h2>Notes 说明</h2><ul class="note">{items}</ul>'
