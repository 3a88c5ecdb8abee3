"""Tiers from the value matrix, and tier migration between snapshots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.tiers import TierRules, assign_tiers, tier_migration, value_axes


def test_rule_table_corners_of_the_value_matrix() -> None:
    current = pd.Series([90.0, 90.0, 65.0, 20.0, 40.0, 10.0], index=list("abcdef"))
    potential = pd.Series([60.0, 20.0, 10.0, 90.0, 10.0, 10.0], index=list("abcdef"))
    tiers = assign_tiers(current, potential)
    assert tiers.astype(str).to_dict() == {
        "a": "core",
        "b": "key",
        "c": "key",
        "d": "potential",
        "e": "ordinary",
        "f": "low_value",
    }


@pytest.mark.parametrize(("current", "tier"), [(79.99, "key"), (80.0, "core")])
def test_core_boundary_is_inclusive(current: float, tier: str) -> None:
    tiers = assign_tiers(pd.Series([current]), pd.Series([50.0]))
    assert tiers.iloc[0] == tier


def test_value_axes_are_percentiles_and_potential_combines_clv_and_growth() -> None:
    index = [f"c{i}" for i in range(5)]
    rating = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0], index=index)
    clv = pd.Series([5.0, 4.0, 3.0, 2.0, 1.0], index=index)
    growth = pd.Series([5.0, 4.0, 3.0, 2.0, 1.0], index=index)
    axes = value_axes(rating=rating, clv=clv, growth=growth)
    assert list(axes["current_value"]) == [10.0, 30.0, 50.0, 70.0, 90.0]
    assert list(axes["potential_value"]) == [90.0, 70.0, 50.0, 30.0, 10.0]


def test_value_axes_fall_back_to_net_profit_and_neutral_potential() -> None:
    axes = value_axes(net_profit=pd.Series([1.0, 2.0]))
    assert list(axes["potential_value"]) == [50.0, 50.0]
    with pytest.raises(DataContractError, match="rating or net profit"):
        value_axes(clv=pd.Series([1.0]))


def test_top_fifth_by_current_value_is_core_or_key() -> None:
    rng = np.random.default_rng(3)
    rating = pd.Series(rng.gamma(2, 10, 1000))
    clv = pd.Series(rng.gamma(2, 10, 1000))
    axes = value_axes(rating=rating, clv=clv)
    tiers = assign_tiers(axes["current_value"], axes["potential_value"])
    top = axes["current_value"] >= 80
    assert set(tiers[top].astype(str)) <= {"core", "key"}
    assert (tiers == "core").sum() == pytest.approx(100, abs=20)


def test_tier_rules_validate_order_and_range() -> None:
    with pytest.raises(ConfigurationError, match="core_current must be between 0 and 100"):
        TierRules(core_current=120.0)
    with pytest.raises(ConfigurationError, match="key_current <= core_current"):
        TierRules(core_current=50.0, key_current=60.0)


def test_migration_finds_risers_fallers_new_and_gone() -> None:
    before = pd.Series({"a": "ordinary", "b": "core", "c": "key", "d": "low_value"})
    after = pd.Series({"a": "core", "b": "key", "c": "key", "e": "potential"})
    migration = tier_migration(before, after)
    assert list(migration.rose.index) == ["a"]
    assert list(migration.fell.index) == ["b"]
    assert migration.moves.at["d", "change"] == "gone"
    assert migration.moves.at["e", "change"] == "new"
    assert migration.matrix.at["ordinary", "core"] == 1
    assert migration.matrix.at["new", "potential"] == 1
    assert migration.matrix.at["low_value", "gone"] == 1
    assert int(migration.matrix.to_numpy().sum()) == 5


def test_migration_refuses_unknown_tier_names() -> None:
    with pytest.raises(DataContractError, match="'before' has unknown tiers: gold"):
        tier_migration(pd.Series({"a": "gold"}), pd.Series({"a": "core"}))


def test_tier_explanation_facts_name_the_axis_that_placed_each_customer() -> None:
    from paretocrm.analytics.tiers import tier_explanation_facts

    rules = TierRules()
    core = tier_explanation_facts("core", 91.4, 63.0, rules)
    assert core == {
        "tier": "core",
        "clauses": [
            {"axis": "current", "value": 91, "op": ">=", "cut": 80.0},
            {"axis": "potential", "value": 63, "op": ">=", "cut": 50.0},
        ],
    }
    # High current value, low potential: key, and potential value keeps it out of core.
    key = tier_explanation_facts("key", 85.0, 41.2, rules)
    assert key["clauses"] == [
        {"axis": "current", "value": 85, "op": ">=", "cut": 60.0},
        {"axis": "potential", "value": 41, "op": "<", "cut": 50.0, "keeps_out_of": "core"},
    ]
    low = tier_explanation_facts("key", 70.0, 90.0, rules)
    assert low["clauses"][1] == {
        "axis": "current",
        "value": 70,
        "op": "<",
        "cut": 80.0,
        "keeps_out_of": "core",
    }


def test_tier_explanation_facts_agree_with_the_tier_rules() -> None:
    from paretocrm.analytics.tiers import tier_explanation_facts

    rng = np.random.default_rng(7)
    current = pd.Series(rng.integers(0, 101, 400).astype(float))
    potential = pd.Series(rng.integers(0, 101, 400).astype(float))
    tiers = assign_tiers(current, potential, TierRules())
    for tier, cur, pot in zip(tiers, current, potential, strict=True):
        facts = tier_explanation_facts(tier, cur, pot, TierRules())
        for clause in facts["clauses"]:
            value = cur if clause["axis"] == "current" else pot
            holds = value >= clause["cut"] if clause["op"] == ">=" else value < clause["cut"]
            assert holds, (tier, cur, pot, clause)
