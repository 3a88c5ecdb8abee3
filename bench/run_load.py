"""Load test (issue 7): locust with 32 users for a fixed time against gunicorn on 127.0.0.1.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/paretocrm_big \\
    PARETOCRM_PASSWORD=<kam's password> python bench/run_load.py [--users 32] [--seconds 60]

Starts ``gunicorn paretocrm.wsgi`` (2 sync workers by default) on the seeded 100k-customer
PostgreSQL database, waits for ``/healthz``, runs ``bench/locustfile.py`` headless, and
writes per-request counts, failures, p50/p95/p99 and the aggregate req/s into the
"Load test" section of bench/README.md. Needs the ``bench`` extra (locust).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from bench_scale import PORT, ROOT, load, start_server, write_readme  # noqa: E402

SECTION = "## Load test"


def run_locust(users: int, seconds: int, prefix: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(1, users // 4)),
            "-t",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        check=False,  # locust exits 1 when any request failed; the table says so
    )


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def table(rows: list[dict[str, str]]) -> list[str]:
    lines = [
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        sys.exit("set DATABASE_URL to the PostgreSQL database seeded with --bulk")
    if not os.environ.get("PARETOCRM_PASSWORD"):
        sys.exit("set PARETOCRM_PASSWORD to the password of the signing-in user (kam)")
    env = dict(os.environ, PARETOCRM_API_USER_RATE="100000000/min")
    env.setdefault("PARETOCRM_USER", "kam")
    os.environ.setdefault("PARETOCRM_USER", "kam")
    started = dt.datetime.now(dt.UTC)
    server = start_server(env, workers=args.workers)
    try:
        start_load = load()
        with tempfile.TemporaryDirectory() as work:
            prefix = Path(work) / "load"
            run_locust(args.users, args.seconds, prefix)
            rows = read_stats(prefix)
        end_load = load()
    finally:
        server.terminate()
        server.wait()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    total = next(row for row in rows if row["Name"] == "Aggregated")
    lines = [
        SECTION,
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC, commit {commit}, load {start_load} at start / "
        f"{end_load} at end",
        f"- command: `python bench/run_load.py --users {args.users} --seconds {args.seconds} "
        f"--workers {args.workers}` (locust, `bench/locustfile.py`) against gunicorn with "
        f"{args.workers} sync workers on 127.0.0.1 and the 100k-customer PostgreSQL database "
        "of the Scale section; the API throttle raised for the run",
        "- scenario per user: sign in through the form, then dashboard, customer list, 360 "
        "page, API detail, API list, log an interaction (weights 3/3/4/4/2/1), waiting "
        "0.5-1.5 s between requests",
        "",
        *table(rows),
        "",
        f"{float(total['Requests/s']):.1f} req/s in aggregate, "
        f"**{int(total['Failure Count'])} errors** of {int(total['Request Count']):,} requests.",
    ]
    print("\n".join(lines))
    if not args.no_readme:
        write_readme(lines, SECTION)


if __name__ == "__main__":
    main()
