"""Lifecycle stages on constructed customer trajectories, boundaries and explanations."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.lifecycle import LifecycleRules, classify_lifecycle


def trajectory(
    *,
    tenure_weeks: float,
    weeks_since_last: float = 1.0,
    purchase_days: int = 10,
    recent: int = 4,
    previous: int = 4,
    revenue_recent: float | None = None,
    revenue_previous: float | None = None,
) -> dict[str, float]:
    """One customer's summary row, built from the trajectory facts that matter."""
    return {
        "T": tenure_weeks,
        "recency": tenure_weeks - weeks_since_last,
        "frequency": purchase_days - 1,
        "purchases_recent": recent,
        "purchases_previous": previous,
        "revenue_recent": 100.0 * recent if revenue_recent is None else revenue_recent,
        "revenue_previous": 100.0 * previous if revenue_previous is None else revenue_previous,
    }


def classify(
    rows: dict[str, dict[str, float]],
    p_alive: dict[str, float],
    rules: LifecycleRules | None = None,
) -> pd.DataFrame:
    summary = pd.DataFrame.from_dict(rows, orient="index")
    return classify_lifecycle(summary, pd.Series(p_alive)[summary.index], rules=rules)


def test_each_stage_is_found_on_its_typical_trajectory() -> None:
    rows = {
        "newcomer": trajectory(tenure_weeks=8, purchase_days=2, recent=2, previous=0),
        "grower": trajectory(tenure_weeks=80, purchase_days=20, recent=10, previous=5),
        "veteran": trajectory(tenure_weeks=200, purchase_days=60, recent=8, previous=8),
        "fader": trajectory(
            tenure_weeks=200, purchase_days=60, recent=3, previous=9, weeks_since_last=6
        ),
    }
    result = classify(rows, {"newcomer": 0.95, "grower": 0.97, "veteran": 0.96, "fader": 0.8})
    assert result["lifecycle_stage"].astype(str).to_dict() == {
        "newcomer": "exploration",
        "grower": "formation",
        "veteran": "stable",
        "fader": "decline",
    }


def test_explanation_quotes_the_drop_and_p_alive() -> None:
    rows = {"fader": trajectory(tenure_weeks=200, recent=11, previous=20, weeks_since_last=40)}
    result = classify(rows, {"fader": 0.81})
    assert result.at["fader", "lifecycle_reason"] == (
        "purchase rate fell 45% vs previous 6 months, P(alive) 0.81"
    )
    assert result.at["fader", "lifecycle_reason_zh"] == (
        "购买频率较前 6 个月下降 45%，存活概率 0.81"
    )


def test_the_explanation_is_also_given_as_data() -> None:
    rows = {
        "fader": trajectory(tenure_weeks=200, recent=11, previous=20, weeks_since_last=40),
        "newcomer": trajectory(tenure_weeks=4.5, purchase_days=2, recent=2, previous=0),
    }
    result = classify(rows, {"fader": 0.81, "newcomer": 0.9})
    assert json.loads(result.at["fader", "lifecycle_facts"]) == {
        "rule": "purchase_drop",
        "p_alive": 0.81,
        "purchase_trend": -45,
        "window_months": 6,
    }
    assert json.loads(result.at["newcomer", "lifecycle_facts"]) == {
        "rule": "new",
        "p_alive": 0.9,
        "tenure_months": 1,
    }
    assert result.at["newcomer", "lifecycle_reason"] == "first purchase 1 month ago, P(alive) 0.90"


def test_low_p_alive_means_decline_even_with_steady_purchases() -> None:
    rows = {"quiet": trajectory(tenure_weeks=200, recent=5, previous=5)}
    result = classify(rows, {"quiet": 0.31})
    assert result.at["quiet", "lifecycle_stage"] == "decline"
    assert result.at["quiet", "lifecycle_rule"] == "p_alive_low"
    assert result.at["quiet", "lifecycle_reason"].startswith("P(alive) 0.31 is below 0.50")


def test_dormant_customer_declines_even_when_the_model_calls_them_alive() -> None:
    # BG/NBD gives P(alive) = 1 to one-time buyers; a year of silence still means decline.
    rows = {"gone": trajectory(tenure_weeks=120, weeks_since_last=60, recent=0, previous=0)}
    result = classify(rows, {"gone": 1.0})
    assert result.at["gone", "lifecycle_rule"] == "dormant"
    assert "no purchase for 14 months" in result.at["gone", "lifecycle_reason"]


@pytest.mark.parametrize(
    ("p_alive", "stage"),
    [(0.49, "decline"), (0.5, "stable")],
)
def test_p_alive_boundary_is_strictly_below_the_threshold(p_alive: float, stage: str) -> None:
    rows = {"c": trajectory(tenure_weeks=200)}
    assert classify(rows, {"c": p_alive}).at["c", "lifecycle_stage"] == stage


