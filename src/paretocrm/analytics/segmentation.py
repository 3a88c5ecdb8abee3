"""Behavioural segmentation: k-means on standardised log RFM and value features.

Features per customer (all ``log1p``, so a few very large customers do not pull every
centre; signed ``log1p(|x|)`` for value columns that may be negative):

* ``since_last`` - time since the last purchase (``T - recency``);
* ``frequency`` - repeat purchase days;
* ``spend`` - revenue per purchase day;
* ``revenue`` - total revenue;
* any extra value columns passed in (net profit, CLV...).

Each feature is standardised (zero mean, unit variance). The number of segments ``k`` is
chosen by the mean silhouette over ``k_range`` (default 2..8); both the search and the
silhouette run on a seeded random sample (default 5,000 customers), so choosing ``k`` costs
the same for ten thousand or a million customers. The final k-means runs once on every
customer, started from the centres found on the sample.

Segments are numbered by mean revenue, 0 = highest, and get a readable label from where
their centre sits on value, activity and frequency (e.g. "High value, active, frequent").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.pareto import finite_values
from paretocrm.analytics.value import require_columns

FloatArray = npt.NDArray[np.float64]

#: Rows used for each silhouette score (the silhouette costs rows squared).
_SILHOUETTE_ROWS = 3_000

#: Standardised centre above +0.5 is "high", below -0.5 is "low".
_LEVEL = 0.5

_ZH_WORDS: dict[str, str] = {
    "High value": "高价值",
    "Mid value": "中等价值",
    "Low value": "低价值",
    "active": "活跃",
    "steady": "稳定",
    "lapsing": "沉寂",
    "frequent": "高频",
    "occasional": "低频",
}


@dataclass(frozen=True)
class Segmentation:
    """Result of :func:`segment_customers`.

    Attributes:
        labels: segment number per customer (0 = highest mean revenue), named ``segment``.
        names: readable segment name per customer, named ``segment_name``.
        profiles: one row per segment: ``name``, ``name_zh``, ``customers``,
            ``customer_share``, ``revenue``, ``revenue_share``, ``mean_revenue``,
            ``mean_frequency``, ``mean_since_last``, ``mean_spend`` and the mean of each
            extra value column.
        k: the chosen number of segments.
        silhouette: mean silhouette per tried ``k`` (on the sample); empty if too few
            customers to try any.
        features: names of the clustering features.
        centres: segment centres in standardised feature space (rows = segments).
    """

    labels: pd.Series
    names: pd.Series
    profiles: pd.DataFrame
    k: int
    silhouette: pd.Series
    features: tuple[str, ...]
    centres: pd.DataFrame


def feature_matrix(summary: pd.DataFrame, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """The raw (un-logged) clustering features per customer, aligned to ``summary``."""
    require_columns(summary, ("frequency", "recency", "T", "revenue"), what="customer summary")
    frequency = finite_values(summary["frequency"], name="frequency")
    revenue = finite_values(summary["revenue"], name="revenue")
    since_last = finite_values(summary["T"], name="T") - finite_values(
        summary["recency"], name="recency"
    )
    features = pd.DataFrame(
        {
            "since_last": np.clip(since_last, 0.0, None),
            "frequency": frequency,
            "spend": revenue / (frequency + 1.0),
            "revenue": revenue,
        },
        index=summary.index,
    )
    if extra is not None:
        missing = summary.index.difference(extra.index)
        if missing.size:
            raise DataContractError(
                f"extra segmentation features: no row for {missing.size} customer(s), "
                f"first: {list(missing[:5])}"
            )
        for column in extra.columns:
            if column in features.columns:
                raise ConfigurationError(f"extra feature {column!r} clashes with a base feature")
            aligned = extra[column].reindex(summary.index)
            features[str(column)] = finite_values(aligned, name=str(column))
    return features


def _standardise(features: pd.DataFrame) -> FloatArray:
    """Signed log1p of every feature, then zero mean and unit variance (constant -> 0)."""
    raw = features.to_numpy(dtype=np.float64)
    # In place on one array: in a fresh process each new customers x features temporary
    # costs more in page faults than its arithmetic.
    scaled: FloatArray = np.abs(raw)
    np.log1p(scaled, out=scaled)
    np.copysign(scaled, raw, out=scaled)
    mean = scaled.mean(axis=0)
    std = scaled.std(axis=0)
    scaled -= mean
    scaled /= np.where(std > 0, std, 1.0)
    return scaled


def _choose_k(
    sample: FloatArray, k_range: tuple[int, int], seed: int
) -> tuple[int, FloatArray | None, pd.Series]:
    """Pick k by silhouette on the sample; return k, its centres and the score per k."""
    distinct = np.unique(sample, axis=0).shape[0]
    k_max = min(k_range[1], distinct, sample.shape[0] - 1)
    scores: dict[int, float] = {}
    best: tuple[float, int, FloatArray | None] = (-np.inf, 1, None)
    for k in range(k_range[0], k_max + 1):
        model = KMeans(n_clusters=k, n_init=2, max_iter=100, random_state=seed).fit(sample)
        if len(np.unique(model.labels_)) < 2:
            continue
        # Silhouette is quadratic in the rows; a sub-sample keeps it to milliseconds.
        score = float(
            silhouette_score(
                sample,
                model.labels_,
                sample_size=min(_SILHOUETTE_ROWS, sample.shape[0]),
                random_state=seed,
            )
        )
        scores[k] = score
        if score > best[0]:
            best = (score, k, np.asarray(model.cluster_centers_, dtype=np.float64))
    silhouette = pd.Series(scores, name="silhouette", dtype=float).rename_axis("k")
    return best[1], best[2], silhouette


def _label(centre: Mapping[str, float]) -> str:
    """Readable name from where a standardised centre sits on value, activity, frequency."""
    value = centre["revenue"]
    level = "High value" if value > _LEVEL else "Low value" if value < -_LEVEL else "Mid value"
    gap = centre["since_last"]
    activity = "active" if gap < -_LEVEL else "lapsing" if gap > _LEVEL else "steady"
    parts = [level, activity]
    if centre["frequency"] > _LEVEL:
        parts.append("frequent")
    elif centre["frequency"] < -_LEVEL:
        parts.append("occasional")
    return ", ".join(parts)


def _label_zh(label: str) -> str:
    """The simplified-Chinese form of a :func:`_label` name."""
    words = label.split(" #")[0].split(", ")
    suffix = label[len(label.split(" #")[0]) :]
    return "·".join(_ZH_WORDS[word] for word in words) + suffix


def _unique_labels(labels: list[str]) -> list[str]:
    """Number repeated labels ("Low value, lapsing #2") so each segment is distinct."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return unique


