"""Rating settings for the web pages: the criteria weights in force and live AHP checks.

A thin layer over ``paretocrm.analytics`` (only the insights app may import it): pages call
these functions and never touch the engine themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from paretocrm.analytics.ahp import ahp_weights, comparison_matrix
from paretocrm.analytics.config import AnalysisConfig, load_config
from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.insights.labels import CRITERION_LABELS, label

#: Criteria offered in the pairwise comparison form unless the user picks others.
DEFAULT_AHP_CRITERIA: tuple[str, ...] = (
    "profit_contribution",
    "revenue",
    "purchase_frequency",
    "credit",
    "growth_potential",
)
#: Saaty's scale as offered in the form: value -> how it reads.
SAATY_SCALE: tuple[float, ...] = (1 / 9, 1 / 7, 1 / 5, 1 / 3, 1.0, 3.0, 5.0, 7.0, 9.0)
MAX_CONSISTENCY_RATIO = 0.10


def config_path() -> Path:
    """Where an administrator's analysis settings override would live."""
    return Path(settings.DATA_DIR) / "analysis.toml"


def current_config() -> AnalysisConfig:
    """The analysis settings: the override file when present, else the shipped defaults."""
    path = config_path()
    return load_config(path if path.is_file() else None)


@dataclass(frozen=True)
class WeightRow:
    """One criterion's weight as shown on the settings page."""

    code: str
    label: str
    weight: float
    share: float


def weight_rows(config: AnalysisConfig | None = None) -> list[WeightRow]:
    """The configured criteria weights with each one's share of the total."""
    weights = (config or current_config()).rating.weights
    total = sum(weights.values()) or 1.0
    return [
        WeightRow(code, label(CRITERION_LABELS, code), float(w), float(w) / total)
        for code, w in sorted(weights.items(), key=lambda item: -item[1])
    ]


def criterion_choices() -> list[tuple[str, str]]:
    """Every rating criterion the engine knows, with its translated label."""
    return [(code, str(text)) for code, text in CRITERION_LABELS.items()]


@dataclass(frozen=True)
class AHPEvaluation:
    """Weights and consistency of a set of pairwise judgements."""

    weights: list[tuple[str, float]] = field(default_factory=list)
    consistency_ratio: float | None = None
    acceptable: bool = False
    error: str = ""


def evaluate(judgements: Mapping[tuple[str, str], float], criteria: Sequence[str]) -> AHPEvaluation:
    """Weights and consistency ratio for ``judgements`` over ``criteria``.

    The ratio is computed even when it is too high (the form shows it live, in red), so the
    engine's own limit is lifted here and applied afterwards.
    """
    try:
        matrix = comparison_matrix(judgements, list(criteria))
        result = ahp_weights(matrix, max_consistency_ratio=float("inf"))
    except ConfigurationError as error:
        return AHPEvaluation(error=str(error))
    ratio = float(result.consistency_ratio)
    weights = [(label(CRITERION_LABELS, str(k)), float(v)) for k, v in result.weights.items()]
    return AHPEvaluation(
        weights=sorted(weights, key=lambda item: -item[1]),
        consistency_ratio=ratio,
        acceptable=ratio <= MAX_CONSISTENCY_RATIO,
    )
