"""Configuration: shipped defaults, user files merged over them, errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from paretocrm.analytics.config import default_config, load_config
from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.lifecycle import LifecycleRules
from paretocrm.analytics.rating import DEFAULT_WEIGHTS
from paretocrm.analytics.tiers import TierRules


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_file_matches_the_code_defaults() -> None:
    config = default_config()
    assert config.lifecycle == LifecycleRules()
    assert config.tiers == TierRules()
    assert dict(config.rating.weights) == dict(DEFAULT_WEIGHTS)
    assert config.summary.unit == "W"
    assert not config.rating.uses_ahp


def test_user_file_overrides_only_the_keys_it_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[tiers]\ncore_current = 85\n[value]\ndiscount_rate = 0.08\n"
        '[rating.weights]\ncredit = 0\n[rating.ahp]\n"revenue/credit" = 3\n',
    )
    config = load_config(path)
    assert config.tiers.core_current == 85.0
    assert config.tiers.key_current == 60.0
    assert config.value.discount_rate == 0.08
    assert config.rating.weights["credit"] == 0.0
    assert config.rating.weights["revenue"] == 15.0
    assert config.rating.ahp == {("revenue", "credit"): 3.0}
    assert config.source == str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tiers]\ncore_curent = 85\n", "unknown setting 'tiers.core_curent'"),
        ("[tier]\ncore_current = 85\n", "unknown setting 'tier'"),
        ('[tiers]\ncore_current = "high"\n', "'tiers.core_current' must be a number"),
        ("[models]\npareto_nbd = 1\n", "'models.pareto_nbd' must be true or false"),
        ("[tiers]\ncore_current = 120\n", r"\[tiers\] core_current must be between 0 and 100"),
        ("[value]\nabc_a = 0.99\n", r"\[value\] ABC cut-offs"),
        ('[rating.ahp]\n"revenue/charm" = 3\n', "rating.ahp.'revenue/charm'"),
        ("[rating.weights]\nrevenue = -1\n", "'rating.weights.revenue' must be >= 0"),
        ("[tiers\n", "not valid TOML"),
    ],
)
def test_bad_settings_are_refused_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError, match=message) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")
