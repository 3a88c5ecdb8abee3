"""Each customer's own order rhythm: how long they usually go between orders, and how late
they are now.

A distributor's accounts reorder on rhythms from weekly to quarterly; "no order for two
months" means nothing until it is compared with the customer's own usual gap. So:

- ``cycle_days``: the customer's mean gap between purchase days, ``recency / frequency``
  (first to last purchase over the number of gaps), when they have at least
  :data:`MIN_OWN_GAPS` gaps. With fewer (one or two purchase days), the book's typical
  cycle: the median of that mean gap over the customers who have enough gaps (with one gap,
  the longer of the customer's own gap and the book's cycle, so one quick reorder does not
  make a customer look late at once).
- ``overdue``: the time since the last purchase in cycles, ``gap_days / cycle_days``.
  About 1 is on time; a customer silent for three of their usual cycles is late in a way
  that order-to-order noise rarely explains.

- :func:`late_history`, for customers late on their rhythm only: ``longest_gap_days``, the
  longest pause they have taken and come back from (a silence no longer than that is no
  evidence of leaving), and ``seasonal_pause``: with more than a year of history, a
  customer who bought around the same date a year earlier and then paused over the same
  stretch of the calendar (a fruit importer buying Sep-Jan, silent Feb-Aug every year) is
  in its off-season, not lapsing. Lifecycle and churn read both from the summary.

All of it is vectorised over the summary's columns (``recency``, ``T``, ``frequency`` or
``purchase_days``), so it costs a few array operations for a million customers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["MIN_OWN_GAPS", "YEAR_DAYS", "Rhythm", "late_history", "order_rhythm"]

#: One year back, in days: "the same date last year".
YEAR_DAYS = 365
#: Customers behind their rhythm by at least this many cycles have their history read
#: (:func:`late_history`; the lifecycle's and churn's lateness gate, their lowest default).
LATE_CHECK_CYCLES = 1.5
#: Shortest tolerance (days) around last year's date: a season starts a few days earlier
#: or later from one year to the next.
MIN_SEASON_TOLERANCE_DAYS = 30.0

#: Gaps between purchase days a customer needs for their own rhythm to be used.
MIN_OWN_GAPS = 2

FloatArray = npt.NDArray[np.float64]


class Rhythm(dict[str, FloatArray]):
    """Per customer (arrays aligned with the summary): ``gap_days``, ``cycle_days``,
    ``overdue`` and ``own`` (1.0 where the customer's own rhythm is used, else 0.0); and
    ``book_cycle_days`` (one value repeated)."""


def order_rhythm(summary: pd.DataFrame, days_per_unit: float) -> Rhythm:
    """The rhythm of every customer of ``summary`` (see the module docstring); NaN where
    the summary lacks the columns."""
    n = len(summary)
    if not {"recency", "T"} <= set(summary.columns):
        nan = np.full(n, np.nan)
        return Rhythm(gap_days=nan, cycle_days=nan, overdue=nan, own=nan, book_cycle_days=nan)
    recency = summary["recency"].to_numpy(dtype=float, na_value=np.nan) * days_per_unit
    tenure = summary["T"].to_numpy(dtype=float, na_value=np.nan) * days_per_unit
    if "frequency" in summary.columns:
        gaps = summary["frequency"].to_numpy(dtype=float, na_value=np.nan)
    else:
        gaps = summary["purchase_days"].to_numpy(dtype=float, na_value=np.nan) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        own_cycle = np.where(gaps > 0, recency / np.where(gaps > 0, gaps, 1.0), np.nan)
    enough = (gaps >= MIN_OWN_GAPS) & (own_cycle > 0)
    book = float(np.median(own_cycle[enough])) if enough.any() else np.nan
    cycle = np.where(enough, own_cycle, np.where(gaps == 1, np.fmax(own_cycle, book), book))
    gap = tenure - recency
    with np.errstate(divide="ignore", invalid="ignore"):
        overdue = np.where(cycle > 0, gap / np.where(cycle > 0, cycle, 1.0), np.nan)
    return Rhythm(
        gap_days=gap,
        cycle_days=cycle,
        overdue=overdue,
        own=enough.astype(float),
        book_cycle_days=np.full(n, book),
    )


def late_history(
    table: pa.Table, summary: pd.DataFrame, days_per_unit: float
) -> dict[str, FloatArray]:
    """What the history of the customers late on their rhythm says about their silence.

    Aligned with the summary (``table`` holds the transactions, columns ``customer_id`` and
    ``timestamp``); only customers :data:`LATE_CHECK_CYCLES` of their cycles or more behind
    with their own rhythm, silent for less than a year, are read (a book of steady buyers
    costs nothing):

    - ``longest_gap_days``: the longest gap between two purchase days up to the last
      purchase (NaN for customers not read, or with one purchase day). A silence no longer
      than a pause the customer has taken and come back from is no evidence of leaving,
      however many *mean* gaps it spans (a buyer ordering in bursts).
    - ``seasonal_pause``: 1.0 for a customer whose history
      reaches back more than a year before their last purchase, who bought within one cycle
      (at least :data:`MIN_SEASON_TOLERANCE_DAYS`) of that date a year earlier and then
      bought nothing over the stretch matching today's silence: an off-season.
    """
    n = len(summary)
    pause, longest = np.zeros(n), np.full(n, np.nan)
    result = {"seasonal_pause": pause, "longest_gap_days": longest}
    if n == 0 or not {"recency", "T", "last_purchase"} <= set(summary.columns):
        return result
    rhythm = order_rhythm(summary, days_per_unit)
    gap, cycle = rhythm["gap_days"], rhythm["cycle_days"]
    # Silent for a year or more is the lifecycle's dormant rule, whatever the history; and a
    # customer without their own rhythm has no pauses to compare with.
    at = np.flatnonzero(
        (rhythm["overdue"] >= LATE_CHECK_CYCLES) & (gap < YEAR_DAYS) & (rhythm["own"] > 0)
    )
    if not at.size:
        return result
    days, owner = _purchase_days(table, summary.index[at])
    last = summary["last_purchase"].to_numpy(dtype="datetime64[D]").astype(np.int64)[at]
    kept = days <= last[owner]
    days, owner = days[kept], owner[kept]
    order = np.lexsort((days, owner))
    days_sorted, owner_sorted = days[order], owner[order]
    same = owner_sorted[1:] == owner_sorted[:-1]
    longest_at = np.full(at.size, np.nan)
    np.fmax.at(longest_at, owner_sorted[1:][same], np.diff(days_sorted)[same].astype(float))
    longest[at] = longest_at
    # Seasonal pause: the same date a year earlier, and the stretch after it.
    tolerance = np.fmax(np.nan_to_num(cycle), MIN_SEASON_TOLERANCE_DAYS)[at]
    history = (summary["T"].to_numpy(dtype=float) * days_per_unit - gap)[at]
    offset = days - (last[owner] - YEAR_DAYS)
    near = np.abs(offset) <= tolerance[owner]
    during = (offset > tolerance[owner]) & (offset <= gap[at][owner])
    bought_then = np.bincount(owner, weights=near, minlength=at.size) > 0
    silent_since = np.bincount(owner, weights=during, minlength=at.size) == 0
    possible = history >= YEAR_DAYS + tolerance
    pause[at] = (possible & bought_then & silent_since).astype(float)
    return result


def _purchase_days(
    table: pa.Table, customers: pd.Index
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """Day numbers (since 1970-01-01) of ``customers``' transactions, and for each the
    position of its customer in ``customers``."""
    column = table.column("customer_id")
    wanted = pa.array(customers.to_numpy(dtype=object), type=pa.string())
    if column.type != pa.string():
        wanted = wanted.cast(column.type)
    # One pass in Arrow: each row's position in ``customers`` (null for everybody else).
    position = pc.index_in(column, value_set=wanted)
    read = pc.is_valid(position)
    owner = np.asarray(pc.filter(position, read).to_numpy(zero_copy_only=False), dtype=np.intp)
    stamps = pc.filter(table.column("timestamp"), read)
    seconds = pc.cast(
        pc.cast(pc.floor_temporal(stamps, unit="second"), pa.timestamp("s")), pa.int64()
    )
    days = np.floor_divide(np.asarray(seconds.to_numpy(zero_copy_only=False)), 86_400)
    return days.astype(np.int64), owner
