"""Rating settings for the web pages: the criteria weights in force and live AHP checks.

A thin layer over ``paretocrm.analytics`` (only the insights app may import it): pages call
these functions and never touch the engine themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.conf import settings

from paretocrm.analytics.ahp import ahp_weights, comparison_matrix
from paretocrm.analytics.config import AnalysisConfig, config_from_dict, load_config
from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.health import checked_health_weights as engine_health_weights
from paretocrm.insights.health import SIGNAL_LABELS
from paretocrm.insights.labels import CRITERION_LABELS, label
from paretocrm.insights.models import HealthWeights, RatingWeights

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


def weights_in_force() -> RatingWeights | None:
    """The newest saved weights version, or None when none was saved from the pages."""
    return RatingWeights.objects.order_by("-saved_at", "-id").first()


def health_weights_in_force() -> HealthWeights | None:
    """The newest saved health weights version, or None when none was saved from the pages."""
    return HealthWeights.objects.order_by("-saved_at", "-id").first()


def scoring_config() -> tuple[AnalysisConfig, RatingWeights | None]:
    """The settings a scoring run uses, and the saved weights version it applies.

    Weights saved from the settings page (database, versioned) win over the weights and AHP
    judgements of the settings file, and so do saved health weights over the file's
    ``[health.weights]``; everything else comes from the file or the defaults.
    """
    config = current_config()
    health = health_weights_in_force()
    if health is not None:
        weights = {str(k): float(v) for k, v in health.weights.items()}
        config = replace(config, health=replace(config.health, weights=weights))
    version = weights_in_force()
    if version is None:
        return config, None
    weights = {str(k): float(v) for k, v in version.weights.items()}
    return replace(config, rating=replace(config.rating, weights=weights, ahp={})), version


def checked_weights(weights: Mapping[str, Any]) -> dict[str, float]:
    """``weights`` validated by the engine's own rules (known criteria, >= 0, not all 0).

    Raises ``ConfigurationError`` naming the offending criterion.
    """
    known = dict(criterion_choices())
    for code in weights:
        if code not in known:
            raise ConfigurationError(f"unknown rating criterion {code!r}")
    config = config_from_dict({"rating": {"weights": dict(weights)}}, source="weights")
    # The defaults' criteria stay in the merged table; keep only the ones given.
    return {code: float(config.rating.weights[code]) for code in weights}


@dataclass(frozen=True)
class WeightRow:
    """One criterion's weight as shown on the settings page."""

    code: str
    label: str
    weight: float
    share: float


def weight_rows(config: AnalysisConfig | None = None) -> list[WeightRow]:
    """The configured criteria weights with each one's share of the total."""
    weights = (config or scoring_config()[0]).rating.weights
    total = sum(weights.values()) or 1.0
    return [
        WeightRow(code, label(CRITERION_LABELS, code), float(w), float(w) / total)
        for code, w in sorted(weights.items(), key=lambda item: -item[1])
    ]


def used_weight_rows(used: Mapping[str, float]) -> list[WeightRow]:
    """The shares a score run applied (already normalised), largest first."""
    return [
        WeightRow(code, label(CRITERION_LABELS, code), float(w), float(w))
        for code, w in sorted(used.items(), key=lambda item: -item[1])
    ]


def checked_health_weights(weights: Mapping[str, Any]) -> dict[str, float]:
    """``weights`` validated by the engine's rules (known signals, >= 0, not all 0).

    Raises ``ConfigurationError`` naming the offending signal.
    """
    return engine_health_weights(weights)


def health_signal_choices() -> list[tuple[str, str]]:
    """Every health signal the engine knows, with its translated label."""
    return [(code, str(text)) for code, text in SIGNAL_LABELS.items()]


def criterion_choices() -> list[tuple[str, str]]:
    """Every rating criterion the engine knows, with its translated label."""
    return [(code, str(text)) for code, text in CRITERION_LABELS.items()]


@dataclass(frozen=True)
class AHPEvaluation:
    """Weights and consistency of a set of pairwise judgements."""

    weights: list[tuple[str, float]] = field(default_factory=list)
    weights_by_code: list[tuple[str, float]] = field(default_factory=list)
    consistency_ratio: float | None = None
    acceptable: bool = False
    error: str = ""
    #: Labels of the criteria left out of the comparison: saving gives them weight 0.
    left_out: list[str] = field(default_factory=list)


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
    by_code = [(str(k), float(v)) for k, v in result.weights.items()]
    weights = [(label(CRITERION_LABELS, code), value) for code, value in by_code]
    return AHPEvaluation(
        weights=sorted(weights, key=lambda item: -item[1]),
        weights_by_code=by_code,
        consistency_ratio=ratio,
        acceptable=ratio <= MAX_CONSISTENCY_RATIO,
        left_out=[name for code, name in criterion_choices() if code not in criteria],
    )
