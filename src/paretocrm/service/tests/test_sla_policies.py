"""SLA policies: shipped defaults on a fresh database, the policy pages, escalation (issue 16).

Finding 1: a high-priority complaint from a core customer showed "no SLA policy applies",
so escalation could never fire. The defaults ship in a data migration, so the test database
(built by the migrations) is the fresh database a new installation has.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.portal.tests.factories import client_for, make_portal_user
from paretocrm.service import services
from paretocrm.service.models import Case, SlaPolicy
from paretocrm.service.tests.defaults import restore_shipped_policies
from paretocrm.work.choices import TaskKind
from paretocrm.work.models import Task
from paretocrm.work.services import escalate_service_breaches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _shipped_policies() -> None:
    restore_shipped_policies()  # what migrate wrote, even after a transactional test


@pytest.fixture
def kam():
    boss = make_user(role="general_manager", username="boss")
    return make_user(role="key_account_manager", username="kam", manager=boss)


@pytest.fixture
def core_customer(kam):
    customer = make_customer(owner=kam, name="华东果业集团")
    make_score(make_run(), customer, tier="core")
    return customer


def _core_high() -> SlaPolicy:
    return SlaPolicy.objects.get(priority="high", tier="core", active=True)


def test_a_fresh_database_has_a_default_policy_for_every_priority() -> None:
    for priority in ("urgent", "high", "normal", "low"):
        assert services.sla_policy_for(priority, "") is not None
        assert services.sla_policy_for(priority, "potential") is not None
    core, default = services.sla_policy_for("high", "core"), services.sla_policy_for("high")
    assert core.first_response_hours < default.first_response_hours  # type: ignore[union-attr]


def test_a_portal_complaint_from_a_core_customer_gets_a_clock_and_escalates(kam, core_customer):
    portal = client_for(make_portal_user(core_customer))
    data = {"case_type": "complaint", "subject": "Broken pallets", "description": "Two broken."}
    assert portal.post(reverse("portal:case_new"), data).status_code == 302
    case = Case.objects.get()
    policy = _core_high()
    assert (case.sla_first_response_hours, case.sla_resolution_hours) == (
        policy.first_response_hours,
        policy.resolution_hours,
    )
    # Before the clock runs out nothing happens; after it, the manager gets the case.
    before = case.opened_at + dt.timedelta(hours=policy.first_response_hours) / 2
    assert escalate_service_breaches(now=before).created == []
    after = case.opened_at + dt.timedelta(hours=policy.first_response_hours, minutes=1)
    escalate_service_breaches(now=after)
    case.refresh_from_db()
    assert case.escalated and case.escalated_to == kam.manager
    assert Task.objects.filter(kind=TaskKind.CASE_ESCALATED, owner=kam.manager).count() == 1


def test_a_staff_case_for_a_core_customer_gets_a_clock_and_escalates(kam, core_customer):
    client = Client()
    client.force_login(kam)
    data = {
        "customer_code": core_customer.code,
        "case_type": "complaint",
        "priority": "high",
        "subject": "Late delivery",
    }
    assert client.post(reverse("service:case_new"), data).status_code == 302
    case = Case.objects.get()
    assert case.sla_first_response_hours == _core_high().first_response_hours
    page = client.get(reverse("service:case", args=[case.pk])).content.decode()
    assert "No SLA policy applies" not in page
    late = case.opened_at + dt.timedelta(hours=case.sla_resolution_hours + 1)
    escalate_service_breaches(now=late)
    case.refresh_from_db()
    assert case.escalated


def _admin_client() -> Client:
    client = Client()
    client.force_login(make_user(role="administrator", username="admin"))
    return client


def test_an_administrator_creates_edits_and_archives_a_policy_on_the_page() -> None:
    client = _admin_client()
    listing = client.get(reverse("service:sla_policies"))
    assert listing.status_code == 200 and "sla-policies" in listing.content.decode()
    data = {"priority": "low", "tier": "potential", "first_response_hours": 12}
    response = client.post(reverse("service:sla_policy_new"), {**data, "resolution_hours": 96})
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(priority="low", tier="potential", active=True)
    assert services.sla_policy_for("low", "potential") == policy
    edit = reverse("service:sla_policy", args=[policy.pk])
    assert client.post(edit, {**data, "resolution_hours": 120}).status_code == 302
    policy.refresh_from_db()
    assert policy.resolution_hours == 120
    assert client.post(reverse("service:sla_policy_archive", args=[policy.pk])).status_code == 302
    policy.refresh_from_db()
    assert not policy.active
    # Archived: the priority falls back to the tier-less default.
    assert services.sla_policy_for("low", "potential").tier == ""  # type: ignore[union-attr]


def test_a_duplicate_or_inverted_policy_is_refused_by_field_and_nothing_is_written() -> None:
    client = _admin_client()
    before = SlaPolicy.objects.count()
    duplicate = {"priority": "high", "tier": "core", "first_response_hours": 1}
    response = client.post(reverse("service:sla_policy_new"), {**duplicate, "resolution_hours": 9})
    assert response.status_code == 400
    assert "There is already a policy for this priority and tier." in response.content.decode()
    inverted = {"priority": "low", "tier": "ordinary", "first_response_hours": 48}
    response = client.post(reverse("service:sla_policy_new"), {**inverted, "resolution_hours": 8})
    assert response.status_code == 400
    assert "cannot be shorter than the first-response target" in response.content.decode()
    response = client.post(reverse("service:sla_policy_new"), {"priority": "low"})
    assert response.status_code == 400
    assert SlaPolicy.objects.count() == before


@pytest.mark.parametrize("role", ["key_account_manager", "sales_rep", "service_agent"])
def test_roles_without_the_settings_function_cannot_open_or_change_policies(role) -> None:
    client = Client()
    client.force_login(make_user(role=role, username="someone"))
    policy = _core_high()
    assert client.get(reverse("service:sla_policies")).status_code == 403
    edit = reverse("service:sla_policy", args=[policy.pk])
    assert client.post(edit, {"priority": "high", "tier": "core"}).status_code == 403
    assert client.post(reverse("service:sla_policy_archive", args=[policy.pk])).status_code == 403
    policy.refresh_from_db()
    assert policy.active and policy.first_response_hours == 2


def test_the_settings_pages_link_to_the_sla_policies() -> None:
    page = _admin_client().get(reverse("insights:scoring")).content.decode()
    assert reverse("service:sla_policies") in page


def test_the_migration_ships_the_default_table_of_the_service() -> None:
    migration = importlib.import_module("paretocrm.service.migrations.0006_default_sla_policies")
    assert migration.DEFAULTS == services.DEFAULT_SLA_POLICIES
    shipped = {
        (p.tier, p.priority): (p.first_response_hours, p.resolution_hours)
        for p in SlaPolicy.objects.filter(active=True)
    }
    expected = {
        (tier, priority): hours
        for tier, rows in services.DEFAULT_SLA_POLICIES.items()
        for priority, hours in rows.items()
    }
    assert shipped == expected


def test_a_case_without_a_policy_links_an_administrator_to_the_policies() -> None:
    SlaPolicy.objects.update(active=False)
    case = services.open_case(
        number="CS-9", customer=make_customer(), case_type="inquiry", subject="Price list"
    )
    page = _admin_client().get(reverse("service:case", args=[case.pk])).content.decode()
    assert "No SLA policy applies" in page and reverse("service:sla_policies") in page
