"""Benchmark B5: import of a flat order-lines CSV (full validation) into SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py [--orders 100000] [--lines 10] [--customers 20000]
        [--runs 3] [--databases sqlite,postgresql] [--pg-url postgresql://postgres@127.0.0.1:5432]

A seeded generator writes the CSV (orders x lines rows, order columns repeated on every line).
Each run uses a fresh database (a new SQLite file; PostgreSQL database ``paretocrm_bench``
dropped and re-created), migrates it and loads the customers (not timed), then times in a
child process either ``imports.services.run_import("orders", ...)`` (read, validate every
column, resolve references, write) or the floor: a raw ``COPY`` (PostgreSQL) / one
``executemany`` (SQLite) of the same, already parsed rows into the same tables. Peak memory is
the child's ``ru_maxrss``. The table is printed and written into bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
SECTION = "## Import"


def generate(path: Path, orders: int, lines: int, customers: int, seed: int = 7) -> None:
    """Seeded flat order file: heavy-tailed customers, 3 years of dates, varied lines."""
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, customers) + 1
    owner = rng.choice(customers, size=orders, p=weights / weights.sum())
    start = np.datetime64("2022-01-01")
    dates = (start + rng.integers(0, 3 * 365, orders).astype("timedelta64[D]")).astype(str)
    n = orders * lines
    order_index = np.repeat(np.arange(orders), lines)
    price = rng.integers(100, 100_000, n) / 100
    frame = pd.DataFrame(
        {
            "order_number": np.char.add("SO", np.char.zfill(order_index.astype(str), 8)),
            "customer_code": np.char.add("C", np.char.zfill(owner[order_index].astype(str), 6)),
            "date": dates[order_index],
            "line_number": np.tile(np.arange(1, lines + 1), orders),
            "description": rng.choice(["苹果 Fuji", "Pear", "Valve DN50", "Pump"], n),
            "quantity": rng.integers(1, 50, n),
            "unit_price": np.char.mod("%.2f", price),
            "unit_cost": np.char.mod("%.2f", price * rng.uniform(0.4, 0.9, n)),
            "discount": rng.choice(["0", "5", "10"], n),
        }
    )
    frame.to_csv(path, index=False)


def child(mode: str, csv_path: str) -> None:
    """Runs inside the child process: set up the fresh DB, then time one import or floor."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
    django.setup()
    from django.core.management import call_command

    from paretocrm.customers.models import Customer

    call_command("migrate", verbosity=0)
    codes = pd.read_csv(csv_path, usecols=["customer_code"], dtype=str)["customer_code"].unique()
    Customer.objects.bulk_create(
        [Customer(code=c, name=f"Customer {c}") for c in sorted(codes)], batch_size=5000
    )
    if mode == "import":
        from paretocrm.imports.services import run_import

        started = time.perf_counter()
        # The system import that `paretocrm import orders FILE --as-system` runs.
        result = run_import("orders", csv_path, user=None)
        seconds = time.perf_counter() - started
        assert result.status == "committed", result.report.sorted_issues()[:5]
        lines = result.rows
    else:
        seconds, lines = _floor(csv_path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "lines": lines}))


def _floor(csv_path: str) -> tuple[float, int]:
    """Raw insert of the same rows (parsed up front, not timed), no validation."""
    from django.db import connection, transaction

    from paretocrm.customers.models import Customer
    from paretocrm.imports.kinds.orders import _bulk_insert

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    ids = dict(Customer.objects.values_list("code", "id"))
    headers = frame.drop_duplicates("order_number")
    order_ids = pd.Series(np.arange(1, len(headers) + 1), index=headers["order_number"].to_numpy())
    now = "2025-01-01 00:00:00"
    suffix = "+00:00" if connection.vendor == "postgresql" else ""
    order_rows = pd.DataFrame(
        {
            "id": order_ids.astype(str).to_numpy(),
            "customer_id": headers["customer_code"].map(ids).astype(str).to_numpy(),
            "number": headers["order_number"].to_numpy(),
            "ordered_at": (headers["date"] + " 00:00:00" + suffix).to_numpy(),
            "currency": "CNY",
            "status": "confirmed",
            "channel": "direct",
            "notes": "",
            "created_at": now + suffix,
            "updated_at": now + suffix,
            "version": "1",
        }
    )
    line_rows = pd.DataFrame(
        {
            "order_id": frame["order_number"].map(order_ids).astype(str).to_numpy(),
            "line_number": frame["line_number"].to_numpy(),
            "product_id": "",
            "description": frame["description"].to_numpy(),
            "quantity": frame["quantity"].to_numpy(),
            "unit_price": frame["unit_price"].to_numpy(),
            "unit_cost": frame["unit_cost"].to_numpy(),
            "discount": frame["discount"].to_numpy(),
        }
    )
    from paretocrm.sales.models import Order, OrderLine

    started = time.perf_counter()
    with transaction.atomic():
        _bulk_insert(Order, order_rows)
        _bulk_insert(OrderLine, line_rows, nullable={"product_id"})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # keep the id sequence ahead of the explicit ids
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('sales_order', 'id'), %s)", [len(headers)]
            )
    return time.perf_counter() - started, len(frame)


