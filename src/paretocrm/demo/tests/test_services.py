"""Loading the demo company into the database (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Count, F, Q, Sum

from paretocrm.customers.models.accounts import Customer
from paretocrm.demo.activity import iter_activity
from paretocrm.demo.generator import DemoConfig, generate_company
from paretocrm.demo.services import DemoError, demo_is_loaded, load_demo_company
from paretocrm.sales.models.billing import Invoice
from paretocrm.sales.models.orders import Order, OrderLine
from paretocrm.service.models import Case
from paretocrm.users.models import User

ANCHOR = date(2025, 6, 30)
SMALL = 40
# Every operational model the demo must fill (issue 2: "the demo data covers all of them").
COVERED_MODELS = [
    "core.Currency",
    "core.ExchangeRate",
    "users.Team",
    "users.User",
    "customers.Tag",
    "customers.CountryNote",
    "customers.Customer",
    "customers.AccountTeamMember",
    "customers.OwnershipChange",
    "customers.Contact",
    "customers.ContactConsent",
    "customers.Interaction",
    "customers.AccountPlan",
    "customers.AccountPlanGoal",
    "customers.AccountPlanAction",
    "sales.ProductCategory",
    "sales.Product",
    "sales.PriceList",
    "sales.PriceListItem",
    "sales.CustomerPrice",
    "sales.Opportunity",
    "sales.OpportunityStageChange",
    "sales.Contract",
    "sales.Order",
    "sales.OrderLine",
    "sales.Invoice",
    "sales.Payment",
    "service.Case",
    "service.CareRecord",
    "service.SurveyResponse",
    "marketing.Campaign",
    "marketing.CampaignMember",
    "marketing.CampaignAttribution",
    "knowledge.ArticleCategory",
    "knowledge.Article",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests of the loader do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def row_counts() -> dict[str, int]:
    """Rows per model for every covered model."""
    return {label: apps.get_model(label).objects.count() for label in COVERED_MODELS}


@pytest.mark.django_db
def test_small_company_loads_and_covers_every_entity() -> None:
    report = load_demo_company(seed=42, customers=SMALL, anchor=ANCHOR)
    assert report.created
    counts = row_counts()
    empty = [label for label, count in counts.items() if count == 0]
    assert not empty, f"models without demo rows: {empty}"
    assert counts["customers.Customer"] == SMALL
    assert counts["users.User"] == 8
    assert report.counts["sales.Order"] == counts["sales.Order"]
    assert Customer.objects.filter(parent__isnull=False).exists()
    assert {"zh-hans", "en"} <= set(
        apps.get_model("knowledge.Article").objects.values_list("language", flat=True)
    )


@pytest.mark.django_db
def test_loading_twice_adds_nothing() -> None:
    load_demo_company(seed=42, customers=SMALL, anchor=ANCHOR)
    before = row_counts()
    again = load_demo_company(seed=42, customers=SMALL, anchor=ANCHOR)
    assert not again.created
    assert again.logins  # the logins are still reported for printing
    assert row_counts() == before


@pytest.mark.django_db
def test_database_holds_exactly_the_generated_orders() -> None:
    load_demo_company(seed=5, customers=30, anchor=ANCHOR)
    company = generate_company(DemoConfig(seed=5, customers=30, anchor=ANCHOR))
    generated = {o.number: o.total for block in iter_activity(company) for o in block.orders}
    stored = Order.objects.count()
    assert stored == len(generated)
    # Summed in Python: SQLite divides whole-number decimals as integers (5 / 100 = 0).
    lines = OrderLine.objects.values_list("quantity", "unit_price", "discount")
    revenue = sum(q * p * (1 - d / 100) for q, p, d in lines)
    assert abs(revenue - sum(generated.values())) < Decimal("0.01") * stored


@pytest.mark.django_db
def test_demo_has_overdue_receivables_breached_slas_and_lost_customers() -> None:
    load_demo_company(seed=42, customers=SMALL, anchor=ANCHOR)
    overdue = (
        Invoice.objects.filter(due_on__lt=ANCHOR)
        .annotate(paid=Sum("payments__amount"))
        .filter(Q(paid__isnull=True) | Q(paid__lt=F("amount")))
    )
    assert overdue.exists()
    breached = [
        case
        for case in Case.objects.exclude(first_response_at=None)
        if case.first_response_at - case.opened_at > timedelta(hours=case.sla_first_response_hours)
    ]
    assert breached
    company = generate_company(DemoConfig(seed=42, customers=SMALL, anchor=ANCHOR))
    lost_codes = [c.code for c in company.customers if c.trajectory == "lost"]
    lost = Customer.objects.filter(code__in=lost_codes)
    assert lost.exists()
    recent = Order.objects.filter(customer__in=lost, ordered_at__date__gt=ANCHOR - timedelta(183))
    assert not recent.exists()
    assert Customer.objects.annotate(n=Count("orders")).filter(n=0).count() < SMALL // 4


@pytest.mark.django_db
def test_demo_users_can_log_in_with_the_printed_passwords() -> None:
    report = load_demo_company(seed=42, customers=10, anchor=ANCHOR)
    for login in report.logins:
        user = User.objects.get(username=login.username)
        assert user.role == login.role
        assert user.check_password(login.password)
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_taken_demo_username_is_refused_with_a_clear_message() -> None:
    User.objects.create_user(username="kam", password="Unrelated-Secret-991")
    with pytest.raises(DemoError, match="users named kam"):
        load_demo_company(seed=42, customers=10, anchor=ANCHOR)
    assert not demo_is_loaded()


@pytest.mark.django_db
def test_bad_sizes_are_refused_naming_the_option() -> None:
    with pytest.raises(DemoError, match="--customers"):
        load_demo_company(customers=0)
    with pytest.raises(DemoError, match="--orders"):
        load_demo_company(customers=5, orders=0)


@pytest.mark.django_db
def test_rows_added_after_the_load_get_fresh_ids() -> None:
    """The loader assigns ids itself; the id sequence must continue after them."""
    load_demo_company(seed=3, customers=10, anchor=ANCHOR)
    biggest = Customer.objects.order_by("-pk").first()
    assert biggest is not None
    added = Customer.objects.create(code="AFTER-DEMO-1", name="Added later")
    assert added.pk > biggest.pk
    order = Order.objects.create(customer=added, number="AFTER-SO-1", ordered_at=biggest.created_at)
    assert order.pk > Order.objects.exclude(pk=order.pk).order_by("-pk").first().pk


@pytest.mark.django_db
def test_demo_never_over_allocates_and_invoice_statuses_follow_the_ledger() -> None:
    from paretocrm.sales.services import open_amounts, status_from_ledger

    load_demo_company(seed=42, customers=SMALL, anchor=ANCHOR)
    invoices = list(Invoice.objects.values_list("pk", "status"))
    still_open = open_amounts(pk for pk, _status in invoices)
    assert all(amount >= 0 for amount in still_open.values())  # no invoice paid beyond it
    wrong = [pk for pk, status in invoices if status_from_ledger(status, still_open[pk]) != status]
    assert not wrong
    statuses = {status for _pk, status in invoices}
    assert {"paid", "issued"} <= statuses  # both kinds occur, so the check means something
    fully_paid = {pk for pk, amount in still_open.items() if amount == 0}
    assert {pk for pk, status in invoices if status == "paid"} == fully_paid


@pytest.mark.django_db
def test_the_demo_writer_refuses_payments_beyond_their_invoice(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Demo payments are written in bulk, past record_payment: the writer holds its rule."""
    from dataclasses import replace

    from paretocrm.demo import activity

    original = activity._billing

    def paid_twice(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = args[-1]
        before = len(out.payments)
        original(*args, **kwargs)
        out.payments += [replace(p, number=p.number + "-AGAIN") for p in out.payments[before:]]

    monkeypatch.setattr(activity, "_billing", paid_twice)
    with pytest.raises(ValueError, match="demo payments exceed their invoices: DEMO-INV"):
        load_demo_company(seed=42, customers=SMALL, anchor=ANCHOR)


@pytest.mark.django_db
def test_demo_cases_take_their_sla_targets_from_the_sla_policies() -> None:
    """Issue 16 finding 1: the demo wrote hours into its cases, hiding that no policy existed."""
    from paretocrm.service.models import SlaPolicy
    from paretocrm.service.tests.defaults import restore_shipped_policies

    restore_shipped_policies()
    SlaPolicy.objects.filter(priority="normal", tier="").update(first_response_hours=7)
    load_demo_company(seed=42, customers=SMALL, anchor=ANCHOR)
    for priority, hours in Case.objects.values_list("priority", "sla_first_response_hours"):
        policy = SlaPolicy.objects.get(priority=priority, tier="", active=True)
        assert hours == policy.first_response_hours
    assert Case.objects.filter(priority="normal", sla_first_response_hours=7).exists()
