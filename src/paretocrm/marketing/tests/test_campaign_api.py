"""The campaign API writes through the same services as the pages (issue 16 finding 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from paretocrm.customers.tests.factories import make_user
from paretocrm.marketing.models import Campaign

pytestmark = pytest.mark.django_db


def api(role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=make_user(role=role))
    return client


def dragon_boat() -> Campaign:
    return Campaign.objects.create(
        name="端午粽子礼盒", campaign_type="promotion", start_date=dt.date(2026, 6, 1)
    )


BODY = {
    "name": "端午粽子礼盒",
    "campaign_type": "promotion",
    "target_tier": "key",
    "channel": "sms",
    "start_date": "2026-06-01",
    "end_date": "2026-05-01",
}


def test_api_create_refuses_dates_out_of_order_naming_the_field():
    response = api("marketing").post(reverse("campaign-list"), BODY, format="json")
    assert response.status_code == 400
    assert response.json() == {"end_date": ["A campaign must end on or after its start."]}
    assert not Campaign.objects.exists()


def test_api_create_sets_the_channel_and_the_owner():
    client = api("marketing")
    response = client.post(reverse("campaign-list"), BODY | {"end_date": None}, format="json")
    assert response.status_code == 201, response.json()
    made = Campaign.objects.get()
    assert made.channel == "sms" and made.owner_id is not None


def test_api_archive_needs_if_match_and_the_edit_campaigns_function():
    campaign = dragon_boat()
    url = reverse("campaign-archive", args=[campaign.pk])
    assert api("sales_rep").post(url, HTTP_IF_MATCH='"1"').status_code == 403
    marketing = api("marketing")
    assert marketing.post(url).status_code == 428
    assert marketing.post(url, HTTP_IF_MATCH='"7"').status_code == 412
    campaign.refresh_from_db()
    assert campaign.archived_at is None
    response = marketing.post(url, HTTP_IF_MATCH=f'"{campaign.version}"')
    assert response.status_code == 200 and response.json()["archived_at"]


def test_api_refuses_to_change_an_archived_campaign():
    campaign = dragon_boat()
    marketing = api("marketing")
    marketing.post(
        reverse("campaign-archive", args=[campaign.pk]), HTTP_IF_MATCH=f'"{campaign.version}"'
    )
    campaign.refresh_from_db()
    response = marketing.patch(
        reverse("campaign-detail", args=[campaign.pk]),
        {"name": "改名"},
        format="json",
        HTTP_IF_MATCH=f'"{campaign.version}"',
    )
    assert response.status_code == 400 and "archived_at" in response.json()
    campaign.refresh_from_db()
    assert campaign.name == "端午粽子礼盒"
