"""The payment ledger, receivables per invoice and customer, and aging buckets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from paretocrm.core.exceptions import AppendOnlyError
from paretocrm.customers.tests.factories import (
    make_customer,
    make_invoice,
    make_payment,
)
from paretocrm.sales.models import Invoice, Payment
from paretocrm.sales.services import customer_receivables, reverse_payment

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 6, 30)


def _due(days_overdue: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days_overdue)


@pytest.mark.parametrize(
    ("days_overdue", "bucket"),
    [
        (-10, "not_due"),
        (-1, "not_due"),
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
        (400, "90+"),
    ],
)
def test_aging_bucket_boundaries(days_overdue: int, bucket: str) -> None:
    due = _due(days_overdue)
    make_invoice(make_customer(), "100", issued_on=min(due, AS_OF), due_on=due)
    (row,) = Invoice.objects.with_receivable(AS_OF)
    assert row.aging_bucket == bucket


def test_outstanding_is_invoiced_minus_payments_received_by_the_date() -> None:
    customer = make_customer()
    invoice = make_invoice(customer, "1000.00", dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    make_payment(customer, "300.00", dt.date(2024, 6, 1), invoice)
    make_payment(customer, "200.00", dt.date(2024, 7, 15), invoice)  # after AS_OF
    row = Invoice.objects.with_receivable(AS_OF).get(pk=invoice.pk)
    assert row.paid == Decimal("300.00")
    assert row.outstanding == Decimal("700.00")
    later = Invoice.objects.with_receivable(dt.date(2024, 8, 1)).get(pk=invoice.pk)
    assert later.outstanding == Decimal("500.00")


def test_aging_by_customer_sums_outstanding_per_bucket() -> None:
    a, b = make_customer(), make_customer()
    paid_part = make_invoice(a, "500", _due(45), _due(45))
    make_payment(a, "100", _due(10), paid_part)
    make_invoice(a, "250", _due(5), _due(5))
    make_invoice(a, "80", AS_OF, AS_OF + dt.timedelta(days=30))
    fully_paid = make_invoice(b, "90", _due(100), _due(100))
    make_payment(b, "90", _due(95), fully_paid)
    make_invoice(b, "1000", _due(120), _due(120), status="cancelled")
    rows = {r["customer_id"]: r for r in Invoice.objects.aging_by_customer(AS_OF)}
    assert set(rows) == {a.pk}  # b owes nothing (paid + cancelled)
    row = rows[a.pk]
    assert row["outstanding_total"] == Decimal("730.00")
    assert row["bucket_days_31_60"] == Decimal("400.00")
    assert row["bucket_days_0_30"] == Decimal("250.00")
    assert row["bucket_not_due"] == Decimal("80.00")
    assert row["bucket_days_90_plus"] == Decimal("0.00")


def test_reversal_is_a_negative_row_and_restores_the_receivable() -> None:
    customer = make_customer()
    invoice = make_invoice(customer, "100", dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    payment = make_payment(customer, "100", dt.date(2024, 6, 10), invoice)
    assert Invoice.objects.with_receivable(AS_OF).get().outstanding == Decimal("0.00")
    reversal = reverse_payment(payment, number="REV-1", received_on=dt.date(2024, 6, 20))
    assert reversal.amount == Decimal("-100.00")
    assert reversal.reverses == payment
    assert Invoice.objects.with_receivable(AS_OF).get().outstanding == Decimal("100.00")
    assert Payment.objects.count() == 2
    with pytest.raises(ValueError, match="already reversed"):
        reverse_payment(payment, number="REV-2")
    with pytest.raises(ValueError, match="cannot be reversed"):
        reverse_payment(reversal, number="REV-3")


def test_payments_are_append_only() -> None:
    payment = make_payment(make_customer(), "50", AS_OF)
    payment.amount = Decimal("60")
    with pytest.raises(AppendOnlyError):
        payment.save()
    with pytest.raises(AppendOnlyError):
        payment.delete()
    with pytest.raises(AppendOnlyError):
        Payment.objects.update(amount=1)


def test_payment_sign_constraint() -> None:
    customer = make_customer()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_payment(customer, "-5", AS_OF)  # negative without reversing anything
    with pytest.raises(IntegrityError), transaction.atomic():
        make_payment(customer, "0", AS_OF)


def test_invoice_cannot_be_due_before_issue_or_negative() -> None:
    customer = make_customer()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(customer, "10", dt.date(2024, 2, 1), dt.date(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(customer, "-10", dt.date(2024, 2, 1), dt.date(2024, 3, 1))


def test_customer_receivable_counts_payments_on_account() -> None:
    customer, other = make_customer(), make_customer()
    make_invoice(customer, "1000", dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    make_invoice(customer, "500", dt.date(2024, 7, 5), dt.date(2024, 8, 5))  # after AS_OF
    make_payment(customer, "400", dt.date(2024, 6, 1))  # not allocated to an invoice
    make_payment(other, "20", dt.date(2024, 6, 1))
    result = customer_receivables(AS_OF)
    assert result[customer.pk].invoiced == Decimal("1000.00")
    assert result[customer.pk].balance == Decimal("600.00")
    assert result[other.pk].balance == Decimal("-20.00")
    assert set(customer_receivables(AS_OF, [other.pk])) == {other.pk}
