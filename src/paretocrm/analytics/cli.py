"""``paretocrm analyze``: the whole customer-value analysis on a file, no database needed.

Usage::

    paretocrm analyze TRANSACTIONS [--customers FILE] [--holdout DATE] [--out DIR]
                      [--config FILE] [--unit W|D]
    paretocrm analyze --example cdnow [--out DIR]
    paretocrm analyze TRANSACTIONS --engine spark [--spark-master URL] [--spark-table]
                      [--holdout DATE] [--out DIR] [--config FILE] [--unit W|D]

Prints a readable summary and writes ``scores.csv``, ``scores.parquet``, ``models.json`` and
``report.html`` into ``--out``. Bad input ends with a one-line message naming the file,
column, row or parameter and exit code 2 - never a traceback.

``--engine spark`` (the optional ``spark`` extra) is for customer bases that outgrow one
machine: Spark reads the Parquet file/directory (or, with ``--spark-table``, the Spark
table named TRANSACTIONS), computes the summary in Spark SQL, fits BG/NBD and Gamma-Gamma on
the compressed sufficient statistics and scores per partition. It writes ``scores.parquet``
(a Parquet directory: summary columns, ``p_alive``, ``expected_purchases``,
``expected_spend``) and ``models.json``; the full tiering/report run stays on DuckDB.
See docs/deployment/spark.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paretocrm.analytics.config import AnalysisConfig, load_config
from paretocrm.analytics.exceptions import AnalyticsError
from paretocrm.analytics.pipeline import AnalysisResult, analyze
from paretocrm.analytics.tiers import TIER_LABELS_ZH, TIERS

__all__ = ["build_parser", "main", "models_document", "write_outputs"]

#: Shipped example data sets: name -> (loader, holdout date used by the papers).
EXAMPLES = {
    "cdnow": ("load_cdnow_sample", "1997-09-30"),
    "cdnow-master": ("load_cdnow_master", "1997-09-30"),
}
EXIT_BAD_INPUT = 2
ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[2]"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``paretocrm analyze``."""
    parser = argparse.ArgumentParser(
        prog="paretocrm analyze",
        description="Find the core customers: value, CLV, tiers, lifecycle, churn warnings.",
    )
    parser.add_argument("transactions", nargs="?", help="transactions file (CSV or Parquet)")
    parser.add_argument("--customers", help="customer attributes file (CSV or Parquet)")
    parser.add_argument("--holdout", help="back-test: last day of the calibration period")
    parser.add_argument("--out", default="paretocrm-analysis", help="output directory")
    parser.add_argument(
        "--example", choices=sorted(EXAMPLES), help="analyse a shipped example data set"
    )
    parser.add_argument("--config", help="settings file (TOML) over the defaults")
    parser.add_argument("--unit", choices=["W", "D"], help="time unit: weeks or days")
    parser.add_argument(
        "--engine", choices=ENGINES, default="duckdb", help="duckdb (default) or spark"
    )
    parser.add_argument(
        "--spark-master",
        help=f"Spark master URL, e.g. spark://host:7077 or yarn (default {DEFAULT_SPARK_MASTER};"
        " under spark-submit, the master spark-submit was given)",
    )
    parser.add_argument(
        "--spark-table", action="store_true", help="TRANSACTIONS names a Spark table"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``paretocrm analyze``; returns the exit code (0 ok, 2 bad input)."""
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 120)
    errors = Console(file=sys.stderr, width=None if sys.stderr.isatty() else 120)
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as stop:  # argparse already printed the usage message
        return int(stop.code or 0)
    if args.engine == "spark" or args.spark_master or args.spark_table:
        return _main_spark(args, console, errors)
    try:
        transactions, holdout, label = _inputs(args)
        config = load_config(args.config)
        if args.example and not args.config:
            # The reference data set: compare both published models in the back-test.
            config = dataclasses.replace(
                config, models=dataclasses.replace(config.models, pareto_nbd=True)
            )
        if args.unit:
            config = dataclasses.replace(
                config, summary=dataclasses.replace(config.summary, unit=args.unit)
            )
        result = _run(console, transactions, args.customers, config, holdout)
        out = _output_dir(args.out)
        written = write_outputs(result, out)
    except AnalyticsError as error:
        errors.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
        return EXIT_BAD_INPUT
    except OSError as error:
        errors.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
        return EXIT_BAD_INPUT
    print_summary(console, result, label)
    console.print("\n[bold]Files written[/]")
    for path in written:
        console.print(f"  {path}", highlight=False)
    return 0


def _main_spark(args: argparse.Namespace, console: Console, errors: Console) -> int:
    """``--engine spark``: the Spark path, with the same one-line errors and exit codes."""
    from paretocrm.analytics.spark_cli import run_spark

    try:
        if args.engine != "spark":
            raise AnalyticsError("--spark-master and --spark-table need --engine spark")
        for option in ("example", "customers"):
            if getattr(args, option):
                raise AnalyticsError(
                    f"--{option} is not available with --engine spark (use the DuckDB engine)"
                )
        if not args.transactions:
            raise AnalyticsError(
                "missing TRANSACTIONS (a Parquet path or, with --spark-table, a table)"
            )
        config = load_config(args.config)
        if args.unit:
            config = dataclasses.replace(
                config, summary=dataclasses.replace(config.summary, unit=args.unit)
            )
        holdout = _check_date(args.holdout) if args.holdout else None
        written = run_spark(
            console,
            args.transactions,
            _output_dir(args.out),
            config=config,
            holdout=holdout,
            master=args.spark_master,
            table=args.spark_table,
        )
    except (AnalyticsError, OSError) as error:
        errors.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
        return EXIT_BAD_INPUT
    console.print("\n[bold]Files written[/]")
    for path in written:
        console.print(f"  {path}", highlight=False)
    return 0


def _inputs(args: argparse.Namespace) -> tuple[Any, str | None, str]:
    """The transactions to analyse, the holdout date and a label for the summary."""
    if args.example and args.transactions:
        raise AnalyticsError("give either a TRANSACTIONS file or --example, not both")
    holdout = _check_date(args.holdout) if args.holdout else None
    if args.example:
        from paretocrm.analytics import datasets

        loader_name, default_holdout = EXAMPLES[args.example]
        loader = getattr(datasets, loader_name)
        return loader(), holdout or default_holdout, f"example {args.example}"
    if not args.transactions:
        raise AnalyticsError("missing TRANSACTIONS file (or use --example cdnow)")
    path = Path(args.transactions)
    if not path.is_file():
        raise AnalyticsError(f"{path}: file not found")
    return path, holdout, str(path)


def _check_date(value: str) -> str:
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError):
        raise AnalyticsError(
            f"--holdout: {value!r} is not a date (use YYYY-MM-DD, e.g. 1997-09-30)"
        ) from None
    return value


def _output_dir(value: str) -> Path:
    out = Path(value)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _run(
    console: Console,
    transactions: Any,
    customers: str | None,
    config: AnalysisConfig,
    holdout: str | None,
) -> AnalysisResult:
    if customers is not None and not Path(customers).is_file():
        raise AnalyticsError(f"{customers}: file not found (--customers)")
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("analysing", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        return analyze(
            transactions,
            Path(customers) if customers is not None else None,
            config=config,
            holdout=holdout,
            progress=progress,
        )


def write_outputs(result: AnalysisResult, out: Path) -> list[Path]:
    """Write scores.csv, scores.parquet, models.json and report.html into ``out``."""
    from paretocrm.analytics.report import write_report

    # One Arrow table for both files: Arrow's CSV writer is about ten times faster than
    # pandas.to_csv on a million rows (the slowest part of a large run). It quotes every
    # string value and writes floats without exponents; readers get the same values.
    table = pa.Table.from_pandas(result.scores.reset_index(), preserve_index=False)
    paths = [out / "scores.csv", out / "scores.parquet", out / "models.json", out / "report.html"]
    # Arrow's writers release the GIL: the CSV (the longest write) goes on in a second
    # thread while the Parquet file, models.json and the report are written here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        csv_written = pool.submit(
            pacsv.write_csv, table, paths[0], pacsv.WriteOptions(quoting_style="needed")
        )
        pq.write_table(table, paths[1])
        paths[2].write_text(
            json.dumps(_json_ready(models_document(result)), indent=2, ensure_ascii=False),
            encoding="utf-8",
        )
        write_report(result, paths[3])
        csv_written.result()  # re-raises the writer's error (e.g. OSError) here
    return paths


def models_document(result: AnalysisResult) -> dict[str, Any]:
    """The content of models.json: fitted models, back-test figures, assumptions."""
    return {
        "models": result.models_info(),
        "model_choice": result.model_choice.as_dict() if result.model_choice else None,
        "spend_model": result.spend,
        "backtest": result.backtest.as_dict() if result.backtest is not None else None,
        "intervals": (
            {**result.intervals.method, "company": result.intervals.company}
            if result.intervals is not None
            else None
        ),
        "revenue_forecast": _forecast_document(result),
        "revenue_forecast_backtest": result.forecast_backtest,
        "health_backtest": (
            result.health_backtest.as_dict() if result.health_backtest is not None else None
        ),
        "health_weights": (
            {str(k): float(v) for k, v in result.health.weights.items()}
            if result.health is not None
            else None
        ),
        "ahp": result.ahp.as_dict() if result.ahp is not None else None,
        "rating_weights": {str(k): float(v) for k, v in result.rating.weights.items()},
        "rating_dropped": result.rating.dropped,
        "period": result.period,
        "config": result.config.source,
        "notes": result.notes,
        "timings_seconds": result.timings,
    }


def _forecast_document(result: AnalysisResult) -> dict[str, Any] | None:
    """The revenue forecast of models.json: totals and the tables per tier and owner."""
    if result.forecast is None:
        return None
    keep = [c for c in result.forecast.by["tier"].columns if c.startswith("revenue_")]
    return {
        "totals": result.forecast.totals,
        **{
            f"by_{name}": table[["customers", *keep]].to_dict("index")
            for name, table in result.forecast.by.items()
            if name in ("tier", "owner")
        },
    }


def _json_ready(value: Any) -> Any:
    """Replace NaN/inf (not valid JSON) by null, recursively."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_summary(console: Console, result: AnalysisResult, label: str) -> None:
    """The readable summary: Pareto, tiers, core customers, concentration, churn, back-test."""
    scores = result.scores
    console.print(
        f"[bold]Pareto CRM analysis[/] of {label}: {len(scores):,} customers, "
        f"{result.period['first_purchase']} .. {result.period['last_purchase']}",
        highlight=False,
    )
    for name, text in (("revenue", "revenue"), ("net_profit", "net profit")):
        pareto = result.pareto[name]
        shares = pareto.top_shares["share"]
        top20 = float(shares[shares.index == 0.2].sum())
        console.print(
            f"Pareto ({text}): {pareto.headline()}; the top 20% hold {top20:.1%}",
            highlight=False,
        )
    console.print(_tier_table(scores))
    console.print(_core_table(scores, min(10, result.config.report_top)))
    _print_concentration(console, result)
    console.print(_churn_table(result, min(10, result.config.report_top)))
    if result.backtest is not None:
        console.print(_backtest_table(result))
        console.print(_scorecard_table(result))
    if result.health_backtest is not None:
        check = result.health_backtest
        console.print(
            f"Account health 客户健康度: AUC for no purchase after the holdout date "
            f"{check.auc_health:.3f} (P(alive) {check.auc_p_alive:.3f}; "
            f"{check.no_purchase:,} of {check.customers:,} customers bought nothing)",
            highlight=False,
        )
    for note in result.notes:
        console.print(f"[dim]note: {note}[/]", highlight=False)


def _tier_table(scores: pd.DataFrame) -> Table:
    table = Table(title="Tiers 客户分级")
    for column in ("tier", "", "customers", "share of revenue"):
        table.add_column(
            column, justify="right" if column.startswith(("cust", "share")) else "left"
        )
    total = float(scores["revenue"].clip(lower=0).sum()) or 1.0
    for tier in TIERS:
        part = scores[scores["tier"] == tier]
        share = float(part["revenue"].clip(lower=0).sum()) / total
        table.add_row(tier, TIER_LABELS_ZH[tier], f"{len(part):,}", f"{share:.1%}")
    return table


def _core_table(scores: pd.DataFrame, top: int) -> Table:
    table = Table(title=f"Top {top} core customers 核心客户")
    for column in ("customer", "rating", "revenue", "CLV", "P(alive)", "lifecycle"):
        table.add_column(column)
    core = scores[scores["tier"] == "core"].nlargest(top, "rating")
    for customer, row in core.iterrows():
        table.add_row(
            str(customer),
            f"{row['rating']:.1f}",
            f"{row['revenue']:,.2f}",
            f"{row['clv']:,.2f}",
            f"{row['p_alive']:.2f}",
            str(row["lifecycle_reason"]),
        )
    return table


def _print_concentration(console: Console, result: AnalysisResult) -> None:
    report = result.concentration
    hhi = report.revenue_hhi
    console.print(
        f"Concentration: HHI {hhi.points:,.0f} / 10,000 ({hhi.level}); "
        f"{len(report.alerts)} customer(s) above the dependency threshold",
        highlight=False,
    )
    for message in report.alerts.get("message", pd.Series(dtype=str)).head(5):
        console.print(f"  [yellow]alert:[/] {message}", highlight=False)


def _churn_table(result: AnalysisResult, top: int) -> Table:
    warnings = result.churn.warnings(top=top)
    flagged = int(result.churn.scores["churn_warning"].sum())
    table = Table(title=f"Churn warnings 流失预警 (top {top} of {flagged:,} by value at risk)")
    for column in ("customer", "value at risk", "risk", "reasons"):
        table.add_column(column)
    for customer, row in warnings.iterrows():
        table.add_row(
            str(customer),
            f"{row['value_at_risk']:,.2f}",
            f"{row['churn_risk']:.2f}",
            str(row["reason_text"]),
        )
    return table


def _backtest_table(result: AnalysisResult) -> Table:
    assert result.backtest is not None
    share = result.backtest.top_share
    table = Table(title=f"Back-test 回测 (holdout after {result.period.get('holdout', '?')})")
    for column in ("model", "actual", "predicted", "error", "MAE", "correlation", "top share"):
        table.add_column(column)
    for name, figures in result.backtest.models.items():
        table.add_row(
            name,
            f"{figures.total_actual:,.0f}",
            f"{figures.total_predicted:,.0f}",
            f"{figures.aggregate_error:+.1%}",
            f"{figures.mae:.3f}",
            f"{figures.correlation:.3f}",
            f"top {share:.0%} hold {figures.top_share_captured:.1%} "
            f"(best {figures.ideal_top_share:.1%})",
        )
    return table


def _scorecard_table(result: AnalysisResult) -> Table:
    """The back-test's decision scorecard: capture by ranking, and each model's churn."""
    assert result.backtest is not None
    card = result.backtest.scorecard
    table = Table(title="Decision scorecard 决策评分卡 (share of holdout revenue captured)")
    for column in ("ranking", "top 10%", "top 20%", "churn AUC", "Brier"):
        table.add_column(column)
    for name, figures in card.capture.items():
        churn = card.churn.get(name, {})
        table.add_row(
            name,
            *(
                "-" if figures.get(key) is None else f"{figures[key]:.1%}"
                for key in ("top_10", "top_20")
            ),
            f"{churn['auc']:.3f}" if churn else "",
            f"{churn['brier']:.3f}" if churn else "",
        )
    return table
