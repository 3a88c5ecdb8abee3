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

All of it is vectorised over the summary's columns (``recency``, ``T``, ``frequency`` or
``purchase_days``), so it costs a few array operations for a million customers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["MIN_OWN_GAPS", "Rhythm", "order_rhythm"]

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
