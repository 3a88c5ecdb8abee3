"""Audiences with consent, responses, attribution window and ROI per segment (by hand)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_order, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.marketing import services
from paretocrm.marketing.models import Campaign, CampaignAttribution, CampaignMember

pytestmark = pytest.mark.django_db

START = dt.date(2026, 4, 1)
END = dt.date(2026, 4, 30)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


@pytest.fixture
def company():
    """Two core customers with e-mail consent, one core without, one key with consent."""
    run = make_run()
    people = {}
    for name, tier, consent in (
        ("Core A", "core", True),
        ("Core B", "core", True),
        ("Core silent", "core", False),
        ("Key C", "key", True),
    ):
        customer = make_customer(name=name)
        make_score(run, customer, tier=tier, rfm_segment="Champions" if tier == "core" else "Loyal")
        low = make_contact(customer, influence=2, email=f"low@{customer.code}.example")
        high = make_contact(customer, influence=5, email=f"high@{customer.code}.example")
        for contact in (low, high):
            record_consent(contact, "email", granted=consent, source="form")
        people[name] = (customer, high)
    return people


def campaign(**fields) -> Campaign:
    values = {
        "name": "Spring launch",
        "campaign_type": "promotion",
        "start_date": START,
        "end_date": END,
        "cost": Decimal("600.00"),
    }
    values.update(fields)
    return Campaign.objects.create(**values)


def test_audience_takes_the_tier_with_the_most_influential_consenting_contact(company):
    spring = campaign(target_tier="core")
    result = services.build_audience(spring)
    assert (result.added, result.already_members) == (2, 0)
    assert result.without_consent == ["Core silent"]
    members = {m.customer.name: m.contact for m in spring.members.select_related("customer")}
    assert members == {"Core A": company["Core A"][1], "Core B": company["Core B"][1]}
    assert services.build_audience(spring).already_members == 2  # idempotent


def test_withdrawn_consent_leaves_the_customer_out(company):
    customer, _contact = company["Core A"]
    for item in customer.contacts.all():
        record_consent(item, "email", granted=False, source="unsubscribed")
    result = services.build_audience(campaign(target_tier="core"))
    assert "Core A" in result.without_consent


def test_audience_by_segment_and_missing_target_is_refused(company):
    loyal = campaign(target_segment="Loyal")
    assert services.build_audience(loyal).added == 1
    with pytest.raises(services.CampaignError, match=r"^target_tier"):
        services.build_audience(campaign(name="No target"))


def test_a_tier_stored_as_the_segment_reaches_the_tier(company):
    """The demo (and older data) store "core" as segment too: the audience is the tier, not
    the customers whose RFM segment is called "core" (none)."""
    both = campaign(target_tier="core", target_segment="core")
    only_segment = campaign(name="Key accounts", target_segment="key")
    assert services.build_audience(both).added == 2
    assert services.build_audience(only_segment).added == 1


def test_orders_in_the_window_are_attributed_once(company):
    spring = campaign(target_tier="core")
    services.build_audience(spring)
    a = company["Core A"][0]
    before = make_order(a, ordered_at=at(START - dt.timedelta(days=1)))
    inside = make_order(a, ordered_at=at(dt.date(2026, 5, 20)))  # 20 days after the end
    late = make_order(a, ordered_at=at(dt.date(2026, 6, 15)))  # 46 days after the end
    cancelled = make_order(a, ordered_at=at(START), status="cancelled")
    outsider = make_order(company["Key C"][0], ordered_at=at(START))
    assert services.attribute_orders(spring) == 1
    assert set(spring.attributions.values_list("order_id", flat=True)) == {inside.pk}
    assert services.attribute_orders(spring) == 0
    assert services.attribute_orders(spring, window_days=60) == 1  # now the late one too
    ids = set(CampaignAttribution.objects.values_list("order_id", flat=True))
    assert ids == {inside.pk, late.pk}
    assert not ids & {before.pk, cancelled.pk, outsider.pk}


def test_roi_per_campaign_and_per_segment_match_hand_computation(company):
    spring = campaign(target_segment="", target_tier="", cost=Decimal("600.00"))
    a, b, c = (company[name][0] for name in ("Core A", "Core B", "Key C"))
    for customer in (a, b, c):
        CampaignMember.objects.create(campaign=spring, customer=customer)
    # A: revenue 10 x 100 = 1000, cost 10 x 60 = 600 -> margin 400
    # B: revenue 5 x 80 = 400, cost 5 x 50 = 250 -> margin 150
    # C: revenue 2 x 500 = 1000, cost 2 x 200 = 400 -> margin 600
    for customer, line in (
        (a, ("10", "100", "60", "0")),
        (b, ("5", "80", "50", "0")),
        (c, ("2", "500", "200", "0")),
    ):
        CampaignAttribution.objects.create(
            campaign=spring, order=make_order(customer, lines=[line], ordered_at=at(START))
        )
    services.record_response(CampaignMember.objects.get(customer=a), "purchased")

    total = services.campaign_roi(spring)
    # profit 400 + 150 + 600 = 1150; ROI = (1150 - 600) / 600 = 0.9167
    assert (total.revenue, total.gross_profit, total.roi) == (
        Decimal("2400.00"),
        Decimal("1150.00"),
        Decimal("0.9167"),
    )

    core, key = services.roi_by_segment(spring, by="tier")
    # core: 2 of 3 members -> cost 400; profit 550; ROI (550 - 400) / 400 = 0.375
    assert (core.segment, core.members, core.responders, core.orders) == ("core", 2, 1, 2)
    assert (core.revenue, core.gross_profit, core.cost, core.roi) == (
        Decimal("1400.00"),
        Decimal("550.00"),
        Decimal("400.00"),
        Decimal("0.3750"),
    )
    # key: 1 of 3 members -> cost 200; profit 600; ROI (600 - 200) / 200 = 2
    assert (key.segment, key.cost, key.gross_profit, key.roi) == (
        "key",
        Decimal("200.00"),
        Decimal("600.00"),
        Decimal("2.0000"),
    )
    rfm = {s.segment: s for s in services.roi_by_segment(spring, by="rfm_segment")}
    assert set(rfm) == {"Champions", "Loyal"}


def test_campaign_page_shows_roi_to_marketing_and_builds_the_audience(client, company):
    spring = campaign(target_tier="core")
    client.force_login(make_user(role="marketing"))
    response = client.post(
        reverse("marketing:campaign_action", args=[spring.pk, "audience"]),
        {"version": spring.version},
    )
    assert response.status_code == 302 and spring.members.count() == 2
    page = client.get(reverse("marketing:campaign", args=[spring.pk])).content.decode()
    assert 'id="campaign-roi"' in page and "2 members added" in page
    client.force_login(make_user(role="administrator"))
    page = client.get(reverse("marketing:campaign", args=[spring.pk])).content.decode()
    assert 'id="campaign-roi"' in page and "Core A" in page and "Core silent" not in page
    client.force_login(make_user(role="sales_rep"))
    page = client.get(reverse("marketing:campaign", args=[spring.pk])).content.decode()
    assert 'id="campaign-roi"' not in page and "Core A" not in page  # out of scope, no totals
    denied = client.post(reverse("marketing:campaign_action", args=[spring.pk, "attribute"]))
    assert denied.status_code == 403


CAMPAIGN_ACTIONS = [("audience", {"channel": "email"}), ("attribute", {"window_days": "30"})]


def _campaign_with_an_order(client, company) -> Campaign:
    """A core-tier campaign with one of its two customers a member, who has ordered."""
    spring = campaign(target_tier="core")
    customer, contact = company["Core A"]
    CampaignMember.objects.create(campaign=spring, customer=customer, contact=contact)
    make_order(customer, ordered_at=at(START))
    client.force_login(make_user(role="marketing"))
    return spring


def _nothing_done(spring: Campaign) -> bool:
    return spring.members.count() == 1 and not CampaignAttribution.objects.exists()


def test_dur1_campaign_buttons_carry_the_version_they_were_shown(client, company):
    spring = _campaign_with_an_order(client, company)
    page = client.get(reverse("marketing:campaign", args=[spring.pk])).content.decode()
    assert page.count(f'name="version" value="{spring.version}"') == len(CAMPAIGN_ACTIONS)


@pytest.mark.parametrize(("action", "data"), CAMPAIGN_ACTIONS)
def test_dur1_campaign_action_from_an_outdated_page_changes_nothing(client, company, action, data):
    spring = _campaign_with_an_order(client, company)
    shown = spring.version
    Campaign.objects.get(pk=spring.pk).save()  # a colleague changes the campaign meanwhile
    url = reverse("marketing:campaign_action", args=[spring.pk, action])

    answer = client.post(url, {**data, "version": shown}, follow=True)

    assert "Someone else changed this campaign" in answer.content.decode()
    assert _nothing_done(spring)


@pytest.mark.parametrize(("action", "data"), CAMPAIGN_ACTIONS)
def test_dur1_campaign_action_without_a_version_is_refused(client, company, action, data):
    spring = _campaign_with_an_order(client, company)
    url = reverse("marketing:campaign_action", args=[spring.pk, action])
    answer = client.post(url, data, follow=True)
    assert "version: the page did not say" in answer.content.decode()
    assert _nothing_done(spring)


@pytest.mark.parametrize(("action", "data"), CAMPAIGN_ACTIONS)
def test_dur1_campaign_action_at_the_current_version_is_done(client, company, action, data):
    spring = _campaign_with_an_order(client, company)
    url = reverse("marketing:campaign_action", args=[spring.pk, action])
    client.post(url, {**data, "version": spring.version})
    assert not _nothing_done(spring)
