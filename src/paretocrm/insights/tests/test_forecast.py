"""Intervals and the revenue forecast in the app (issue 15, items 3 and 7): stored with the
snapshot, shown on the 360 page, the dashboard, the scorecards, the core list and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.demo.services import load_demo_company
from paretocrm.insights import dashboard, services
from paretocrm.insights.models import CustomerScore
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.sales.models import Opportunity
from paretocrm.users.choices import Role
from paretocrm.work import scorecards

ANCHOR = dt.date(2026, 6, 30)
FORECAST = {
    "company": {
        "3m": [300.0, 250.0, 360.0],
        "6m": [580.0, 500.0, 690.0],
        "12m": [1100.0, 950.0, 1300.0],
    },
    "tier": {
        "core": {
            "3m": [280.0, 240.0, 330.0],
            "6m": [540.0, 470.0, 640.0],
            "12m": [1000.0, 880.0, 1190.0],
        }
    },
}


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def world(db) -> dict:
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    other = make_user(Role.KEY_ACCOUNT_MANAGER)
    mine = make_customer(owner=kam, name="苏州恒达阀门有限公司")
    theirs = make_customer(owner=other, name="宁波海联进出口有限公司")
    run = make_run(forecast={**FORECAST, "owner": {str(kam.pk): {"12m": [1000.0, 870.0, 1210.0]}}})
    make_score(
        run,
        mine,
        clv_low=Decimal("800.00"),
        clv_high=Decimal("1250.00"),
        p_alive_low=0.82,
        p_alive_high=0.95,
        tier_uncertain=True,
        revenue_3m=Decimal("280.00"),
        revenue_6m=Decimal("540.00"),
        revenue_12m=Decimal("1000.00"),
        revenue_intervals={"3m": [240.0, 330.0], "12m": [870.0, 1210.0]},
    )
    make_score(run, theirs, tier="low_value", revenue_12m=Decimal("100.00"))
    Opportunity.objects.create(
        customer=mine,
        name="2027 年框架协议",
        stage="proposal",
        amount=Decimal("50000"),
        probability=Decimal("40"),
    )
    Opportunity.objects.create(
        customer=theirs,
        name="阀门备件",
        stage="won",
        amount=Decimal("9000"),
        probability=Decimal("100"),
    )
    admin = make_user(Role.ADMINISTRATOR)
    return {"kam": kam, "other": other, "mine": mine, "theirs": theirs, "run": run, "admin": admin}


def test_the_360_page_shows_intervals_forecast_and_a_boundary_note(world) -> None:
    url = reverse("customers:detail", args=[world["mine"].pk])
    for language, words in (
        ("en", ("Near a tier boundary", "next 3 months")),
        ("zh-hans", ("临界", "未来 3 个月")),
        ("zh-hant", ("臨界", "未來 3 個月")),
    ):
        page = client_for(world["kam"], language).get(url).content.decode()
        assert 'id="clv-interval"' in page and 'id="tier-uncertain"' in page, language
        assert 'id="revenue-forecast"' in page and "870" in page, language
        for word in words:
            assert word in page, (language, word)


def test_the_dashboard_shows_the_forecast_and_the_weighted_pipeline(world) -> None:
    page = client_for(world["admin"]).get(reverse("insights:dashboard")).content.decode()
    assert 'id="revenue-forecast"' in page
    assert "1,100" in page and "950" in page  # company 12 months and its low end
    assert "weighted open pipeline" in page
    assert "20,000" in page  # 50,000 x 40 %; the won opportunity is not open
    mine = client_for(world["kam"]).get(reverse("insights:dashboard")).content.decode()
    assert "my accounts" in mine and "1,000" in mine


def test_the_weighted_pipeline_is_scoped_to_the_reader(world) -> None:
    Opportunity.objects.create(
        customer=world["theirs"],
        name="新产线",
        stage="negotiation",
        amount=Decimal("10000"),
        probability=Decimal("50"),
    )
    assert dashboard.weighted_pipeline(world["kam"])["total"] == Decimal("20000.00")
    assert dashboard.weighted_pipeline(world["admin"])["total"] == Decimal("25000.00")


def test_scorecards_carry_each_managers_forecast_with_its_interval(world) -> None:
    cards = {
        c.manager.pk: c
        for c in scorecards.build_scorecards(
            [world["kam"], world["other"]], dt.date(2026, 1, 1), dt.date(2026, 1, 31)
        )
    }
    assert cards[world["kam"].pk].forecast_12m == Decimal("1000.00")
    assert (cards[world["kam"].pk].forecast_12m_low, cards[world["kam"].pk].forecast_12m_high) == (
        870.0,
        1210.0,
    )
    assert cards[world["other"].pk].forecast_12m == Decimal("100.00")
    assert cards[world["other"].pk].forecast_12m_low is None  # no interval in the run


def test_the_api_gives_intervals_and_forecast(world) -> None:
    client = client_for(world["kam"])
    body = client.get(reverse("customerscore-list"), {"customer": world["mine"].pk}).json()
    row = body["results"][0] if "results" in body else body[0]
    assert row["clv_low"] == "800.00" and row["clv_high"] == "1250.00"
    assert row["tier_uncertain"] is True
    assert row["revenue_12m"] == "1000.00"
    assert row["revenue_intervals"]["3m"] == [240.0, 330.0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_scoring_run_stores_intervals_and_the_forecast_per_manager() -> None:
    load_demo_company(seed=11, customers=60, anchor=ANCHOR)
    run = services.run_scoring(as_of=ANCHOR)
    scores = CustomerScore.objects.filter(run=run)
    assert scores.filter(clv_low__isnull=True).count() == 0
    for score in scores:
        assert score.clv_low <= score.clv_high
        assert score.p_alive_low <= score.p_alive_high
        assert score.revenue_3m <= score.revenue_6m <= score.revenue_12m
    forecast = run.overview["forecast"]
    value, low, high = forecast["company"]["12m"]
    assert low < value < high
    assert value == pytest.approx(float(sum(s.revenue_12m for s in scores)), abs=1.0)
    owners = {str(pk) for pk in scores.values_list("customer__owner_id", flat=True) if pk}
    assert owners <= set(forecast["owner"])
