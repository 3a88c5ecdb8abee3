"""Lifecycle explanations worded from stored facts in the reader's language (en, zh-Hans,
zh-Hant), and scores stored before the facts existed keep their text."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from paretocrm.analytics.lifecycle import LIFECYCLE_RULE_CODES, classify_lifecycle
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.explanations import render_lifecycle
from paretocrm.insights.models import CustomerScore
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role

DROP = {"rule": "purchase_drop", "p_alive": 0.81, "purchase_trend": -45, "window_months": 6}


def population(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    """Customers of every lifecycle rule, with their analysis explanations and facts."""
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(1, 400, n)
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
    # Clear purchase drop under 30 % with revenue halved, two usual gaps behind its rhythm:
    # the rare value_drop rule.
    value_drop = {"T": 200.0, "recency": 195.0, "frequency": 80, "purchases_recent": 30}
    value_drop |= {"purchases_previous": 40, "revenue_recent": 50.0, "revenue_previous": 100.0}
    summary = pd.concat([summary, pd.DataFrame([value_drop])], ignore_index=True)
    return classify_lifecycle(summary, np.append(rng.uniform(0, 1, n), 0.9))


def in_language(language: str, facts: dict | None, en: str = "", zh: str = "") -> str:
    with translation.override(language):
        return render_lifecycle(facts, en, zh)


def test_the_same_facts_read_in_english_simplified_and_traditional_chinese() -> None:
    assert in_language("en", DROP) == "purchase rate fell 45% vs previous 6 months, P(alive) 0.81"
    assert in_language("zh-hans", DROP) == "购买频率较前 6 个月下降 45%，存活概率 0.81"
    assert in_language("zh-hant", DROP) == "購買頻率較前 6 個月下降 45%，存活機率 0.81"


def test_every_rule_reads_as_the_analysis_wrote_it_and_in_traditional_chinese() -> None:
    result = population()
    rows = result[["lifecycle_facts", "lifecycle_reason", "lifecycle_reason_zh"]].astype(str)
    seen = set()
    for text, en, zh in rows.drop_duplicates().itertuples(index=False):
        facts = json.loads(text)
        seen.add(facts["rule"])
        assert in_language("en", facts) == en, facts
        assert in_language("zh-hans", facts) == zh, facts
        hant = in_language("zh-hant", facts)
        assert "存活機率" in hant and "存活概率" not in hant and hant != zh, facts
    assert seen == set(LIFECYCLE_RULE_CODES)


@pytest.mark.parametrize(
    ("facts", "english"),
    [
        ({"rule": "dormant", "p_alive": 0.9, "gap_months": 1}, "no purchase for 1 month"),
        ({"rule": "new", "p_alive": 0.9, "tenure_months": 3}, "first purchase 3 months ago"),
        (
            {"rule": "young", "p_alive": 0.9, "tenure_months": 14, "young_months": 24},
            "customer for 14 months (under 24)",
        ),
        (
            {"rule": "p_alive_low", "p_alive": 0.31, "p_alive_threshold": 0.5},
            "P(alive) 0.31 is below 0.50",
        ),
        (
            {"rule": "growing", "p_alive": 0.97, "value_trend": 30, "window_weeks": 4},
            "value rose 30% vs previous 4 weeks, P(alive) 0.97",
        ),
    ],
)
def test_each_rule_words_its_own_figures(facts: dict, english: str) -> None:
    assert in_language("en", facts).startswith(english)


def test_scores_without_facts_fall_back_to_their_stored_text() -> None:
    old = CustomerScore(
        lifecycle_reason="customer for 24 months", lifecycle_reason_zh="合作 24 个月"
    )

    assert old.lifecycle_explanation("en") == "customer for 24 months"
    assert old.lifecycle_explanation("zh-hans") == "合作 24 个月"
    assert old.lifecycle_explanation("zh-hant") == "合作 24 个月"  # Simplified: the only text


def test_facts_that_do_not_fit_their_rule_fall_back_to_the_stored_text() -> None:
    broken = {"rule": "dormant", "p_alive": 0.9}  # no gap_months
    assert in_language("en", broken, "stored", "已存") == "stored"
    assert in_language("zh-hant", {"rule": "unknown"}, "stored", "已存") == "已存"


def test_a_score_with_facts_reads_in_the_active_language() -> None:
    score = CustomerScore(
        lifecycle_facts=DROP, lifecycle_reason="old text", lifecycle_reason_zh="旧文本"
    )

    with translation.override("zh-hant"):
        assert score.lifecycle_explanation() == "購買頻率較前 6 個月下降 45%，存活機率 0.81"
    assert score.lifecycle_explanation("en").startswith("purchase rate fell 45%")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "purchase rate fell 45% vs previous 6 months, P(alive) 0.81"),
        ("zh-hans", "购买频率较前 6 个月下降 45%，存活概率 0.81"),
        ("zh-hant", "購買頻率較前 6 個月下降 45%，存活機率 0.81"),
    ],
)
def test_the_customer_360_page_explains_the_stage_in_the_readers_language(language, expected):
    admin = make_user(Role.ADMINISTRATOR)
    customer = make_customer(owner=admin)
    make_score(make_run(), customer, lifecycle_stage="decline", lifecycle_facts=DROP)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin)

    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()

    assert expected in page


@pytest.mark.django_db
def test_the_api_gives_the_facts_and_the_explanation_in_the_requests_language():
    admin = make_user(Role.ADMINISTRATOR)
    score = make_score(make_run(), make_customer(owner=admin), lifecycle_facts=DROP)
    client = APIClient()
    client.force_authenticate(user=admin)
    url = f"/api/insights/scores/{score.pk}/"

    traditional = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").json()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()

    assert traditional["lifecycle_facts"] == english["lifecycle_facts"] == DROP
    assert traditional["lifecycle_explanation"] == "購買頻率較前 6 個月下降 45%，存活機率 0.81"
    assert english["lifecycle_explanation"].startswith("purchase rate fell 45% vs previous")
    assert english["lifecycle_reason"] == "customer for 24 months"  # the stored text, as before


def test_every_progress_step_a_run_reports_has_a_label():
    from paretocrm.analytics import pipeline
    from paretocrm.insights.background import WAITING_STEP
    from paretocrm.insights.labels import STEP_LABELS

    reported = {*pipeline._STEPS, "done"}  # the engine's steps and its closing report
    reported |= {"reading the database", "planning the peak season", "saving the snapshot"}
    reported.add(WAITING_STEP)  # a queued run, before the worker takes it
    assert reported == set(STEP_LABELS)


@pytest.mark.django_db
def test_the_running_step_reads_in_the_readers_language():
    from paretocrm.insights.models import ScoreRun

    admin = make_user(Role.ADMINISTRATOR)
    ScoreRun.objects.create(as_of="2026-06-30", status="running", step="RFM and lifecycle")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hant")
    client.force_login(admin)

    page = client.get(reverse("insights:scoring_status")).content.decode()

    assert "RFM 與生命週期" in page and "RFM and lifecycle" not in page


# --- tier explanation (issue 15, item 8) ----------------------------------------------

TIER_RULES = {
    "core_current": 80.0,
    "core_potential": 50.0,
    "key_current": 60.0,
    "potential_potential": 80.0,
    "ordinary_current": 30.0,
}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "current value 85 ≥ 60; potential value 41 < 50, which keeps it out of core"),
        ("zh-hans", "当前价值 85 ≥ 60；潜在价值 41 < 50，因此未进入核心客户"),
        ("zh-hant", "目前價值 85 ≥ 60；潛在價值 41 < 50，因此未進入核心客戶"),
    ],
)
def test_the_tier_explanation_names_the_axis_in_the_readers_language(language, expected):
    from paretocrm.insights.explanations import render_tier

    with translation.override(language):
        assert render_tier("key", 85.2, 41.0, TIER_RULES) == expected


def test_the_core_explanation_states_the_rule_high_on_both() -> None:
    from paretocrm.insights.explanations import render_tier

    with translation.override("zh-hans"):
        text = render_tier("core", 92.0, 64.0, TIER_RULES)
    assert text == "当前价值 92 ≥ 80 且潜在价值 64 ≥ 50：核心客户须两项都高"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "current value 90 ≥ 80 and potential value 70 ≥ 50: core customers are high on both",
        ),
        ("zh-hant", "目前價值 90 ≥ 80 且潛在價值 70 ≥ 50：核心客戶須兩項都高"),
    ],
)
def test_the_360_page_and_the_core_list_explain_the_tier(language, expected):
    admin = make_user(Role.ADMINISTRATOR)
    customer = make_customer(owner=admin)
    make_score(make_run(tier_rules=TIER_RULES), customer)  # core: current 90, potential 70
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin)

    detail = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    core_list = client.get(reverse("insights:core_customers")).content.decode()

    assert expected in detail
    assert expected in core_list
