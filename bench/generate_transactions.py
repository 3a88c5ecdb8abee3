"""Seeded transactions for the analytics benchmarks (B1-B4), drawn from BG/NBD + Gamma-Gamma.

    .venv/bin/python bench/generate_transactions.py [--customers 1000000] [--seed 42]
        [--out bench/data/transactions-1000000.parquet]

Every customer is drawn from the processes the engine models, so the fits are well specified:

- acquisition: the first purchase day is uniform over the first ``ACQUISITION_DAYS`` of the
  period (a cohort, as in CDNOW);
- purchases (Fader, Hardie & Lee 2005, BG/NBD): while alive a customer buys as a Poisson
  process with weekly rate ``lambda ~ Gamma(r, alpha)``; after each repeat purchase they drop
  out with probability ``p ~ Beta(a, b)``;
- spend (Fader, Hardie & Lee 2005, Gamma-Gamma): each purchase is worth
  ``z ~ Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)`` per customer; cost is 50-85 % of it.

One purchase is one row (customer_id, timestamp as a Parquet date, amount, cost). The default
parameters give about 12 rows per customer, i.e. about 12 million rows for 1,000,000
customers. Repeat purchases are sampled without a per-customer Python loop: the first ``m``
of ``N`` Poisson arrivals in ``(0, T]`` are the first ``m`` uniform order statistics, i.e.
``S_k / (S_m + G)`` with ``S_k`` cumulative unit exponentials and ``G ~ Gamma(N + 1 - m)``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
#: First day of the generated period.
START = np.datetime64("2022-01-01")
#: Length of the whole period and of the acquisition window, in days.
PERIOD_DAYS = 3 * 365
ACQUISITION_DAYS = 365


@dataclass(frozen=True)
class Truth:
    """The generating parameters (weekly time unit), so a benchmark can compare the fits."""

    r: float = 0.9
    alpha: float = 4.7
    a: float = 0.8
    b: float = 8.0
    p: float = 6.0
    q: float = 4.0
    gamma: float = 15.0


def default_path(customers: int, seed: int = 42) -> Path:
    """Where the data set for ``customers`` customers and ``seed`` lives (git-ignored)."""
    suffix = "" if seed == 42 else f"-seed{seed}"
    return DATA_DIR / f"transactions-{customers}{suffix}.parquet"


def generate(customers: int, seed: int = 42, truth: Truth = Truth()) -> pa.Table:
    """Draw the transactions of ``customers`` customers; same seed, same table."""
    if customers < 1:
        raise ValueError(f"--customers must be >= 1, got {customers}")
    rng = np.random.default_rng(seed)
    birth = rng.integers(0, ACQUISITION_DAYS, customers)
    age_weeks = (PERIOD_DAYS - birth) / 7.0
    rate = rng.gamma(truth.r, 1.0 / truth.alpha, customers)
    dropout = rng.beta(truth.a, truth.b, customers)
    arrivals = rng.poisson(rate * age_weeks)
    # Repeat purchases until (and including) the one after which the customer drops out.
    lifetime = rng.geometric(dropout)
    repeats = np.minimum(arrivals, lifetime)
    owner, fraction = _first_order_statistics(rng, arrivals, repeats)
    repeat_day = birth[owner] + np.floor(fraction * (PERIOD_DAYS - birth[owner])).astype(np.int64)
    # Poisson arrivals are continuous: one falling in the first day's remainder is day 1+.
    repeat_day = np.maximum(repeat_day, birth[owner] + 1)
    all_owner = np.concatenate([np.arange(customers), owner])
    all_day = np.concatenate([birth, repeat_day])
    order = np.lexsort((all_day, all_owner))
    all_owner, all_day = all_owner[order], all_day[order]
    nu = rng.gamma(truth.q, 1.0 / truth.gamma, customers)
    amount = np.round(rng.gamma(truth.p, 1.0 / nu[all_owner]), 2)
    amount = np.maximum(amount, 0.01)
    cost = np.round(amount * rng.uniform(0.5, 0.85, len(amount)), 2)
    return pa.table(
        {
            "customer_id": _customer_ids(all_owner),
            "timestamp": pa.array((START + all_day).astype("datetime64[D]"), type=pa.date32()),
            "amount": amount,
            "cost": cost,
        }
    )


def _first_order_statistics(
    rng: np.random.Generator, arrivals: npt.NDArray[np.int64], repeats: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """For each customer, the first ``repeats`` of ``arrivals`` sorted uniforms on (0, 1)."""
    owner = np.repeat(np.arange(len(repeats)), repeats)
    gaps = rng.exponential(1.0, len(owner))
    totals = np.cumsum(gaps)
    starts = np.cumsum(repeats) - repeats
    # Cumulative sums restarted at each customer.
    offset = np.concatenate([[0.0], totals])[starts]
    partial = totals - offset[owner]
    has = repeats > 0
    last = np.zeros(len(repeats))
    last[has] = partial[starts[has] + repeats[has] - 1]
    rest = np.zeros(len(repeats))
    rest[has] = rng.gamma((arrivals - repeats + 1)[has].astype(np.float64))
    return owner, partial / (last + rest)[owner]


def _customer_ids(owner: npt.NDArray[np.int64]) -> pa.Array:
    """``C0000001``-style ids, built once per customer and taken per row (dictionary-fast)."""
    width = max(7, len(str(int(owner.max()) + 1)))
    ids = pa.array(np.char.add("C", np.char.zfill(np.arange(owner.max() + 1).astype(str), width)))
    return ids.take(pa.array(owner))


def ensure(customers: int, seed: int = 42, path: Path | None = None) -> Path:
    """Generate the file unless it already exists (same name = same seed and size)."""
    target = path or default_path(customers, seed)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        table = generate(customers, seed)
        partial = target.with_suffix(".partial")
        pq.write_table(table, partial, row_group_size=1_000_000)
        partial.replace(target)  # never leave a half-written file under the final name
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one data set and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="number of customers")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--out", type=Path, help="Parquet file to write (default bench/data/)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error(f"--customers must be >= 1, got {args.customers}")
    target = args.out or default_path(args.customers, args.seed)
    if args.force and target.exists():
        target.unlink()
    started = time.perf_counter()
    path = ensure(args.customers, args.seed, args.out)
    rows = pq.ParquetFile(path).metadata.num_rows
    size = path.stat().st_size / 2**20
    print(
        f"{path}: {args.customers:,} customers, {rows:,} rows, {size:.0f} MB "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
