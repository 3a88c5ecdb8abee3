"""``paretocrm seed --bulk``: the benchmark-size company written column-wise."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min

from paretocrm.customers.models import Customer
from paretocrm.sales.models import Order, OrderLine

ANCHOR = "2025-06-30"


@pytest.fixture
def fast_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.slow
@pytest.mark.django_db
def test_bulk_seed_adds_customers_orders_and_lines_the_app_reads(fast_hashing) -> None:
    out = StringIO()
    call_command("seed", bulk=True, customers=1300, orders=8000, anchor=ANCHOR, stdout=out)
    assert Customer.objects.count() == 1300
    bulk_orders = Order.objects.filter(number__startswith="BK-")
    assert 7600 <= bulk_orders.count() <= 8400  # Poisson around the requested total
    lines = OrderLine.objects.filter(order__number__startswith="BK-")
    per_order = lines.values("order").annotate(n=Count("id")).aggregate(lo=Min("n"), hi=Max("n"))
    assert per_order["lo"] >= 1 and per_order["hi"] <= 5
    assert 1.7 <= lines.count() / bulk_orders.count() <= 2.3
    span = bulk_orders.aggregate(first=Min("ordered_at"), last=Max("ordered_at"))
    assert span["last"].date() <= dt.date(2025, 7, 1)
    assert span["first"].date() >= dt.date(2022, 6, 29)
    # Heavy tail: the top fifth of bulk customers places well over half of the orders.
    counts = sorted(
        bulk_orders.values("customer").annotate(n=Count("id")).values_list("n", flat=True),
        reverse=True,
    )
    assert sum(counts[: len(counts) // 5]) > 0.5 * sum(counts)
    # Records read back through the ORM with valid values, and new rows get fresh ids.
    customer = Customer.objects.filter(code__startswith="BK").last()
    customer.full_clean()
    assert Customer.objects.create(code="NEW-1", name="After the load").pk > customer.pk
    assert "Added 1,000 customers" in out.getvalue()
