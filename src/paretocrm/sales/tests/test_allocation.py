"""DUR-2: payments allocated to an invoice never exceed it, also when they race."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient
from tests.api_samples import new_user

from paretocrm.customers.tests.factories import make_customer, make_invoice
from paretocrm.sales import services
from paretocrm.sales.models import Payment
from paretocrm.sales.services import AllocationError, customer_receivables, record_payment

DAY = dt.date(2026, 3, 2)


def pay(invoice, amount: str, number: str) -> Payment:  # type: ignore[no-untyped-def]
    return record_payment(
        customer=invoice.customer,
        invoice=invoice,
        number=number,
        received_on=DAY,
        amount=Decimal(amount),
    )


@pytest.mark.django_db
def test_dur2_an_allocation_beyond_the_open_amount_is_refused_reversals_reopen_it() -> None:
    invoice = make_invoice(make_customer(), "1000.00", DAY, DAY)
    first = pay(invoice, "600.00", "P1")
    with pytest.raises(AllocationError, match=r"amount: 500.00 is more than the 400.00 still"):
        pay(invoice, "500.00", "P2")
    pay(invoice, "400.00", "P3")
    assert services.open_amount(invoice) == 0
    services.reverse_payment(first, number="R1")
    assert services.open_amount(invoice) == Decimal("600.00")
    pay(invoice, "600.00", "P4")


@pytest.mark.django_db
def test_dur2_the_api_refuses_an_over_allocation_naming_the_amount() -> None:
    cache.clear()
    user = new_user("key_account_manager")
    customer = make_customer(owner=user)
    invoice = make_invoice(customer, "100.00", DAY, DAY)
    client = APIClient()
    client.force_authenticate(user=user)
    body = {"customer": customer.pk, "invoice": invoice.pk, "received_on": str(DAY)}
    response = client.post(
        reverse("payment-list"), {**body, "number": "A1", "amount": "100.01"}, format="json"
    )
    assert response.status_code == 400
    assert "100.00 still open" in response.json()["amount"][0]
    assert not Payment.objects.exists()
    response = client.post(
        reverse("payment-list"), {**body, "number": "A2", "amount": "100.00"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Payment.objects.get().recorded_by_id == user.pk


THREADS, INVOICED, EACH = 8, Decimal("1000.00"), Decimal("300.00")


@pytest.mark.django_db(transaction=True)
def test_dur2_receivable_holds_under_concurrent_allocation_on_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eight threads, each with its own connection, allocate 300 to one 1,000 invoice at
    the same moment. Each one pauses between reading the open amount and writing its
    payment, so without the row lock all eight would see 1,000 open and all succeed."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) are PostgreSQL's; the PG pass runs this")
    invoice = make_invoice(make_customer(), str(INVOICED), DAY, DAY)
    slow_open = services.open_amount

    def open_then_pause(inv):  # type: ignore[no-untyped-def]
        amount = slow_open(inv)
        time.sleep(0.05)  # widen the read-then-write window a race would use
        return amount

    monkeypatch.setattr(services, "open_amount", open_then_pause)
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def allocate(n: int) -> None:
        try:
            start.wait()
            pay(invoice, str(EACH), f"RACE-{n}")
            outcomes.append("ok")
        except AllocationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 5
    paid = sum(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True))
    assert paid == 3 * EACH <= INVOICED
    receivable = customer_receivables(DAY, [invoice.customer_id])[invoice.customer_id]
    assert (receivable.invoiced, receivable.paid) == (INVOICED, paid)
    assert receivable.balance == INVOICED - paid == Decimal("100.00")


@pytest.mark.django_db
def test_dur2_an_invoice_is_paid_when_fully_allocated_and_reopened_by_a_reversal() -> None:
    from paretocrm.audit.models import FieldChange

    invoice = make_invoice(make_customer(), "1000.00", DAY, DAY)
    first = pay(invoice, "600.00", "P1")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.version) == ("issued", 1)
    pay(invoice, "400.00", "P2")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.version) == ("paid", 2)
    services.reverse_payment(first, number="R1")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.version) == ("issued", 3)
    pay(invoice, "600.00", "P3")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    history = FieldChange.objects.filter(field="status").order_by("id")
    assert [(c.old_value, c.new_value) for c in history] == [
        ("issued", "paid"),
        ("paid", "issued"),
        ("issued", "paid"),
    ]


@pytest.mark.django_db
def test_payments_do_not_revive_draft_or_cancelled_invoices() -> None:
    assert services.status_from_ledger("draft", Decimal(0)) == "draft"
    assert services.status_from_ledger("cancelled", Decimal(0)) == "cancelled"
    assert services.status_from_ledger("issued", Decimal("0.01")) == "issued"
    cancelled = make_invoice(make_customer(), "50.00", DAY, DAY, status="cancelled")
    pay(cancelled, "50.00", "P1")
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"


@pytest.mark.django_db
def test_a_payment_through_the_api_marks_the_invoice_paid() -> None:
    cache.clear()
    user = new_user("key_account_manager")
    customer = make_customer(owner=user)
    invoice = make_invoice(customer, "100.00", DAY, DAY)
    client = APIClient()
    client.force_authenticate(user=user)
    body = {"customer": customer.pk, "invoice": invoice.pk, "received_on": str(DAY)}
    response = client.post(
        reverse("payment-list"), {**body, "number": "A1", "amount": "100.00"}, format="json"
    )
    assert response.status_code == 201, response.content
    invoice.refresh_from_db()
    assert invoice.status == "paid"
