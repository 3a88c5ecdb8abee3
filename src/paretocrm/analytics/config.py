"""Settings of the analysis, read from a readable TOML file with documented defaults.

The defaults live in ``defaults.toml`` next to this module (shipped with the package). A
user file holds only the keys to change; it is merged over the defaults and validated:
unknown sections or keys, values of the wrong type and out-of-range values are refused with a
:class:`ConfigurationError` naming the file and the key (``[tiers] core_current``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from paretocrm.analytics.churn import ChurnRules
from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.health import HealthRules
from paretocrm.analytics.intervals import IntervalSettings
from paretocrm.analytics.lifecycle import LifecycleRules
from paretocrm.analytics.rating import CRITERIA
from paretocrm.analytics.tiers import TierRules

__all__ = [
    "AnalysisConfig",
    "IntervalSettings",
    "ModelSettings",
    "RatingSettings",
    "SummarySettings",
    "ValueSettings",
    "config_from_dict",
    "default_config",
    "load_config",
]

_T = TypeVar("_T")
_CRITERIA = {criterion.name for criterion in CRITERIA}


@dataclass(frozen=True)
class SummarySettings:
    """Time unit and trend window of the per-customer summary."""

    unit: str = "W"
    trend_window_days: int = 182

    def __post_init__(self) -> None:
        if self.unit not in ("W", "D"):
            raise ConfigurationError(f"unit must be 'W' or 'D', got {self.unit!r}")
        if self.trend_window_days < 1:
            raise ConfigurationError("trend_window_days must be >= 1")


PURCHASE_MODELS = ("auto", "bgnbd", "mbgnbd", "paretonbd")


@dataclass(frozen=True)
class ModelSettings:
    """Which models to fit and how."""

    penalizer_coef: float = 0.0
    pareto_nbd: bool = False
    pareto_nbd_max_customers: int = 200_000
    #: "auto" (chosen by a time split of the book's history, paretocrm.analytics.selection)
    #: or one of "bgnbd", "mbgnbd", "paretonbd".
    purchase_model: str = "auto"

    def __post_init__(self) -> None:
        if self.penalizer_coef < 0:
            raise ConfigurationError("penalizer_coef must be >= 0")
        if self.purchase_model not in PURCHASE_MODELS:
            raise ConfigurationError(
                f"purchase_model must be one of {', '.join(PURCHASE_MODELS)}, "
                f"got {self.purchase_model!r}"
            )
        if self.pareto_nbd_max_customers < 0:
            raise ConfigurationError("pareto_nbd_max_customers must be >= 0")


@dataclass(frozen=True)
class ValueSettings:
    """CLV horizon and discounting, margins, cost-to-serve and ABC cut-offs."""

    horizon_months: int = 12
    discount_rate: float = 0.10
    default_margin: float = 0.30
    per_case: float = 50.0
    per_interaction: float = 10.0
    per_order: float = 5.0
    include_service_cost: bool = True
    abc_a: float = 0.80
    abc_b: float = 0.95

    def __post_init__(self) -> None:
        if self.horizon_months < 1:
            raise ConfigurationError("horizon_months must be >= 1")
        if not 0 <= self.discount_rate < 1:
            raise ConfigurationError("discount_rate must be in [0, 1) (annual rate)")
        if not -1 <= self.default_margin <= 1:
            raise ConfigurationError("default_margin must be in [-1, 1]")
        for name in ("per_case", "per_interaction", "per_order"):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"{name} must be >= 0")
        if not 0 < self.abc_a < self.abc_b <= 1:
            raise ConfigurationError("ABC cut-offs must satisfy 0 < abc_a < abc_b <= 1")


@dataclass(frozen=True)
class RatingSettings:
    """Rating weights, or AHP judgements that replace them when present."""

    weights: Mapping[str, float] = field(default_factory=dict)
    ahp: Mapping[tuple[str, str], float] = field(default_factory=dict)
    max_consistency_ratio: float = 0.10

    @property
    def uses_ahp(self) -> bool:
        """True when the weights are to be derived from the AHP judgements."""
        return bool(self.ahp)


@dataclass(frozen=True)
class AnalysisConfig:
    """Every setting of the analysis (see ``defaults.toml`` for what each one means)."""

    summary: SummarySettings = field(default_factory=SummarySettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    value: ValueSettings = field(default_factory=ValueSettings)
    rating: RatingSettings = field(default_factory=RatingSettings)
    lifecycle: LifecycleRules = field(default_factory=LifecycleRules)
    tiers: TierRules = field(default_factory=TierRules)
    churn: ChurnRules = field(default_factory=ChurnRules)
    intervals: IntervalSettings = field(default_factory=IntervalSettings)
    health: HealthRules = field(default_factory=HealthRules)
    backtest_top_share: float = 0.2
    segmentation_k: tuple[int, int] = (2, 8)
    segmentation_seed: int = 42
    report_top: int = 20
    source: str = "defaults"


def _defaults_text() -> str:
    return resources.files("paretocrm.analytics").joinpath("defaults.toml").read_text("utf-8")


def default_config() -> AnalysisConfig:
    """The shipped defaults."""
    return _build(tomllib.loads(_defaults_text()), "defaults")


def load_config(path: str | Path | None = None) -> AnalysisConfig:
    """Read ``path`` (TOML) over the defaults; ``None`` gives the defaults."""
    if path is None:
        return default_config()
    file = Path(path)
    try:
        user = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{file}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"{file}: cannot read the configuration file: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: not valid TOML: {error}") from None
    return config_from_dict(user, source=str(file))


def config_from_dict(data: Mapping[str, Any], *, source: str = "settings") -> AnalysisConfig:
    """Validate ``data`` (same layout as the TOML file) merged over the defaults."""
    defaults = tomllib.loads(_defaults_text())
    merged = _merge(defaults, data, source, "")
    return _build(merged, source)


def _merge(
    defaults: Mapping[str, Any], data: Mapping[str, Any], source: str, path: str
) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if path == "rating.ahp":
            merged[key] = value  # free-form judgement table, checked in _rating
            continue
        if key not in defaults:
            known = ", ".join(sorted(defaults)) or "(none)"
            raise ConfigurationError(f"{source}: unknown setting {where!r}; known: {known}")
        default = defaults[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigurationError(f"{source}: {where!r} must be a table ([{where}])")
            merged[key] = _merge(default, value, source, where)
        else:
            merged[key] = _check_type(value, default, source, where)
    return merged


def _check_type(value: Any, default: Any, source: str, where: str) -> Any:
    if isinstance(default, bool):
        ok = isinstance(value, bool)
        kind = "true or false"
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
        kind = "a whole number"
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
        kind = "a number"
    else:
        ok = isinstance(value, str)
        kind = "a string"
    if not ok:
        raise ConfigurationError(f"{source}: {where!r} must be {kind}, got {value!r}")
    return float(value) if isinstance(default, float) else value


def _section(cls: type[_T], values: Mapping[str, Any], source: str, section: str) -> _T:
    names = {item.name for item in fields(cls)}  # type: ignore[arg-type]
    try:
        return cls(**{k: v for k, v in values.items() if k in names})
    except ConfigurationError as error:
        raise ConfigurationError(f"{source}: [{section}] {error}") from None


def _build(data: Mapping[str, Any], source: str) -> AnalysisConfig:
    segmentation = data["segmentation"]
    k_range = (int(segmentation["k_min"]), int(segmentation["k_max"]))
    if not 2 <= k_range[0] <= k_range[1]:
        raise ConfigurationError(f"{source}: [segmentation] need 2 <= k_min <= k_max")
    top_share = float(data["backtest"]["top_share"])
    if not 0 < top_share < 1:
        raise ConfigurationError(f"{source}: [backtest] top_share must be between 0 and 1")
    report_top = int(data["report"]["top"])
    if report_top < 1:
        raise ConfigurationError(f"{source}: [report] top must be >= 1")
    return AnalysisConfig(
        summary=_section(SummarySettings, data["summary"], source, "summary"),
        models=_section(ModelSettings, data["models"], source, "models"),
        value=_section(ValueSettings, data["value"], source, "value"),
        rating=_rating(data["rating"], source),
        lifecycle=_section(LifecycleRules, data["lifecycle"], source, "lifecycle"),
        tiers=_section(TierRules, data["tiers"], source, "tiers"),
        churn=_section(ChurnRules, data["churn"], source, "churn"),
        intervals=_section(IntervalSettings, data["intervals"], source, "intervals"),
        health=_health(data["health"], source),
        backtest_top_share=top_share,
        segmentation_k=k_range,
        segmentation_seed=int(segmentation["seed"]),
        report_top=report_top,
        source=source,
    )


def _rating(data: Mapping[str, Any], source: str) -> RatingSettings:
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    for name, weight in weights.items():
        if weight < 0:
            raise ConfigurationError(f"{source}: 'rating.weights.{name}' must be >= 0")
    if sum(weights.values()) <= 0:
        raise ConfigurationError(f"{source}: [rating.weights] must not all be 0")
    judgements: dict[tuple[str, str], float] = {}
    for key, value in data.get("ahp", {}).items():
        where = f"rating.ahp.{key!r}"
        parts = str(key).split("/")
        if len(parts) != 2 or not all(part in _CRITERIA for part in parts):
            raise ConfigurationError(
                f"{source}: {where} must be 'criterion/criterion' with criteria from: "
                + ", ".join(c.name for c in CRITERIA)
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(f"{source}: {where} must be a number, got {value!r}")
        judgements[(parts[0], parts[1])] = float(value)
    ratio = float(data["max_consistency_ratio"])
    if not 0 <= ratio <= 1:
        raise ConfigurationError(f"{source}: 'rating.max_consistency_ratio' must be in [0, 1]")
    return RatingSettings(weights=weights, ahp=judgements, max_consistency_ratio=ratio)


def _health(data: Mapping[str, Any], source: str) -> HealthRules:
    values = {k: v for k, v in data.items() if k != "weights"}
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    try:
        return HealthRules(weights=weights, **values)
    except ConfigurationError as error:
        raise ConfigurationError(f"{source}: [health] {error}") from None
