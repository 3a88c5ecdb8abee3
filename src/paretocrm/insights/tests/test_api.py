"""Insights API: current scores only, scoped by customer; company figures for full scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from tests.api_samples import TODAY, current_run, make_score, new_user

from paretocrm.customers.tests.factories import make_customer
from paretocrm.insights.models import ScoreRun

pytestmark = pytest.mark.django_db


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_tier_list_shows_only_visible_customers_of_the_current_run() -> None:
    rep = new_user("sales_rep")
    mine = make_score(rep, customer=make_customer(owner=rep), tier="core")
    make_score(rep, customer=make_customer(owner=rep), tier="ordinary")
    make_score(new_user("sales_rep"), tier="core")  # someone else's core customer
    rows = client_for(rep).get(reverse("customerscore-list"), {"tier": "core"}).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]


def test_scores_of_an_older_run_are_not_listed() -> None:
    rep = new_user("sales_rep")
    old = make_score(rep)
    ScoreRun.objects.create(
        as_of=TODAY, status="succeeded", finished_at=timezone.now() + timezone.timedelta(hours=1)
    )
    assert ScoreRun.objects.current().pk != old.run_id
    rows = client_for(rep).get(reverse("customerscore-list")).json()["results"]
    assert rows == []


def test_company_overview_only_for_users_who_see_every_customer() -> None:
    run = current_run()
    url = reverse("scorerun-detail", args=[run.pk])
    assert client_for(new_user("general_manager")).get(url).json()["overview"] == {"hhi": 0.1}
    assert client_for(new_user("sales_rep")).get(url).json()["overview"] is None


def test_scores_are_read_only() -> None:
    score = make_score(new_user("sales_rep"))
    admin = new_user("administrator")
    response = client_for(admin).patch(
        reverse("customerscore-detail", args=[score.pk]), {"tier": "key"}, format="json"
    )
    assert response.status_code in {403, 405}
    score.refresh_from_db()
    assert score.tier == "core"