@pytest.mark.parametrize(
    ("recent", "stage"),
    [(7, "decline"), (8, "stable")],  # previous 10: -30% declines, -20% does not
)
def test_purchase_drop_boundary(recent: int, stage: str) -> None:
    rows = {
        "c": trajectory(
            tenure_weeks=200,
            recent=recent,
            previous=10,
            revenue_recent=1000.0,
            weeks_since_last=40,
        )
    }
    rows["c"]["revenue_previous"] = 1000.0
    no_noise_test = LifecycleRules(decline_significance=1.0)
    assert classify(rows, {"c": 0.9}, no_noise_test).at["c", "lifecycle_stage"] == stage


@pytest.mark.parametrize(
    ("recent", "previous", "stage"),
    [
        (4, 6, "stable"),  # -33 %, but P(<= 4 of 10 | same rate) = 0.38: ordinary noise
        (3, 10, "decline"),  # -70 %, P(<= 3 of 13) = 0.046: a real drop
        (20, 30, "decline"),  # -33 % on many purchases, P(<= 20 of 50) = 0.10
    ],
)
def test_a_drop_must_stand_out_from_order_to_order_noise(
    recent: int, previous: int, stage: str
) -> None:
    # Two usual gaps behind (10 purchase days in 200 weeks: one every 22 weeks).
    rows = {
        "c": trajectory(tenure_weeks=200, recent=recent, previous=previous, weeks_since_last=40)
    }
    assert classify(rows, {"c": 0.9}).at["c", "lifecycle_stage"] == stage


@pytest.mark.parametrize(("weeks_since_last", "stage"), [(1, "stable"), (6, "decline")])
def test_a_drop_is_a_decline_only_when_the_customer_is_behind_their_rhythm(
    weeks_since_last: float, stage: str
) -> None:
    # 60 purchase days in 200 weeks (one every 3.4 weeks); 9 then 3 in the two windows.
    rows = {
        "c": trajectory(
            tenure_weeks=200,
            purchase_days=60,
            recent=3,
            previous=9,
            weeks_since_last=weeks_since_last,
        )
    }
    result = classify(rows, {"c": 0.9})
    assert result.at["c", "lifecycle_stage"] == stage
    assert result.at["c", "lifecycle_rule"] == ("purchase_drop" if stage == "decline" else "steady")


def test_a_drop_from_a_single_previous_purchase_is_not_a_decline() -> None:
    rows = {"c": trajectory(tenure_weeks=200, recent=0, previous=1, purchase_days=30)}
    assert classify(rows, {"c": 0.9}).at["c", "lifecycle_stage"] == "stable"


def test_tenure_boundaries_between_exploration_formation_and_stable() -> None:
    days = [179, 181, 729, 731]
    rows = {f"d{d}": trajectory(tenure_weeks=d / 7, recent=3, previous=3) for d in days}
    result = classify(rows, dict.fromkeys(rows, 0.9))
    assert list(result["lifecycle_stage"].astype(str)) == [
        "exploration",
        "formation",
        "formation",
        "stable",
    ]


def test_growth_needs_two_full_windows_of_tenure() -> None:
    # Both customers doubled their purchases, but the younger one's "previous" window is
    # partly before their first purchase, so the rise is not evidence of growth.
    rows = {
        "young": trajectory(tenure_weeks=40, recent=6, previous=3),
        "old": trajectory(tenure_weeks=800, recent=6, previous=3),
    }
    result = classify(rows, {"young": 0.9, "old": 0.9})
    assert result.at["young", "lifecycle_rule"] == "young"
    assert result.at["old", "lifecycle_rule"] == "growing"


def test_works_in_days_and_with_frequency_only() -> None:
    summary = pd.DataFrame({"T": [30.0, 1500.0], "recency": [10.0, 1490.0], "frequency": [1, 40]})
    result = classify_lifecycle(summary, np.array([0.9, 0.9]), unit="D")
    assert list(result["lifecycle_stage"].astype(str)) == ["exploration", "stable"]
    assert result["purchase_trend"].isna().all()


def test_missing_columns_and_misaligned_p_alive_are_reported() -> None:
    with pytest.raises(DataContractError, match="'recency'"):
        classify_lifecycle(pd.DataFrame({"T": [1.0], "frequency": [0]}), [0.5])
    summary = pd.DataFrame({"T": [1.0], "recency": [0.0], "frequency": [0]})
    with pytest.raises(DataContractError, match="p_alive has 2 values"):
        classify_lifecycle(summary, [0.5, 0.4])


