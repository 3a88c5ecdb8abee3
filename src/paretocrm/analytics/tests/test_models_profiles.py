"""Distinct profiles (the compression the fits run on) and the sample warm start of big fits."""

from __future__ import annotations

import numpy as np
import pytest

from paretocrm.analytics.models import base, profiles
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.profiles import compress, distinct_values
from paretocrm.analytics.tests.test_models_bgnbd import simulate_bgnbd


def _rows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat-purchase-like rows with many repeated (x, t_x, T) triples."""
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.0, n).astype(float)
    t_cal = rng.integers(1, 60, n) / 7.0
    t_x = np.where(x > 0, np.floor(rng.random(n) * t_cal * 7) / 7.0, 0.0)
    return x, t_x, t_cal


def test_distinct_values_are_those_of_np_unique() -> None:
    values = np.array([3.5, -1.0, 3.5, 0.0, 2.0, -1.0, 1e300, 0.0])
    found, positions = distinct_values(values)
    expected, inverse = np.unique(values, return_inverse=True)
    assert found.tolist() == expected.tolist()
    assert positions.tolist() == inverse.tolist()


@pytest.mark.parametrize("weighted", [False, True])
def test_compress_matches_a_group_by_of_the_rows(weighted: bool) -> None:
    columns = _rows(5_000, seed=3)
    weights = np.random.default_rng(4).integers(0, 4, 5_000).astype(float) if weighted else None
    data, summed = compress(columns, weights)
    expected_data, expected_weights = profiles._compress_by_group(columns, weights)
    for column, expected in zip(data, expected_data, strict=True):
        assert column.tolist() == expected.tolist()
    assert summed.tolist() == expected_weights.tolist()
    # Sorted distinct rows, zero-weight rows dropped, every customer counted once.
    keys = list(zip(*data, strict=True))
    assert keys == sorted(set(keys))
    assert (summed > 0).all()
    assert summed.sum() == (len(columns[0]) if weights is None else weights.sum())


def test_compress_falls_back_to_a_group_by_when_codes_do_not_fit_one_integer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    columns = _rows(2_000, seed=5)
    fast = compress(columns, None)
    monkeypatch.setattr(profiles, "MAX_COMBINED_KEY", 10)
    slow = compress(columns, None)
    for a, b in zip((*fast[0], fast[1]), (*slow[0], slow[1]), strict=True):
        assert a.tolist() == b.tolist()


def test_compress_of_no_rows_is_empty() -> None:
    data, summed = compress((np.zeros(0), np.zeros(0)), None)
    assert [c.size for c in data] == [0, 0]
    assert summed.size == 0


def test_a_warm_started_fit_reaches_the_same_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    truth = {"r": 0.8, "alpha": 5.0, "a": 0.6, "b": 2.5}
    x, t_x, t_cal = simulate_bgnbd(20_000, **truth, horizon=52.0, seed=7)
    cold = BGNBDModel().fit(x, t_x, t_cal)
    monkeypatch.setattr(base, "WARM_START_MIN_ROWS", 1_000)
    monkeypatch.setattr(base, "WARM_START_SAMPLE_ROWS", 2_000)
    model = BGNBDModel()
    warm_start = model._warm_start(*compress((x, t_x, t_cal), None))
    assert warm_start is not None and warm_start[1] is not None  # sample fit and curvature
    warm = model.fit(x, t_x, t_cal)
    assert warm.log_likelihood_ == pytest.approx(cold.log_likelihood_, rel=1e-12)
    for name in BGNBDModel.param_names:
        assert warm.params_[name] == pytest.approx(cold.params_[name], rel=1e-5)
        assert warm.standard_errors_[name] == pytest.approx(cold.standard_errors_[name], rel=1e-3)