def _profiles(features: pd.DataFrame, labels: npt.NDArray[np.int64]) -> pd.DataFrame:
    """Size, value and behaviour per segment."""
    grouped = features.groupby(labels)
    profile = pd.DataFrame(
        {
            "customers": grouped.size(),
            "revenue": grouped["revenue"].sum(),
        }
    )
    profile["customer_share"] = profile["customers"] / len(features)
    total = features["revenue"].sum()
    profile["revenue_share"] = profile["revenue"] / total if total > 0 else np.nan
    means = grouped.mean().add_prefix("mean_")
    return profile.join(means).rename_axis("segment")


def segment_customers(
    summary: pd.DataFrame,
    extra: pd.DataFrame | None = None,
    *,
    k_range: tuple[int, int] = (2, 8),
    seed: int = 0,
    sample_size: int = 5_000,
) -> Segmentation:
    """Cluster customers into behavioural segments (see the module docstring).

    Args:
        summary: per-customer summary (``frequency``, ``recency``, ``T``, ``revenue``).
        extra: optional extra value features indexed by customer (e.g. net profit, CLV).
        k_range: smallest and largest number of segments to try.
        seed: random seed for sampling and k-means, so results repeat exactly.
        sample_size: customers used to choose k.

    Returns:
        :class:`Segmentation`. With fewer than three distinct customers there is nothing to
        separate and everyone is in segment 0 (``k == 1``).
    """
    if not 2 <= k_range[0] <= k_range[1]:
        raise ConfigurationError(
            f"k_range must be (low, high) with 2 <= low <= high, got {k_range}"
        )
    if sample_size < 10:
        raise ConfigurationError(f"sample_size must be at least 10, got {sample_size}")
    features = feature_matrix(summary, extra)
    if features.empty:
        raise DataContractError("customer summary has no customers to segment")
    matrix = _standardise(features)
    rng = np.random.default_rng(seed)
    sample_rows = (
        rng.choice(matrix.shape[0], size=sample_size, replace=False)
        if matrix.shape[0] > sample_size
        else np.arange(matrix.shape[0])
    )
    # One OpenMP/BLAS thread: k-means on a few features is memory-bound, and on a shared
    # 2-core machine extra threads cost more than they bring (1M customers: 0.9 s with one
    # thread, 1.2-1.5 s with two; same labels).
    with threadpool_limits(limits=1):
        k, centres, silhouette = _choose_k(matrix[sample_rows], k_range, seed)
        if centres is None:
            labels = np.zeros(matrix.shape[0], dtype=np.int64)
            k = 1
        else:
            final = KMeans(n_clusters=k, init=centres, n_init=1, random_state=seed).fit(matrix)
            labels = np.asarray(final.labels_, dtype=np.int64)
    return _assemble(features, matrix, labels, k, silhouette)


def _assemble(
    features: pd.DataFrame,
    matrix: FloatArray,
    labels: npt.NDArray[np.int64],
    k: int,
    silhouette: pd.Series,
) -> Segmentation:
    """Renumber segments by mean revenue, name them and build the profiles."""
    mean_revenue = np.bincount(labels, weights=features["revenue"].to_numpy(), minlength=k)
    counts = np.bincount(labels, minlength=k)
    # Highest mean revenue first; ties by old number, so the numbering is deterministic.
    order = np.lexsort((np.arange(k), -(mean_revenue / np.maximum(counts, 1))))
    renumber = np.empty(k, dtype=np.int64)
    renumber[order] = np.arange(k)
    labels = renumber[labels]
    centre_table = pd.DataFrame(matrix, columns=features.columns).groupby(labels).mean()
    names = _unique_labels(
        [
            _label({str(key): float(x) for key, x in row.items()})
            for _, row in centre_table.iterrows()
        ]
    )
    profiles = _profiles(features, labels)
    profiles.insert(0, "name", names)
    profiles.insert(1, "name_zh", [_label_zh(name) for name in names])
    label_series = pd.Series(labels, index=features.index, name="segment")
    return Segmentation(
        labels=label_series,
        names=label_series.map(dict(enumerate(names))).rename("segment_name"),
        profiles=profiles,
        k=k,
        silhouette=silhouette,
        features=tuple(features.columns),
        centres=centre_table.rename_axis("segment"),
    )
