"""Criterion weights from pairwise comparisons: the analytic hierarchy process (层次分析法).

Saaty, T. L. (1977), "A scaling method for priorities in hierarchical structures",
*Journal of Mathematical Psychology* 15(3), 234-281; Saaty, T. L. (1980), *The Analytic
Hierarchy Process*, McGraw-Hill.

A judge compares every pair of criteria on Saaty's 1-9 scale (1 equal, 3 moderate, 5 strong,
7 very strong, 9 extreme importance; reciprocals for the reverse). The weights are the
principal (Perron) eigenvector of the positive reciprocal matrix, normalised to sum to 1.
Consistency: ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` with Saaty's random
index ``RI``; a ratio above 0.1 means the judgements contradict each other too much to be
used, and :func:`ahp_weights` refuses them naming the judgements that conflict most (those
whose entry is furthest, on a log scale, from the ratio ``w_i / w_j`` the weights imply).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "ahp_weights",
    "comparison_matrix",
]

# Saaty's random consistency index: mean CI of random reciprocal matrices of order n.
# n <= 10 from Saaty (1980, Table 1.3); n = 11..15 from the extension Saaty reproduces in
# "Fundamentals of Decision Making and Priority Theory" (2000).
RANDOM_INDEX: Mapping[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}

SCALE_MIN = 1.0 / 9.0
SCALE_MAX = 9.0
_RECIPROCAL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class AHPResult:
    """Weights derived from a pairwise comparison matrix, with its consistency figures."""

    weights: pd.Series
    """Principal-eigenvector weights indexed by criterion, summing to 1."""
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    matrix: pd.DataFrame
    """The (completed, reciprocal) comparison matrix the weights came from."""

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly summary (weights, lambda_max, CI, CR)."""
        return {
            "weights": {str(k): float(v) for k, v in self.weights.items()},
            "lambda_max": self.lambda_max,
            "consistency_index": self.consistency_index,
            "consistency_ratio": self.consistency_ratio,
        }


def comparison_matrix(
    judgements: Mapping[tuple[str, str], float], criteria: Sequence[str]
) -> pd.DataFrame:
    """Build the full reciprocal matrix from judgements ``{(a, b): how much a beats b}``.

    Each unordered pair must be judged exactly once (the reverse entry is its reciprocal);
    a value of 3 for ``("revenue", "credit")`` means revenue is moderately more important.
    """
    names = list(criteria)
    position = {name: i for i, name in enumerate(names)}
    if len(position) != len(names):
        raise ConfigurationError(f"AHP criteria contain duplicates: {names}")
    matrix = np.ones((len(names), len(names)))
    seen: set[frozenset[str]] = set()
    for (left, right), value in judgements.items():
        for name in (left, right):
            if name not in position:
                raise ConfigurationError(
                    f"AHP judgement ({left!r}, {right!r}) names unknown criterion {name!r}; "
                    f"known: {', '.join(names)}"
                )
        pair = frozenset((left, right))
        if left == right or pair in seen:
            raise ConfigurationError(
                f"AHP judgement ({left!r}, {right!r}) is repeated or compares a criterion "
                "with itself"
            )
        seen.add(pair)
        _check_scale(float(value), f"({left}, {right})")
        matrix[position[left], position[right]] = float(value)
        matrix[position[right], position[left]] = 1.0 / float(value)
    missing = [
        f"({a}, {b})"
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if frozenset((a, b)) not in seen
    ]
    if missing:
        raise ConfigurationError(f"AHP judgements missing for pairs: {', '.join(missing)}")
    return pd.DataFrame(matrix, index=names, columns=names)


