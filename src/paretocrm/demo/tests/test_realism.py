"""The demo company looks real (issue 16, finding 10): nothing happens after the demo date,
no two customers share a name, receivables fit the demo date, no generator notes reach users,
and the sign-in page speaks to customers who come for the portal."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import models
from django.db.models import Count
from django.test import Client

from paretocrm.customers.models.accounts import Customer
from paretocrm.demo.generator import DemoConfig, generate_company
from paretocrm.demo.services import load_demo_company
from paretocrm.demo.tests.test_services import ANCHOR, COVERED_MODELS
from paretocrm.sales.models.billing import Invoice

CUSTOMERS = 150
# Dates that plan ahead and may lie after the demo date: when an invoice falls due, when a
# plan period, contract or price list ends, when an opportunity is expected to close.
PLANNED_DATES = {
    "due_on",
    "due_date",
    "period_end",
    "review_date",
    "valid_to",
    "expected_close",
    "end_date",
}
# When the loader wrote the row (the day the demo is loaded), not part of the story.
WRITTEN_AT = {"created_at", "updated_at", "date_joined"}
#: The longest an invoice of the demo may be overdue at the demo date.
OVERDUE_LIMIT = timedelta(days=120)


@pytest.fixture
def fast_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(fast_hashing) -> None:
    load_demo_company(seed=42, customers=CUSTOMERS, anchor=ANCHOR)


def event_fields(model: type[models.Model]) -> list[models.Field]:
    """Date fields that record something that happened (not when the demo was written)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and f.name not in PLANNED_DATES | WRITTEN_AT
    ]


@pytest.mark.django_db
def test_nothing_in_the_demo_happens_after_the_demo_date(fast_hashing) -> None:
    # The full demo size: with fewer customers no case happened to close after the date.
    load_demo_company(seed=42, customers=300, anchor=ANCHOR)
    end_of_day = datetime.combine(
        ANCHOR + timedelta(days=1), time(0), ZoneInfo(django_settings.TIME_ZONE)
    )
    later = []
    for label in COVERED_MODELS:
        model = apps.get_model(label)
        for f in event_fields(model):
            bound = end_of_day if isinstance(f, models.DateTimeField) else ANCHOR
            lookup = f"{f.name}__gte" if isinstance(f, models.DateTimeField) else f"{f.name}__gt"
            count = model.objects.filter(**{lookup: bound}).count()
            if count:
                later.append(f"{label}.{f.name}: {count}")
    assert not later, f"records dated after {ANCHOR}: {later}"
    # Cases still open at the demo date exist, so the rule is not met by closing nothing.
    assert apps.get_model("service.Case").objects.filter(closed_at=None).exists()


@pytest.mark.django_db
def test_no_two_demo_customers_share_a_name(demo) -> None:
    repeated = list(Customer.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1))
    assert not repeated


def test_names_stay_distinct_in_a_big_demo() -> None:
    company = generate_company(DemoConfig(seed=7, customers=2000, anchor=ANCHOR))
    names = [c.name for c in company.customers]
    assert len(set(names)) == len(names)


@pytest.mark.django_db
def test_demo_receivables_fit_the_demo_date(demo) -> None:
    from paretocrm.sales.services import open_amounts

    invoices = dict(Invoice.objects.values_list("pk", "due_on"))
    still_open = open_amounts(invoices)
    overdue = {
        pk: ANCHOR - invoices[pk]
        for pk, amount in still_open.items()
        if amount > 0 and invoices[pk] < ANCHOR
    }
    assert overdue  # some bills are late, as in any company
    too_old = {pk: age.days for pk, age in overdue.items() if age > OVERDUE_LIMIT}
    assert not too_old, f"invoices overdue for more than {OVERDUE_LIMIT.days} days: {too_old}"


@pytest.mark.django_db
def test_no_generator_notes_in_fields_users_see(demo) -> None:
    found = []
    for label in COVERED_MODELS:
        model = apps.get_model(label)
        for f in model._meta.concrete_fields:
            text = isinstance(f, models.CharField | models.TextField)
            if text and model.objects.filter(**{f"{f.name}__icontains": "trajectory"}).exists():
                found.append(f"{label}.{f.name}")
    assert not found, f"generator notes in {found}"


@pytest.mark.django_db
def test_sign_in_for_the_portal_speaks_to_the_customer() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/portal/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "core customers" not in page
    assert "customer portal" in page.lower()
    staff = Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()
    assert "customer portal" not in staff.lower()  # staff keep their own sign-in text