def fresh_env(database: str, pg_url: str, workdir: Path) -> dict[str, str]:
    """Environment for a child using a brand-new database."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    data_dir = Path(tempfile.mkdtemp(prefix="bench-", dir=workdir))
    env["PARETOCRM_DATA_DIR"] = str(data_dir)
    if database == "postgresql":
        import psycopg

        with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS paretocrm_bench")
            conn.execute("CREATE DATABASE paretocrm_bench")
        env["DATABASE_URL"] = f"{pg_url}/paretocrm_bench"
    else:
        env.pop("DATABASE_URL", None)
    return env


def run_case(
    mode: str, database: str, csv_path: Path, args: argparse.Namespace, workdir: Path
) -> dict:
    """Run one case ``args.runs`` times; return median/min/max seconds and peak memory."""
    times, peaks = [], []
    for _ in range(args.runs):
        env = fresh_env(database, args.pg_url, workdir)
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(csv_path)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"{database}/{mode} failed:\n{out.stderr[-3000:]}")
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(figures["seconds"])
        peaks.append(figures["peak_mb"])
        print(
            f"  {database:10s} {mode:6s} {figures['seconds']:7.2f} s  {figures['peak_mb']:7.0f} MB"
        )
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "peak": max(peaks),
    }


def machine() -> str:
    """nproc, RAM and Python for the report."""
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {ram:.0f} GiB RAM, Python {platform.python_version()}"


def write_readme(table: str) -> None:
    """Replace (or add) the Import section of bench/README.md."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + table
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + table + ("" if end == -1 else text[end:])
    README.write_text(text, encoding="utf-8")


def main() -> None:
    """Generate the file, run every case, print and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "orders.csv"
        generate(csv_path, args.orders, args.lines, args.customers)
        size = csv_path.stat().st_size / 2**20
        print(f"{args.orders * args.lines:,} lines, {size:.0f} MB CSV")
        rows = []
        for database in args.databases.split(","):
            result = run_case("import", database, csv_path, args, workdir)
            floor = run_case("floor", database, csv_path, args, workdir)
            rows.append((database, result, floor))
    lines = args.orders * args.lines
    command = "python bench/bench_import.py " + " ".join(sys.argv[1:])
    table = [
        SECTION,
        "",
        "B5 - `paretocrm import orders --as-system` of a flat CSV, "
        f"{lines:,} order lines ({args.orders:,} orders x {args.lines} lines, "
        f"{args.customers:,} customers, {size:.0f} MB), full "
        "validation, into a fresh database; floor = raw COPY (PostgreSQL) / one executemany "
        "(SQLite) of the same already-parsed rows into the same tables. "
        f"{args.runs} runs each; peak = max RSS of the child process (includes Django + migrate).",
        "",
        f"- date: {dt.date.today().isoformat()}",
        f"- command: `{command.strip()}`",
        f"- machine: {machine()}",
        "",
        "| database | import median (min-max) s | peak MB | floor median (min-max) s | ratio "
        "| target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for database, result, floor in rows:
        ratio = result["median"] / floor["median"]
        verdict = "met" if result["median"] <= 35 else "missed"
        table.append(
            f"| {database} | {result['median']:.1f} ({result['min']:.1f}-{result['max']:.1f}) | "
            f"{result['peak']:.0f} | {floor['median']:.1f} ({floor['min']:.1f}-{floor['max']:.1f})"
            f" | {ratio:.1f}x | <= 35 s: {verdict} |"
        )
    text = "\n".join(table) + "\n"
    print(text)
    if not args.no_readme:
        write_readme(text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