def ahp_weights(
    matrix: pd.DataFrame | npt.ArrayLike,
    criteria: Sequence[str] | None = None,
    *,
    max_consistency_ratio: float = 0.1,
    report_pairs: int = 3,
) -> AHPResult:
    """Derive weights from a pairwise comparison matrix and check its consistency.

    ``matrix`` is a DataFrame (criteria as index and columns) or a square array with
    ``criteria`` naming its rows. Raises :class:`ConfigurationError` when the matrix is not a
    positive reciprocal matrix on Saaty's scale, or when its consistency ratio exceeds
    ``max_consistency_ratio``; the message names the ``report_pairs`` most conflicting
    judgements.
    """
    frame = _as_frame(matrix, criteria)
    values = frame.to_numpy(dtype=float)
    _check_reciprocal(values, list(frame.index))
    n = values.shape[0]
    weights, lambda_max = _principal_eigenvector(values)
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    ci = max(ci, 0.0)  # rounding can give -1e-16 for a consistent matrix
    cr = ci / _random_index(n) if n > 2 else 0.0
    if cr > max_consistency_ratio:
        pairs = _most_inconsistent(values, weights, list(frame.index), report_pairs)
        raise ConfigurationError(
            f"AHP judgements are inconsistent: consistency ratio {cr:.3f} > "
            f"{max_consistency_ratio:.2f}. Revise the judgements that conflict most: {pairs}"
        )
    return AHPResult(
        weights=pd.Series(weights, index=frame.index, name="weight"),
        lambda_max=lambda_max,
        consistency_index=ci,
        consistency_ratio=cr,
        matrix=frame,
    )


def _as_frame(matrix: pd.DataFrame | npt.ArrayLike, criteria: Sequence[str] | None) -> pd.DataFrame:
    if isinstance(matrix, pd.DataFrame):
        if list(matrix.index) != list(matrix.columns):
            raise ConfigurationError("AHP matrix must have the same criteria as rows and columns")
        return matrix.astype(float)
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise ConfigurationError(f"AHP matrix must be square, got shape {values.shape}")
    names = list(criteria) if criteria is not None else [f"c{i + 1}" for i in range(len(values))]
    if len(names) != len(values):
        raise ConfigurationError(
            f"AHP matrix has {len(values)} rows but {len(names)} criteria were named"
        )
    return pd.DataFrame(values, index=names, columns=names)


def _check_scale(value: float, where: str) -> None:
    if not math.isfinite(value) or not SCALE_MIN - 1e-9 <= value <= SCALE_MAX + 1e-9:
        raise ConfigurationError(
            f"AHP judgement {where} = {value} is outside Saaty's scale 1/9 .. 9"
        )


def _check_reciprocal(values: npt.NDArray[np.float64], names: list[str]) -> None:
    n = len(names)
    for i in range(n):
        if abs(values[i, i] - 1.0) > _RECIPROCAL_TOLERANCE:
            raise ConfigurationError(f"AHP matrix diagonal ({names[i]}, {names[i]}) must be 1")
        for j in range(i + 1, n):
            _check_scale(values[i, j], f"({names[i]}, {names[j]})")
            if abs(values[i, j] * values[j, i] - 1.0) > 1e-3:
                raise ConfigurationError(
                    f"AHP matrix is not reciprocal: ({names[i]}, {names[j]}) = {values[i, j]:g} "
                    f"but ({names[j]}, {names[i]}) = {values[j, i]:g}; expected "
                    f"{1.0 / values[i, j]:g}"
                )


def _principal_eigenvector(
    values: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], float]:
    eigenvalues, eigenvectors = np.linalg.eig(values)
    index = int(np.argmax(eigenvalues.real))
    # Perron-Frobenius: the principal eigenvector of a positive matrix has one sign.
    vector = np.abs(eigenvectors[:, index].real)
    return vector / vector.sum(), float(eigenvalues[index].real)


def _random_index(n: int) -> float:
    if n in RANDOM_INDEX:
        return RANDOM_INDEX[n]
    raise ConfigurationError(
        f"AHP supports at most {max(RANDOM_INDEX)} criteria (Saaty's random index table); got {n}"
    )


def _most_inconsistent(
    values: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], names: list[str], top: int
) -> str:
    implied = weights[:, None] / weights[None, :]
    deviation = np.abs(np.log(values / implied))
    rows, cols = np.triu_indices(len(names), k=1)
    order = np.argsort(-deviation[rows, cols], kind="stable")[:top]
    return "; ".join(
        f"{names[rows[k]]} vs {names[cols[k]]} judged {_fmt(values[rows[k], cols[k]])} "
        f"but the weights imply {implied[rows[k], cols[k]]:.2f}"
        for k in order
    )


def _fmt(value: float) -> str:
    return f"1/{1.0 / value:.0f}" if value < 1 else f"{value:g}"
