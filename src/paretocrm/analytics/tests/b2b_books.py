"""Seeded small B2B books: the kind of data our users have (issue 15).

A distributor with 30 or 300 business customers, one or two years of history, large and
irregular orders. Every customer follows one generating pattern, returned with the book so
tests can judge the engine against the truth:

| kind | pattern |
| --- | --- |
| ``steady`` | orders every month (the largest ones several times a month), large amounts |
| ``seasonal`` | orders in a few months of each year only (the same months every year) |
| ``growing`` | orders more often as time goes on |
| ``lapsed`` | ordered monthly, stopped after a few months (silent since) |
| ``one_off`` | one order in the first two months, silent since |
| ``late`` | joined in the last three months, orders monthly since |

Amounts are lognormal with a few huge orders (about 2 % of orders are 5-15 times larger).
One steady buyer (``weak_window``) had a weak last half-year: its amounts there are 40 %
of usual while it kept ordering at its rhythm (the issue's second-largest customer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Share of each kind in a book (steady first: the largest customers).
KIND_SHARES: dict[str, float] = {
    "steady": 0.2,
    "seasonal": 0.15,
    "growing": 0.15,
    "lapsed": 0.2,
    "one_off": 0.15,
    "late": 0.15,
}
BOOK_END = pd.Timestamp("2024-12-31")
_CATEGORIES = ("阀门", "管件", "仪表", "密封件")


@dataclass(frozen=True)
class Book:
    """A generated book: ``transactions`` in the contract format and ``truth`` per customer
    (index ``customer_id``; ``kind``, ``alive`` at the end, ``orders_per_month`` while alive,
    ``weak_window``)."""

    transactions: pd.DataFrame
    truth: pd.DataFrame


def b2b_book(n_customers: int = 30, years: int = 1, seed: int = 0) -> Book:
    """A book of ``n_customers`` over ``years`` years ending :data:`BOOK_END`."""
    rng = np.random.default_rng(seed)
    days = 365 * years
    start = BOOK_END - pd.Timedelta(days=days - 1)
    kinds = _kinds(n_customers)
    rows: list[tuple[str, pd.Timestamp, float, str]] = []
    truth: list[dict[str, object]] = []
    for number, kind in enumerate(kinds):
        customer = f"KH{number:03d}-{'华东华南华北西南'[number % 4 * 2 : number % 4 * 2 + 2]}"
        order_days, rate, alive = _order_days(kind, number, days, rng)
        weak = kind == "steady" and number == 1
        scale = 10.5 if kind == "steady" else 8.5
        amounts = rng.lognormal(scale, 0.7, order_days.size)
        huge = rng.random(order_days.size) < 0.02
        amounts = np.where(huge, amounts * rng.uniform(5, 15, order_days.size), amounts)
        if weak:
            amounts = np.where(order_days >= days - 182, amounts * 0.4, amounts)
        for day, amount in zip(order_days.tolist(), amounts.tolist(), strict=True):
            category = _CATEGORIES[int(rng.integers(len(_CATEGORIES)))]
            rows.append((customer, start + pd.Timedelta(days=day), round(amount, 2), category))
        truth.append(
            {
                "customer_id": customer,
                "kind": kind,
                "alive": alive,
                "orders_per_month": rate,
                "weak_window": weak,
            }
        )
    transactions = pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount", "category"])
    return Book(transactions=transactions, truth=pd.DataFrame(truth).set_index("customer_id"))


def _kinds(n: int) -> list[str]:
    counts = {kind: max(1, round(share * n)) for kind, share in KIND_SHARES.items()}
    counts["steady"] += n - sum(counts.values())
    return [kind for kind, count in counts.items() for _ in range(count)]


def _order_days(
    kind: str, number: int, days: int, rng: np.random.Generator
) -> tuple[np.ndarray, float, bool]:
    """Order days (0 = the book's first day), orders per month while active, alive at end."""
    month = 30.4
    if kind == "steady":
        rate = 4.0 if number < 2 else float(rng.uniform(1.0, 2.5))
        return _poisson_days(0, days, rate, rng, regular=True), rate, True
    if kind == "seasonal":
        peak = int(rng.integers(0, 12))
        months = {(peak + k) % 12 for k in range(3)}
        every = _poisson_days(0, days, 2.0, rng, regular=True)
        in_season = np.asarray([int(d // month) % 12 in months for d in every], dtype=bool)
        chosen = every[in_season]
        return (chosen if chosen.size else every[:1]), 2.0, True
    if kind == "growing":
        # Monthly rate rising from 0.5 to 3 over the book: thin the regular stream.
        dense = _poisson_days(0, days, 3.0, rng, regular=True)
        keep = rng.random(dense.size) < (0.17 + 0.83 * dense / days)
        chosen = dense[keep]
        return (chosen if chosen.size >= 2 else dense[:2]), 1.5, True
    if kind == "lapsed":
        stop = int(rng.uniform(0.3, 0.55) * days)
        return _poisson_days(0, stop, 1.5, rng, regular=True), 1.5, False
    if kind == "one_off":
        return np.asarray([int(rng.integers(0, 60))]), 0.0, False
    # late joiner: first order in the last three months, monthly since
    first = days - int(rng.integers(30, 90))
    return _poisson_days(first, days, 1.2, rng, regular=True), 1.2, True


def _poisson_days(
    first: int, end: int, per_month: float, rng: np.random.Generator, *, regular: bool
) -> np.ndarray:
    """Distinct order days from ``first`` (an order on it) to before ``end``; with ``regular``
    the gaps are gamma-distributed around the mean (B2B buyers reorder on a rhythm)."""
    mean_gap = 30.4 / per_month
    shape = 4.0 if regular else 1.0
    gaps = rng.gamma(shape, mean_gap / shape, int(4 * (end - first) / mean_gap) + 4)
    days = first + np.concatenate([[0.0], np.cumsum(gaps)])
    return np.unique(np.floor(days[days < end]).astype(np.int64))
