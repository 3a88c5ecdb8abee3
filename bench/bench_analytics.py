"""Benchmarks B1-B3: the analytics engine on 1M customers / ~12M transactions.

    .venv/bin/python bench/bench_analytics.py [--customers 1000000] [--runs 3]
        [--cases b1,b2,b3] [--no-readme]

Data: ``bench/generate_transactions.py`` (seeded BG/NBD + Gamma-Gamma process, Parquet under
bench/data/, generated once). Every run of every case is a fresh child process, so its peak
memory is the child's ``ru_maxrss`` (from ``os.wait4``).

- B1: ``paretocrm analyze FILE --out DIR`` end to end (reading, every analysis step, writing
  scores.csv/.parquet, models.json, report.html); wall time of the child and its peak memory.
  Targets: <= 15 s, <= 3 GiB.
- B2: like-for-like steps - per-customer summary, BG/NBD fit, Gamma-Gamma fit, 12-month CLV
  (weeks, 1 %/month discount) - ours vs lifetimes 0.11.3, which this script installs into the
  throwaway venv bench/.venv-lifetimes (never a project dependency). Both start from the same
  rows already in memory (Arrow table for us, pandas DataFrame for lifetimes; building them is
  not timed). Target: ours >= 10x faster.
- B3: ``summarize`` on the in-memory Arrow table (contract validation included) vs a floor
  of numpy argsort + bincount computing the same sufficient statistics from integer customer
  codes and day numbers. Target: <= 5x the floor.

The table is printed and written into the "Analytics (B1-B3)" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
README = BENCH / "README.md"
SECTION = "## Analytics (B1-B3)"
LIFETIMES_VENV = BENCH / ".venv-lifetimes"
#: lifetimes 0.11.3 (2020) does not run on pandas 3 / numpy 2; this set does (checked here).
LIFETIMES_REQUIREMENTS = (
    "lifetimes==0.11.3",
    "pandas==2.2.3",
    "numpy==1.26.4",
    "scipy==1.11.4",
    "autograd==1.9.1",
)
#: CLV settings shared by both sides of B2: 12 monthly periods, 1 % discount per month.
CLV_MONTHS = 12
CLV_DISCOUNT = 0.01
#: T floor the pipeline gives customers first seen on the last day (pipeline.MIN_T_DAYS).
MIN_T_WEEKS = 0.5 / 7

sys.path.insert(0, str(BENCH))
from generate_transactions import DATA_DIR, Truth, ensure  # noqa: E402 - the sibling script

# --- children: each runs in its own process and prints one JSON line ----------------------


def child_ours(path: str) -> dict[str, Any]:
    """B2, our side: summary + BG/NBD + Gamma-Gamma + 12-month CLV, each step timed."""
    from paretocrm.analytics.models.bgnbd import BGNBDModel
    from paretocrm.analytics.models.clv import customer_lifetime_value
    from paretocrm.analytics.models.gammagamma import GammaGammaModel
    from paretocrm.analytics.summary import summarize

    table = pq.read_table(path)
    steps: dict[str, float] = {}
    summary = _timed(steps, "summary", lambda: summarize(table, unit="W"))
    x = summary["frequency"].to_numpy(float)
    t_x = summary["recency"].to_numpy(float)
    t_cal = np.maximum(summary["T"].to_numpy(float), MIN_T_WEEKS)
    m = summary["monetary_value"].to_numpy(float)
    bgnbd = _timed(steps, "bgnbd_fit", lambda: BGNBDModel().fit(x, t_x, t_cal))
    spend = _timed(steps, "gammagamma_fit", lambda: GammaGammaModel().fit(x, m))
    clv = _timed(
        steps,
        "clv_12_months",
        lambda: customer_lifetime_value(
            bgnbd, spend, x, t_x, t_cal, m, periods=CLV_MONTHS, discount_rate=CLV_DISCOUNT
        ),
    )
    return {
        "steps": steps,
        "customers": len(summary),
        "params": {**bgnbd.params_, **spend.params_},
        "clv_total": float(np.sum(clv)),
    }


LIFETIMES_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np, pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    data = np.load(sys.argv[1])
    ids = data["ids"]
    frame = pd.DataFrame({
        "customer_id": ids[data["codes"]],
        "timestamp": data["days"].astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": data["amount"],
    })
    del data
    steps = {}
    def timed(name, work):
        start = time.perf_counter()
        value = work()
        steps[name] = time.perf_counter() - start
        return value
    # freq="D" with freq_multiplier=7: exact weeks (days / 7), the same convention as ours.
    summary = timed("summary", lambda: summary_data_from_transaction_data(
        frame, "customer_id", "timestamp", monetary_value_col="amount",
        freq="D", freq_multiplier=7))
    summary["T"] = np.maximum(summary["T"], 0.5 / 7)
    bgf = timed("bgnbd_fit", lambda: BetaGeoFitter().fit(
        summary["frequency"], summary["recency"], summary["T"]))
    repeat = summary[summary["frequency"] > 0]
    ggf = timed("gammagamma_fit", lambda: GammaGammaFitter().fit(
        repeat["frequency"], repeat["monetary_value"]))
    clv = timed("clv_12_months", lambda: ggf.customer_lifetime_value(
        bgf, summary["frequency"], summary["recency"], summary["T"],
        summary["monetary_value"], time=%(months)d, discount_rate=%(discount)r, freq="W"))
    params = {**bgf.params_.to_dict(), **ggf.params_.to_dict()}
    print(json.dumps({"steps": steps, "customers": len(summary),
                      "params": {k: float(v) for k, v in params.items()},
                      "clv_total": float(clv.sum())}))
    """
) % {"months": CLV_MONTHS, "discount": CLV_DISCOUNT}


