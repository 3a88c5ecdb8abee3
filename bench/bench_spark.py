"""Benchmark B4: ``paretocrm analyze --engine spark`` on local[2] vs the DuckDB engine.

    .venv/bin/python bench/bench_spark.py [--customers 1000000] [--master local[2]]
        [--no-readme]

Data: ``bench/generate_transactions.py`` (seed 42; generated if missing). Both engines run
as the real CLI in a fresh child process, one after the other (never in parallel):

- Spark: ``paretocrm analyze FILE --engine spark --spark-master local[2] --out DIR``;
- DuckDB: ``paretocrm analyze FILE --out DIR`` (the whole analysis, B1's command).

Reported: wall time of each child, and how far apart the scores are - the largest absolute
and relative difference of ``p_alive`` and ``expected_purchases`` over every customer and of
the BG/NBD parameters. Done when Spark completes and the scores agree to 1e-6 (relative).
The result is printed and written into the "Spark (B4)" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
README = BENCH / "README.md"
SECTION = "## Spark (B4)"
#: Scores compared between the engines, and the agreement required (relative).
COMPARED = ("p_alive", "expected_purchases")
TOLERANCE = 1e-6

sys.path.insert(0, str(BENCH))
from generate_transactions import ensure  # noqa: E402 - the sibling script


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def run_cli(args: list[str]) -> dict[str, Any]:
    """Run ``paretocrm ARGS`` in a child process; wall seconds and load before/after."""
    load_before = _load()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "paretocrm.cli", *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"paretocrm {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return {"seconds": seconds, "load": f"{load_before} / {_load()}"}


def compare(spark_dir: Path, duck_dir: Path) -> dict[str, Any]:
    """Largest differences between the engines' scores and BG/NBD parameters."""
    spark = pd.read_parquet(spark_dir / "scores.parquet", columns=["customer_id", *COMPARED])
    duck = pd.read_parquet(duck_dir / "scores.parquet", columns=["customer_id", *COMPARED])
    spark = spark.set_index("customer_id").sort_index()
    duck = duck.set_index("customer_id").sort_index()
    if not spark.index.equals(duck.index):
        raise SystemExit("the engines scored different sets of customers")
    out: dict[str, Any] = {"customers": len(spark)}
    for column in COMPARED:
        a, b = spark[column].to_numpy(float), duck[column].to_numpy(float)
        out[f"{column}_max_abs"] = float(np.max(np.abs(a - b)))
        out[f"{column}_max_rel"] = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))
    spark_params = json.loads((spark_dir / "models.json").read_text())["models"]["bgnbd"]
    duck_params = json.loads((duck_dir / "models.json").read_text())["models"]["bgnbd"]
    out["params_max_rel"] = max(
        abs(spark_params["params"][k] - v) / abs(v) for k, v in duck_params["params"].items()
    )
    out["params"] = {k: round(v, 6) for k, v in duck_params["params"].items()}
    return out


def render(results: dict[str, Any]) -> str:
    """The README section."""
    diff = results["diff"]
    agree = max(diff[f"{c}_max_rel"] for c in COMPARED) <= TOLERANCE
    return "\n".join(
        [
            SECTION,
            "",
            f"B4 - `paretocrm analyze FILE --engine spark --spark-master {results['master']}` on "
            f"the generated benchmark data ({results['data']}), against the DuckDB engine "
            "(`paretocrm analyze FILE`, the whole analysis) on the same file. Each is one fresh "
            "child process, run one after the other.",
            "",
            f"- date: {results['date']}; command: `{results['command']}`",
            f"- machine: {results['machine']}; 2 cores shared with other engineers' jobs "
            "(1-minute load average before / after each run shown)",
            "",
            "| engine | wall s | load | customers scored |",
            "| --- | --- | --- | --- |",
            f"| Spark {results['master']} | {results['spark']['seconds']:.1f} | "
            f"{results['spark']['load']} | {diff['customers']:,} |",
            f"| DuckDB | {results['duckdb']['seconds']:.1f} | {results['duckdb']['load']} | "
            f"{diff['customers']:,} |",
            "",
            "Agreement over every customer (Spark vs DuckDB):",
            "",
            "| score | max abs difference | max relative difference |",
            "| --- | --- | --- |",
            *(
                f"| {c} | {diff[f'{c}_max_abs']:.2e} | {diff[f'{c}_max_rel']:.2e} |"
                for c in COMPARED
            ),
            f"| BG/NBD parameters {diff['params']} | | {diff['params_max_rel']:.2e} |",
            "",
            f"Result: Spark completed; scores {'agree' if agree else 'DO NOT agree'} to "
            f"{TOLERANCE:g} relative. Both engines fit the same likelihood on the distinct "
            "(frequency, recency, T) profiles with their counts as weights (Spark counts them "
            "with a groupBy, the DuckDB path with a pandas group-by), so the fits and scores "
            "come out the same; the tolerance allows for the last bits of floating-point sums.",
            "",
        ]
    )


def write_readme(text: str) -> None:
    """Replace the B4 section of bench/README.md (or append it); other sections untouched."""
    current = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start = current.find(SECTION)
    if start == -1:
        current = current.rstrip("\n") + "\n\n" + text
    else:
        end = current.find("\n## ", start + len(SECTION))
        current = current[:start] + text + ("" if end == -1 else current[end:])
    README.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run Spark, then DuckDB, compare, print and record."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--no-readme", action="store_true", help="only print the result")
    args = parser.parse_args(argv)
    data = ensure(args.customers)
    rows = pq.ParquetFile(data).metadata.num_rows
    with tempfile.TemporaryDirectory(prefix="paretocrm-b4-") as scratch:
        spark_dir, duck_dir = Path(scratch) / "spark", Path(scratch) / "duckdb"
        spark = run_cli(
            [
                "analyze",
                str(data),
                "--engine",
                "spark",
                "--spark-master",
                args.master,
                "--out",
                str(spark_dir),
            ]
        )
        print(f"spark: {spark['seconds']:.1f} s (load {spark['load']})", flush=True)
        duck = run_cli(["analyze", str(data), "--out", str(duck_dir)])
        print(f"duckdb: {duck['seconds']:.1f} s (load {duck['load']})", flush=True)
        diff = compare(spark_dir, duck_dir)
    command = "python bench/bench_spark.py" + (
        f" --customers {args.customers}" if args.customers != 1_000_000 else ""
    )
    results = {
        "master": args.master,
        "data": f"{args.customers:,} customers, {rows:,} transactions",
        "date": dt.date.today().isoformat(),
        "command": command,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "spark": spark,
        "duckdb": duck,
        "diff": diff,
    }
    text = render(results)
    print(text)
    if not args.no_readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
