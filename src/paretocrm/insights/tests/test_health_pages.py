"""Account health on the pages and the API, in every language and within each reader's scope."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db

#: A leaving account's reasons as the scoring run stores them (signal, raw value, points lost).
LEAVING = [
    {"signal": "rhythm", "value": 3.4, "points": 20.0},
    {"signal": "receivables", "value": 0.3333, "points": 15.0},
    {"signal": "contact_coverage", "value": 1.0, "points": 3.8},
]


@pytest.fixture
def book() -> dict:
    """Two teams: East's manager owns a healthy and a leaving account, West's a middling one."""
    east, west = Team.objects.create(name="华东"), Team.objects.create(name="华南")
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, team=east)
    other = make_user(Role.KEY_ACCOUNT_MANAGER, team=west)
    healthy = make_customer(owner=kam, name="宁波甬新阀门有限公司")
    leaving = make_customer(owner=kam, name="苏州华兴管业有限公司")
    theirs = make_customer(owner=other, name="佛山顺德仪表厂")
    run = make_run()
    make_score(run, healthy, health=92.5, health_reasons=[])
    make_score(run, leaving, health=31.0, health_reasons=LEAVING, rating=60.0)
    make_score(run, theirs, health=12.0, health_reasons=LEAVING[:1], rating=40.0)
    return {"kam": kam, "other": other, "healthy": healthy, "leaving": leaving, "theirs": theirs}


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "heading", "reason"),
    [
        ("en", "Account health", "no order for 3.4 of its usual gaps between orders"),
        ("zh-hans", "客户健康度", "已有通常下单间隔的 3.4 倍时间未下单"),
        ("zh-hant", "客戶健康度", "已有通常下單間隔的 3.4 倍時間未下單"),
    ],
)
def test_the_360_page_shows_health_and_its_reasons_in_the_readers_language(
    book, language, heading, reason
):
    url = reverse("customers:detail", args=[book["leaving"].pk])
    body = client_for(book["kam"], language).get(url).content.decode()
    assert heading in body
    assert "31" in body
    assert reason in body


def test_the_customer_list_shows_health_and_sorts_by_it(book):
    client = client_for(book["kam"])
    response = client.get(reverse("customers:list"), {"sort": "health"})
    assert list(response.context["object_list"]) == [book["leaving"], book["healthy"]]
    body = response.content.decode()
    assert "?sort=-health" in body or "sort=-health" in body
    descending = client.get(reverse("customers:list"), {"sort": "-health"})
    assert list(descending.context["object_list"]) == [book["healthy"], book["leaving"]]


@pytest.mark.parametrize(("role", "expected"), [("kam", 2), ("admin", 3)])
def test_the_dashboard_counts_health_bands_and_lists_the_worst_in_scope(book, role, expected):
    user = book["kam"] if role == "kam" else make_user(Role.ADMINISTRATOR)
    response = client_for(user).get(reverse("insights:dashboard"))
    panel = response.context["health"]
    assert sum(count for _key, _label, count in panel["bands"]) == expected
    worst = [score.customer_id for score in panel["worst"]]
    if role == "kam":
        assert worst == [book["leaving"].pk]  # the healthy account is not among the worst
        assert "佛山顺德仪表厂" not in response.content.decode()
    else:
        assert worst == [book["theirs"].pk, book["leaving"].pk]
    assert "Account health" in response.content.decode()


def test_the_api_gives_health_with_reasons_worded_for_the_request_and_in_scope(book):
    api = APIClient()
    api.force_authenticate(user=book["kam"])
    rows = api.get(
        reverse("customerscore-list"), {"ordering": "health"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()["results"]
    assert [row["customer"] for row in rows] == [book["leaving"].pk, book["healthy"].pk]
    leaving = rows[0]
    assert leaving["health"] == 31.0
    assert leaving["health_reasons"] == LEAVING
    assert leaving["health_explanation"][0].startswith("已有通常下单间隔的 3.4 倍时间未下单")
    other = APIClient()
    other.force_authenticate(user=book["other"])
    theirs = other.get(reverse("customerscore-list")).json()["results"]
    assert [row["customer"] for row in theirs] == [book["theirs"].pk]


HEALTH_CODES = [
    "p_alive",
    "rhythm",
    "value_trend",
    "receivables",
    "complaints",
    "sla_breaches",
    "satisfaction",
    "contact_coverage",
]


def _health_post(**weights: float) -> dict[str, str]:
    return {f"health-w_{code}": str(weights.get(code, 0)) for code in HEALTH_CODES} | {
        "health-note": "回款优先"
    }


def test_health_weights_are_saved_as_a_version_the_next_run_uses_and_change_the_digest():
    from paretocrm.insights import rating_settings
    from paretocrm.insights.models import HealthWeights
    from paretocrm.insights.services import config_digest

    before = config_digest(rating_settings.scoring_config()[0])
    admin = make_user(Role.ADMINISTRATOR)
    client = client_for(admin, "zh-hant")
    page = client.get(reverse("insights:rating_settings")).content.decode()
    assert "客戶健康度" in page and "下單節奏" in page
    response = client.post(
        reverse("insights:save_health_weights"), _health_post(receivables=3, rhythm=1)
    )
    assert response.status_code == 302
    version = HealthWeights.objects.get()
    assert version.saved_by == admin and version.weights["receivables"] == 3
    assert set(version.weights) == set(HEALTH_CODES)
    config = rating_settings.scoring_config()[0]
    assert config.health.weights["receivables"] == 3 and config.health.weights["p_alive"] == 0
    # A re-weighting shows in the run's settings digest, so its health falls raise no task.
    assert config_digest(config) != before
    client.post(reverse("insights:save_health_weights"), _health_post(receivables=3, rhythm=1))
    assert HealthWeights.objects.count() == 1  # the same weights again: no new version


def test_bad_health_weights_are_refused_by_field_and_only_administrators_may_save():
    from paretocrm.insights.models import HealthWeights

    admin = client_for(make_user(Role.ADMINISTRATOR))
    negative = admin.post(reverse("insights:save_health_weights"), _health_post(rhythm=-2))
    assert negative.status_code == 400
    assert negative.context["health_form"].errors["w_rhythm"]
    zeros = admin.post(reverse("insights:save_health_weights"), _health_post())
    assert zeros.status_code == 400
    assert "At least one signal needs a weight above 0." in zeros.content.decode()
    kam = client_for(make_user(Role.KEY_ACCOUNT_MANAGER))
    assert (
        kam.post(reverse("insights:save_health_weights"), _health_post(rhythm=1)).status_code == 403
    )
    assert not HealthWeights.objects.exists()
