"""Distinct profiles: the compression the model fits run on (see :mod:`.base`).

A million customers have far fewer distinct ``(x, t_x, T)`` (or ``(x, m)``) rows, and every
special function of a likelihood depends on one column only; these helpers find the distinct
rows and values with hash factorisations and integer sorts, which cost a fraction of a
multi-column group-by or of ``np.unique`` on every element.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

#: :func:`compress` combines the columns' codes into one int64 while the product of their
#: numbers of distinct values stays below this; beyond it, it falls back to a group-by.
MAX_COMBINED_KEY = 2**62


def distinct_values(values: FloatArray) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """``np.unique(values, return_inverse=True)`` by hashing: the sorted distinct values and,
    per element, the position of its value among them.

    A hash factorisation sorts only the distinct values (a few hundred to a few hundred
    thousand), where ``np.unique`` sorts every element; the output is the same.
    """
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques, dtype=np.float64), np.asarray(codes, dtype=np.intp)


def compress(
    columns: Sequence[FloatArray], weights: FloatArray | None
) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """Collapse identical rows of ``columns`` into distinct rows with summed weights.

    Each column is factorised on its own (:func:`distinct_values`, sorted codes), the codes
    are combined into one integer per row (mixed radix, so integer order is the rows'
    lexicographic order) and the distinct integers found by sorting them - several times
    cheaper than a group-by on several float columns. Distinct rows come out sorted, so the
    result does not depend on the input order. Rows of zero total weight are dropped.
    """
    n = columns[0].shape[0]
    uniques: list[FloatArray] = []
    key = np.zeros(n, dtype=np.int64)
    radix = 1
    for column in columns:
        values, codes = distinct_values(column)
        radix *= max(values.shape[0], 1)
        if radix > MAX_COMBINED_KEY:
            return _compress_by_group(columns, weights)
        key *= values.shape[0]
        key += codes
        uniques.append(values)
    row_keys, summed = _sum_by_key(key, weights)
    keep = summed > 0
    if not keep.all():
        row_keys, summed = row_keys[keep], summed[keep]
    data: list[FloatArray] = []
    for values in reversed(uniques):
        data.append(values[row_keys % values.shape[0]])
        row_keys = row_keys // values.shape[0]
    return tuple(reversed(data)), summed


def _sum_by_key(
    key: npt.NDArray[np.int64], weights: FloatArray | None
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Distinct keys (sorted) and the summed weight of each (the count without weights).

    Sorting the integers and cutting the runs beats hashing a million distinct-ish keys;
    without weights the sorted keys alone give the counts. The stable order keeps each
    run's weights in row order.
    """
    if key.shape[0] == 0:
        return key, np.zeros(0)
    if weights is None:
        ordered = np.sort(key)
    else:
        order = np.argsort(key, kind="stable")
        ordered = key[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    if weights is None:
        summed = np.diff(np.r_[starts, ordered.shape[0]]).astype(np.float64)
    else:
        summed = np.add.reduceat(weights[order], starts)
    return ordered[starts], np.asarray(summed, dtype=np.float64)


def _compress_by_group(
    columns: Sequence[FloatArray], weights: FloatArray | None
) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """:func:`compress` by a pandas group-by, for columns too varied to combine into one
    64-bit integer."""
    names = [f"c{j}" for j in range(len(columns))]
    frame = pd.DataFrame(dict(zip(names, columns, strict=True)))
    frame["weight"] = np.ones(frame.shape[0]) if weights is None else weights
    grouped = frame.groupby(names, sort=True)["weight"].sum()
    grouped = grouped[grouped.to_numpy() > 0]
    index = grouped.index
    if isinstance(index, pd.MultiIndex):
        data = tuple(
            np.asarray(index.get_level_values(j), dtype=np.float64) for j in range(len(names))
        )
    else:
        data = (np.asarray(index, dtype=np.float64),)
    return data, np.asarray(grouped.to_numpy(), dtype=np.float64)