def child_summary(path: str) -> dict[str, Any]:
    """B3, our side: ``summarize`` on the Arrow table already in memory."""
    from paretocrm.analytics.summary import summarize

    table = pq.read_table(path)
    steps: dict[str, float] = {}
    summary = _timed(steps, "summary", lambda: summarize(table, unit="W"))
    return {"steps": steps, "customers": len(summary)}


def child_floor(path: str) -> dict[str, Any]:
    """B3, the floor: the same per-customer statistics with numpy sort + bincount only."""
    codes, days, amount, cost = _arrays(pq.read_table(path, read_dictionary=["customer_id"]))
    steps: dict[str, float] = {}
    result = _timed(steps, "summary", lambda: numpy_floor(codes, days, amount, cost))
    return {"steps": steps, "customers": len(result["frequency"])}


def numpy_floor(
    codes: np.ndarray, days: np.ndarray, amount: np.ndarray, cost: np.ndarray
) -> dict[str, np.ndarray]:
    """Per customer: first/last day, purchase days, frequency, recency, T (weeks), revenue,
    gross profit and mean repeat-day spend - one argsort, then bincount/reduceat."""
    n_days = int(days.max()) + 1
    key = codes.astype(np.int64) * n_days + days
    order = np.argsort(key, kind="stable")
    key = key[order]
    new_day = np.empty(len(key), dtype=bool)
    new_day[0] = True
    np.not_equal(key[1:], key[:-1], out=new_day[1:])
    day_start = np.flatnonzero(new_day)
    day_key = key[day_start]
    day_customer = day_key // n_days
    day_number = day_key % n_days
    day_amount = np.add.reduceat(amount[order], day_start)
    day_profit = np.add.reduceat(amount[order] - cost[order], day_start)
    customers = int(codes.max()) + 1
    purchase_days = np.bincount(day_customer, minlength=customers)
    first_at = np.cumsum(purchase_days) - purchase_days
    last_at = first_at + purchase_days - 1
    first, last = day_number[first_at], day_number[last_at]
    revenue = np.bincount(day_customer, weights=day_amount, minlength=customers)
    frequency = purchase_days - 1
    repeat_revenue = revenue - day_amount[first_at]
    return {
        "first_day": first,
        "last_day": last,
        "purchase_days": purchase_days,
        "frequency": frequency,
        "recency": (last - first) / 7.0,
        "T": (int(days.max()) - first) / 7.0,
        "revenue": revenue,
        "gross_profit": np.bincount(day_customer, weights=day_profit, minlength=customers),
        "monetary_value": np.divide(
            repeat_revenue, frequency, out=np.zeros(customers), where=frequency > 0
        ),
    }


