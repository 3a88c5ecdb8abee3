"""Issue 16 finding 8: campaign pages in Chinese show names and segments as labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.tests.factories import make_user
from paretocrm.marketing.models import Campaign

pytestmark = pytest.mark.django_db


def zh_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user(role="marketing"))
    return client


def campaign(segment: str) -> Campaign:
    return Campaign.objects.create(
        name="春节礼品果篮促销",
        campaign_type="promotion",
        target_segment=segment,
        start_date=dt.date(2026, 1, 10),
        cost=Decimal("0"),
    )


@pytest.mark.parametrize(("segment", "label"), [("core", "核心"), ("key", "重要")])
def test_a_tier_used_as_target_segment_shows_as_the_tiers_label(segment, label):
    spring = campaign(segment)
    client = zh_client()

    listed = client.get(reverse("marketing:campaigns")).content.decode()
    detail = client.get(reverse("marketing:campaign", args=[spring.pk])).content.decode()

    assert f"<td>{segment}</td>" not in listed and f"<td>{label}</td>" in listed
    assert f'<span id="target-segment">{label}</span>' in detail
    assert f">{segment}<" not in detail


def test_the_campaign_list_heads_the_name_column_as_a_name_of_a_thing():
    campaign("Champions")
    listed = zh_client().get(reverse("marketing:campaigns")).content.decode()
    assert "<th>名称</th>" in listed and "<th>姓名</th>" not in listed
