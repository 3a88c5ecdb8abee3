"""Campaigns, members, attribution and ROI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from paretocrm.core.models import ExchangeRate
from paretocrm.customers.tests.factories import make_contact, make_customer, make_order
from paretocrm.marketing.models import Campaign, CampaignAttribution, CampaignMember
from paretocrm.marketing.services import campaign_roi

pytestmark = pytest.mark.django_db

START = dt.date(2024, 4, 1)


def _campaign(**fields: object) -> Campaign:
    fields.setdefault("name", "Spring promotion")
    fields.setdefault("campaign_type", "promotion")
    fields.setdefault("start_date", START)
    return Campaign.objects.create(**fields)


def test_roi_is_attributed_gross_profit_minus_cost_over_cost() -> None:
    campaign = _campaign(cost=Decimal("100.00"))
    customer = make_customer()
    full = make_order(customer, lines=[("10", "30", "20", "0")])  # revenue 300, margin 100
    half = make_order(customer, lines=[("4", "50", "25", "0")])  # revenue 200, margin 100
    CampaignAttribution.objects.create(campaign=campaign, order=full)
    CampaignAttribution.objects.create(campaign=campaign, order=half, share=Decimal(50))
    result = campaign_roi(campaign)
    assert result.orders == 2
    assert result.revenue == Decimal("400.00")
    assert result.gross_profit == Decimal("150.00")
    assert result.roi == Decimal("0.5000")
    assert result.profit_known


def test_roi_converts_foreign_currency_orders_on_their_date() -> None:
    ordered = dt.datetime(2024, 4, 10, 12, tzinfo=dt.UTC)
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2024, 4, 9), rate="7.0")
    campaign = _campaign(cost=Decimal("0"))
    order = make_order(
        make_customer(), lines=[("1", "100", "60", "0")], currency="USD", ordered_at=ordered
    )
    CampaignAttribution.objects.create(campaign=campaign, order=order)
    result = campaign_roi(campaign)
    assert result.revenue == Decimal("700.00")
    assert result.gross_profit == Decimal("280.00")
    assert result.roi is None  # no cost: ROI undefined, not infinite


def test_roi_flags_unknown_costs() -> None:
    campaign = _campaign(cost=Decimal("10"))
    order = make_order(make_customer(), lines=[("1", "100", None, "0")])
    CampaignAttribution.objects.create(campaign=campaign, order=order)
    assert not campaign_roi(campaign).profit_known


def test_member_is_unique_per_campaign_customer_and_contact() -> None:
    campaign = _campaign()
    customer = make_customer()
    contact = make_contact(customer)
    CampaignMember.objects.create(campaign=campaign, customer=customer)
    CampaignMember.objects.create(campaign=campaign, customer=customer, contact=contact)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(campaign=campaign, customer=customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(campaign=campaign, customer=customer, contact=contact)


def test_campaign_money_and_dates_are_checked() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _campaign(budget=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        _campaign(end_date=START - dt.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(
            campaign=_campaign(), customer=make_customer(), responded=True
        )