def _arrays(table: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Integer customer codes, day numbers, amount and cost from the Parquet table."""
    ids = table.column("customer_id").combine_chunks()
    codes = ids.indices.to_numpy().astype(np.int64)
    days = table.column("timestamp").combine_chunks().cast(pa.int32()).to_numpy()
    days = days.astype(np.int64) - int(days.min())
    amount = table.column("amount").to_numpy()
    cost = table.column("cost").to_numpy()
    return codes, days, amount, cost


def _timed(steps: dict[str, float], name: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = work()
    steps[name] = time.perf_counter() - start
    return value


CHILDREN: dict[str, Callable[[str], dict[str, Any]]] = {
    "ours": child_ours,
    "summary": child_summary,
    "floor": child_floor,
}


# --- parent -----------------------------------------------------------------------------


def run_child(command: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one child; return its JSON line plus wall seconds and peak RSS (MiB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    figures: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    figures["wall"] = wall
    figures["peak_mib"] = usage.ru_maxrss / 1024
    return figures


def repeat(label: str, runs: int, command: Sequence[str], **kwargs: Any) -> list[dict[str, Any]]:
    """Run a child ``runs`` times, printing each run."""
    results = []
    for number in range(1, runs + 1):
        figures = run_child(command, **kwargs)
        steps = figures.get("steps", {})
        timed = sum(steps.values()) if steps else figures["wall"]
        print(
            f"  {label:22s} run {number}: {timed:7.2f} s  (wall {figures['wall']:.1f} s, "
            f"peak {figures['peak_mib']:,.0f} MiB, load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        results.append(figures)
    return results


def stats(values: Sequence[float]) -> dict[str, float]:
    """Median, min and max."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def fmt(figure: dict[str, float], digits: int = 1) -> str:
    """``median (min-max)``."""
    return f"{figure['median']:.{digits}f} ({figure['min']:.{digits}f}-{figure['max']:.{digits}f})"


def lifetimes_python() -> Path:
    """The throwaway venv's python, created and filled on first use."""
    python = LIFETIMES_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {LIFETIMES_VENV} with {', '.join(LIFETIMES_REQUIREMENTS)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(LIFETIMES_VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import lifetimes, sys; print(lifetimes.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.stdout.strip() != "0.11.3":
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *LIFETIMES_REQUIREMENTS], check=True
        )
    return python


def export_npz(path: Path, target: Path) -> None:
    """The rows as plain numpy arrays for the lifetimes venv (which has no pyarrow)."""
    table = pq.read_table(path, read_dictionary=["customer_id"])
    ids = table.column("customer_id").combine_chunks()
    days = table.column("timestamp").combine_chunks().cast(pa.int32()).to_numpy()
    np.savez(
        target,
        ids=np.asarray(ids.dictionary.to_pylist(), dtype=object).astype(str),
        codes=ids.indices.to_numpy(),
        days=days,
        amount=table.column("amount").to_numpy(),
    )


def case_b1(path: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """B1: the CLI end to end."""
    cli = Path(sys.executable).parent / "paretocrm"
    results = repeat(
        "B1 paretocrm analyze",
        runs,
        [str(cli), "analyze", str(path), "--out", str(workdir / "out")],
    )
    step_times: dict[str, list[float]] = {}
    # The last run's models.json has the per-step timings of the analysis.
    document = json.loads((workdir / "out" / "models.json").read_text(encoding="utf-8"))
    for name, seconds in document.get("timings_seconds", {}).items():
        step_times.setdefault(name, []).append(seconds)
    return {
        "wall": stats([r["wall"] for r in results]),
        "peak": max(r["peak_mib"] for r in results),
        "steps_last_run": {k: v[0] for k, v in step_times.items()},
    }


def case_b2(path: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """B2: ours vs lifetimes on the same rows, alternating so both see the same load."""
    python = lifetimes_python()
    npz = workdir / "rows.npz"
    export_npz(path, npz)
    script = workdir / "lifetimes_child.py"
    script.write_text(LIFETIMES_CHILD, encoding="utf-8")
    ours, theirs = [], []
    for _ in range(runs):
        ours += repeat("B2 ours", 1, [sys.executable, __file__, "--child", "ours", str(path)])
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        theirs += repeat("B2 lifetimes 0.11.3", 1, [str(python), str(script), str(npz)], env=env)
    return {"ours": _steps(ours), "lifetimes": _steps(theirs)}


def case_b3(path: Path, runs: int) -> dict[str, Any]:
    """B3: summarize vs the numpy floor, alternating."""
    ours, floor = [], []
    for _ in range(runs):
        ours += repeat(
            "B3 summarize", 1, [sys.executable, __file__, "--child", "summary", str(path)]
        )
        floor += repeat(
            "B3 numpy floor", 1, [sys.executable, __file__, "--child", "floor", str(path)]
        )
    return {"ours": _steps(ours), "floor": _steps(floor)}


def _steps(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-step and total statistics over runs, plus peak memory and the fitted values."""
    names = list(results[0]["steps"])
    return {
        "steps": {n: stats([r["steps"][n] for r in results]) for n in names},
        "total": stats([sum(r["steps"].values()) for r in results]),
        "peak": max(r["peak_mib"] for r in results),
        "params": results[0].get("params", {}),
        "clv_total": results[0].get("clv_total"),
        "customers": results[0]["customers"],
    }


# --- report -----------------------------------------------------------------------------


def machine() -> str:
    """Cores, RAM, CPU model and Python for the report."""
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {ram:.0f} GiB RAM, Python {platform.python_version()}"


def revision() -> str:
    """The last commit that touched the engine, and whether it had uncommitted changes."""
    engine = "src/paretocrm/analytics"
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h", "--", engine],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", engine],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head} (last commit to {engine})" + (" + uncommitted changes" if dirty else "")


def verdict(met: bool) -> str:
    """met / MISSED."""
    return "met" if met else "**missed**"


def report(results: dict[str, Any], header: dict[str, str]) -> str:
    """The markdown section."""
    lines = [
        SECTION,
        "",
        f"Data: `bench/generate_transactions.py` (seed 42), {header['data']}. "
        "Each run is a fresh child process; peak = the child's max RSS. Each ratio compares "
        "medians measured in the same invocation of the script, the two sides alternating.",
        "",
        f"- machine: {header['machine']}; 2 cores shared with other engineers' jobs, so "
        "absolute times are inflated by the load shown (1-minute load average at start / end "
        "of each case)",
    ]
    for case in ("b1", "b2", "b3"):
        if case in results:
            meta = results[case]["meta"]
            lines.append(
                f"- {case.upper()}: {meta['date']}, `{meta['command']}`, load {meta['load']}, "
                f"code {meta['revision']}"
            )
    lines += [
        "",
        "| id | work | median (min-max) s | peak MiB | reference median (min-max) s | ratio "
        "| target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    if "b1" in results:
        b1 = results["b1"]
        met = b1["wall"]["median"] <= 15 and b1["peak"] <= 3 * 1024
        lines.append(
            f"| B1 | `paretocrm analyze` end to end | {fmt(b1['wall'])} | {b1['peak']:,.0f} | - "
            f"| - | <= 15 s and <= 3,072 MiB: {verdict(met)} |"
        )
    if "b2" in results:
        ours, theirs = results["b2"]["ours"], results["b2"]["lifetimes"]
        ratio = theirs["total"]["median"] / ours["total"]["median"]
        lines.append(
            f"| B2 | summary + BG/NBD + Gamma-Gamma + 12-month CLV, ours vs lifetimes 0.11.3 "
            f"| {fmt(ours['total'])} | {ours['peak']:,.0f} | {fmt(theirs['total'])} "
            f"(peak {theirs['peak']:,.0f} MiB) | {ratio:.1f}x faster | >= 10x: "
            f"{verdict(ratio >= 10)} |"
        )
    if "b3" in results:
        ours, floor = results["b3"]["ours"], results["b3"]["floor"]
        ratio = ours["total"]["median"] / floor["total"]["median"]
        lines.append(
            f"| B3 | `summarize` vs numpy sort + bincount floor | {fmt(ours['total'], 2)} "
            f"| {ours['peak']:,.0f} | {fmt(floor['total'], 2)} (peak {floor['peak']:,.0f} MiB) "
            f"| {ratio:.1f}x the floor | <= 5x: {verdict(ratio <= 5)} |"
        )
    if "b1" in results:
        lines += ["", "B1 per-step seconds (last run, from models.json `timings_seconds`):", ""]
        lines += ["| step | s |", "| --- | --- |"]
        steps = results["b1"]["steps_last_run"]
        lines += [f"| {name} | {seconds:.2f} |" for name, seconds in steps.items()]
        rest = results["b1"]["wall"]["median"] - sum(steps.values())
        lines.append(
            f"| outside the steps (start-up, printing, writing files), from median | {rest:.2f} |"
        )
    if "b2" in results:
        ours, theirs = results["b2"]["ours"], results["b2"]["lifetimes"]
        lines += ["", "B2 per step, median (min-max) s:", ""]
        lines += ["| step | ours | lifetimes 0.11.3 | ratio |", "| --- | --- | --- | --- |"]
        for name in ours["steps"]:
            a, b = ours["steps"][name], theirs["steps"][name]
            lines.append(
                f"| {name} | {fmt(a, 2)} | {fmt(b, 2)} | {b['median'] / a['median']:.1f}x |"
            )
        lines += [
            "",
            f"Fitted parameters (generating values: {_truth_text()}) and total 12-month CLV, "
            "first run:",
            "",
        ]
        names = ["r", "alpha", "a", "b", "p", "q", "v"]
        lines += ["| | " + " | ".join(names) + " | CLV total |", "|" + " --- |" * 9]
        for label, side in (("ours", ours), ("lifetimes", theirs)):
            params = dict(side["params"])
            params.setdefault("v", params.get("gamma", float("nan")))
            values = " | ".join(f"{params.get(n, float('nan')):.3f}" for n in names)
            lines.append(f"| {label} | {values} | {side['clv_total']:,.0f} |")
    return "\n".join(lines) + "\n"


def _truth_text() -> str:
    """The generator's parameters, e.g. ``r 0.9, alpha 4.7, ...``."""
    return ", ".join(f"{f.name} {getattr(Truth(), f.name):g}" for f in dataclasses.fields(Truth))


def write_readme(text: str) -> None:
    """Replace (or append) only this script's section of bench/README.md."""
    current = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start = current.find(SECTION)
    if start == -1:
        current = current.rstrip("\n") + "\n\n" + text
    else:
        end = current.find("\n## ", start + len(SECTION))
        current = current[:start] + text + ("" if end == -1 else current[end:])
    README.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Generate the data if needed, run the chosen cases, print and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default="b1,b2,b3", help="comma-separated: b1,b2,b3")
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args(argv)
    cases = [c.strip().lower() for c in args.cases.split(",") if c.strip()]
    unknown = sorted(set(cases) - {"b1", "b2", "b3"})
    if unknown:
        parser.error(f"--cases: unknown case(s) {', '.join(unknown)}; choose from b1, b2, b3")
    if args.runs < 1 or args.customers < 1:
        parser.error("--runs and --customers must be >= 1")
    path = ensure(args.customers)
    rows = pq.ParquetFile(path).metadata.num_rows
    print(f"{path}: {args.customers:,} customers, {rows:,} rows", flush=True)
    store = DATA_DIR / f"analytics-results-{args.customers}.json"
    results: dict[str, Any] = json.loads(store.read_text()) if store.exists() else {}
    command = ("python bench/bench_analytics.py " + " ".join(sys.argv[1:])).strip()
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        workdir = Path(tmp)
        runners: dict[str, Callable[[], dict[str, Any]]] = {
            "b1": lambda: case_b1(path, args.runs, workdir),
            "b2": lambda: case_b2(path, args.runs, workdir),
            "b3": lambda: case_b3(path, args.runs),
        }
        for case in cases:
            load, before = os.getloadavg()[0], revision()
            results[case] = runners[case]()
            after = revision()
            results[case]["meta"] = {
                "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                "command": command,
                "load": f"{load:.1f} / {os.getloadavg()[0]:.1f}",
                "revision": before
                if before == after
                else f"{before}, then {after} (changed during the runs)",
            }
            # Kept (git-ignored) so a later run of one case keeps the others' figures.
            store.write_text(json.dumps(results, indent=1, default=float))
    header = {
        "data": f"{args.customers:,} customers, {rows:,} transactions, "
        f"{path.stat().st_size / 2**20:.0f} MB Parquet; {args.runs} runs per case",
        "machine": machine(),
    }
    text = report(results, header)
    print(text)
    if not args.no_readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](sys.argv[3])))
        sys.exit(0)
    sys.exit(main())