def test_rules_refuse_bad_thresholds_by_name() -> None:
    with pytest.raises(ConfigurationError, match="decline_p_alive"):
        LifecycleRules(decline_p_alive=1.5)
    with pytest.raises(ConfigurationError, match="dormant_days"):
        LifecycleRules(dormant_days=-1)


def test_every_customer_gets_a_reason_in_both_languages() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    tenure = rng.uniform(0.5, 300, n)
    summary = pd.DataFrame(
        {
            "T": tenure,
            "recency": tenure * rng.uniform(0, 1, n),
            "frequency": rng.poisson(4, n),
            "purchases_recent": rng.poisson(2, n),
            "purchases_previous": rng.poisson(2, n),
            "revenue_recent": rng.gamma(2, 50, n),
            "revenue_previous": rng.gamma(2, 50, n),
        }
    )
    result = classify_lifecycle(summary, rng.uniform(0, 1, n))
    assert result["lifecycle_reason"].notna().all()
    assert (result["lifecycle_reason"].astype(str).str.len() > 10).all()
    assert result["lifecycle_reason_zh"].astype(str).str.contains("存活概率").all()
    assert set(result["lifecycle_stage"].astype(str)) == {
        "exploration",
        "formation",
        "stable",
        "decline",
    }


def test_a_fruit_importer_between_seasons_is_in_a_seasonal_pause_a_lapsed_buyer_is_not() -> None:
    from paretocrm.analytics.contract import load_transactions
    from paretocrm.analytics.rhythm import late_history
    from paretocrm.analytics.summary import summarize_loaded

    season = [f"{y}-{m:02d}-{d:02d}" for y, months in ((2022, (9, 10, 11, 12)), (2023, (1,)),
              (2023, (9, 10, 11, 12)), (2024, (1,))) for m in months for d in (5, 20)]  # fmt: skip
    monthly = [f"{y}-{m:02d}-12" for y in (2022, 2023) for m in range(9 if y == 2022 else 1, 13)]
    monthly += ["2024-01-12"]
    rows = [("南洋果业进口", day, 88_000.0) for day in season]
    rows += [("华信阀门", day, 15_000.0) for day in monthly]
    table = load_transactions(pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount"]))
    summary = summarize_loaded(table, unit="W", observation_end="2024-08-15")
    pause = pd.Series(late_history(table, summary, 7.0)["seasonal_pause"], index=summary.index)
    assert pause["南洋果业进口"] == 1.0  # Feb-Aug 2023 was silent too: off-season
    assert pause["华信阀门"] == 0.0  # it bought every month of 2023: this silence is new
    p_alive = pd.Series(0.3, index=summary.index)
    summary["seasonal_pause"] = pause
    stages = classify_lifecycle(summary, p_alive)["lifecycle_stage"]
    assert stages["南洋果业进口"] != "decline"
    assert stages["华信阀门"] == "decline"


def test_decline_needs_a_silence_longer_than_the_customers_own_pauses() -> None:
    """The demo's bug (issue 15): a core account ordering in bursts (weekly for two months,
    then a three-month pause, over two years) was put in decline with P(alive) 0.98 after
    50 silent days: 3.4 of its *mean* gaps, but shorter than every pause it has taken and
    come back from. A steady monthly buyer silent for five months is still in decline."""
    from paretocrm.analytics.contract import load_transactions
    from paretocrm.analytics.rhythm import late_history
    from paretocrm.analytics.summary import summarize_loaded

    start = pd.Timestamp("2023-01-02")
    bursts = [start + pd.Timedelta(days=150 * k + 7 * w) for k in range(5) for w in range(9)]
    end = bursts[-1] + pd.Timedelta(days=50)
    monthly = [end - pd.Timedelta(days=150 + 30 * k) for k in range(20)]
    rows = [("鼎盛进出口", day, 52_000.0) for day in bursts]
    rows += [("华信阀门", day, 18_000.0) for day in monthly]
    table = load_transactions(pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount"]))
    summary = summarize_loaded(table, unit="W", observation_end=end)
    for name, values in late_history(table, summary, 7.0).items():
        summary[name] = values
    assert summary.at["鼎盛进出口", "longest_gap_days"] == pytest.approx(94.0)
    stages = classify_lifecycle(summary, pd.Series([0.98, 0.98], index=summary.index))
    assert stages.at["鼎盛进出口", "lifecycle_stage"] != "decline", stages.at[
        "鼎盛进出口", "lifecycle_reason"
    ]
    assert stages.at["华信阀门", "lifecycle_stage"] == "decline"
    assert stages.at["华信阀门", "lifecycle_rule"] == "lapsed"
