"""AHP weights: Saaty's light-intensity example, consistency checks, refusal messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.ahp import RANDOM_INDEX, ahp_weights, comparison_matrix
from paretocrm.analytics.exceptions import ConfigurationError

# Saaty (1977, J. Math. Psych. 15, table 1; also Saaty 1980 section 2.2): relative
# brightness of four chairs at increasing distance from a light, as judged by an observer.
# Published: eigenvector (0.61, 0.24, 0.10, 0.05), lambda_max = 4.39, CI = 0.13.
LIGHT = np.array(
    [
        [1, 5, 6, 7],
        [1 / 5, 1, 4, 6],
        [1 / 6, 1 / 4, 1, 4],
        [1 / 7, 1 / 6, 1 / 4, 1],
    ]
)


def test_light_intensity_example_matches_saaty_published_figures() -> None:
    result = ahp_weights(LIGHT, ["c1", "c2", "c3", "c4"], max_consistency_ratio=1.0)
    np.testing.assert_allclose(result.weights.to_numpy(), [0.61, 0.24, 0.10, 0.05], atol=0.01)
    assert round(result.lambda_max, 2) == 4.39
    assert round(result.consistency_index, 2) == 0.13
    assert result.consistency_ratio == pytest.approx(result.consistency_index / 0.90)


def test_light_intensity_example_is_refused_at_the_usual_ten_percent_limit() -> None:
    # CR = 0.13 / 0.90 = 0.145 > 0.1: Saaty's own example is a little too inconsistent.
    with pytest.raises(ConfigurationError, match=r"consistency ratio 0\.14\d > 0\.10"):
        ahp_weights(LIGHT, ["c1", "c2", "c3", "c4"])


def test_consistent_matrix_returns_the_generating_weights_with_zero_ratio() -> None:
    true = np.array([0.4, 0.3, 0.2, 0.1])
    matrix = true[:, None] / true[None, :]
    result = ahp_weights(matrix, ["a", "b", "c", "d"], max_consistency_ratio=0.1)
    np.testing.assert_allclose(result.weights.to_numpy(), true, atol=1e-12)
    assert result.lambda_max == pytest.approx(4.0)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_inconsistent_judgements_are_refused_naming_the_conflicting_pair() -> None:
    # a > b > c strongly, but c is judged far more important than a: a preference cycle.
    judgements = {("a", "b"): 5.0, ("b", "c"): 5.0, ("c", "a"): 5.0}
    matrix = comparison_matrix(judgements, ["a", "b", "c"])
    with pytest.raises(ConfigurationError) as caught:
        ahp_weights(matrix)
    message = str(caught.value)
    assert "inconsistent" in message
    assert "a vs c judged 1/5" in message


def test_most_deviating_pair_is_listed_first() -> None:
    true = np.array([0.4, 0.3, 0.2, 0.1])
    matrix = true[:, None] / true[None, :]
    matrix[0, 3], matrix[3, 0] = 1 / 9, 9.0  # one judgement flipped hard
    with pytest.raises(ConfigurationError) as caught:
        ahp_weights(matrix, ["w", "x", "y", "z"])
    first = str(caught.value).split("Revise the judgements that conflict most: ")[1]
    assert first.startswith("w vs z judged 1/9")


def test_comparison_matrix_is_reciprocal_and_requires_every_pair() -> None:
    matrix = comparison_matrix({("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 2}, ["a", "b", "c"])
    assert isinstance(matrix, pd.DataFrame)
    assert matrix.loc["b", "a"] == pytest.approx(1 / 3)
    with pytest.raises(ConfigurationError, match=r"missing for pairs: \(b, c\)"):
        comparison_matrix({("a", "b"): 3, ("a", "c"): 5}, ["a", "b", "c"])


@pytest.mark.parametrize(
    ("judgements", "message"),
    [
        ({("a", "b"): 12}, "outside Saaty's scale"),
        ({("a", "x"): 3}, "unknown criterion 'x'"),
        ({("a", "a"): 1}, "compares a criterion with itself"),
    ],
)
def test_bad_judgements_are_refused_by_name(
    judgements: dict[tuple[str, str], float], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        comparison_matrix(judgements, ["a", "b"])


def test_non_reciprocal_matrix_is_refused() -> None:
    matrix = np.array([[1, 3], [3, 1]])
    with pytest.raises(ConfigurationError, match=r"not reciprocal: \(p, q\) = 3"):
        ahp_weights(matrix, ["p", "q"])


def test_random_index_table_is_saatys() -> None:
    assert [RANDOM_INDEX[n] for n in range(3, 11)] == [
        0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49
    ]  # fmt: skip
