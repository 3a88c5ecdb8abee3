"""Services of the sales app: pipeline stages, the payment ledger and receivables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.core import bounds
from paretocrm.core.exceptions import DomainError
from paretocrm.sales.choices import CLOSED_STAGES, InvoiceStatus, OpportunityStage
from paretocrm.sales.models import (
    Invoice,
    Opportunity,
    OpportunityStageChange,
    Order,
    OrderLine,
    Payment,
)

#: The business ranges (core.bounds) of the fields these services write.
ORDER_BOUNDS = {"ordered_at": bounds.DATE}
LINE_BOUNDS = {"quantity": bounds.QUANTITY, "unit_price": bounds.AMOUNT, "unit_cost": bounds.AMOUNT}
INVOICE_BOUNDS = {"issued_on": bounds.DATE, "due_on": bounds.DATE, "amount": bounds.AMOUNT}
PAYMENT_BOUNDS = {"received_on": bounds.DATE, "amount": bounds.AMOUNT}


def line_errors(line: Mapping[str, Any]) -> dict[str, list[str]]:
    """Why an order line's values are out of range, per field (empty when fine); the line
    total is checked too, or a product of two plausible numbers would overflow revenue."""
    found = bounds.errors(LINE_BOUNDS, line)
    if not found and line.get("quantity") is not None and line.get("unit_price") is not None:
        total = bounds.line_total_error(line["quantity"], line["unit_price"])
        if total is not None:
            found["unit_price"] = [total]
    return found


def check_order(fields: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> None:
    """Raise a ``ValidationError`` naming each order field and line field out of range."""
    found = bounds.errors(ORDER_BOUNDS, fields)
    for position, line in enumerate(lines, start=1):
        for name, messages in line_errors(line).items():
            found.setdefault("lines", []).extend(
                _("line %(line)s, %(field)s: %(message)s")
                % {"line": line.get("line_number", position), "field": name, "message": m}
                for m in messages
            )
    if found:
        raise ValidationError(found)


@transaction.atomic
def change_stage(
    opportunity: Opportunity, stage: OpportunityStage | str, by: Any = None
) -> OpportunityStageChange | None:
    """Move an opportunity to ``stage`` and append the change to its stage history.

    Returns ``None`` when the opportunity is already in that stage. Closing (won/lost) sets
    ``closed_on``; reopening clears it.
    """
    if stage not in OpportunityStage.values:
        raise ValueError(f"stage: {stage!r} is not a pipeline stage")
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.stage == stage:
        return None
    change = OpportunityStageChange.objects.create(
        opportunity=locked, from_stage=locked.stage, to_stage=stage, changed_by=by
    )
    locked.stage = stage
    locked.closed_on = timezone.localdate() if stage in CLOSED_STAGES else None
    locked.save(update_fields=["stage", "closed_on"])
    opportunity.stage, opportunity.closed_on = locked.stage, locked.closed_on
    opportunity.version = locked.version
    return change


@transaction.atomic
def reverse_payment(
    payment: Payment,
    *,
    number: str,
    received_on: dt.date | None = None,
    reason: str = "",
    by: Any = None,
) -> Payment:
    """Undo a payment by appending its negative twin (the ledger is never edited).

    The invoice it paid is locked first (the lock order of ``record_payment``) and set back
    to issued when the reversal leaves something open on it. Raises ``ValueError`` when the
    payment is itself a reversal or was already reversed.
    """
    invoice_id = Payment.objects.filter(pk=payment.pk).values_list("invoice_id", flat=True).get()
    if received_on is not None:
        bounds.check({"received_on": bounds.DATE}, {"received_on": received_on})
    if invoice_id is not None:
        Invoice.objects.select_for_update().filter(pk=invoice_id).values_list("pk").get()
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.reverses_id is not None:
        raise ValueError(f"payment {locked.number}: a reversal cannot be reversed")
    if Payment.objects.filter(reverses=locked).exists():
        raise ValueError(f"payment {locked.number}: already reversed")
    reversal = Payment.objects.create(
        customer_id=locked.customer_id,
        invoice_id=locked.invoice_id,
        number=number,
        received_on=received_on or timezone.localdate(),
        amount=-locked.amount,
        currency=locked.currency,
        method=locked.method,
        reverses=locked,
        reference=reason,
        recorded_by=by,
    )
    if invoice_id is not None:
        settle_invoices([invoice_id])
    return reversal


class AllocationError(DomainError):
    """A payment would allocate more to an invoice than is still open on it."""


@transaction.atomic
def record_payment(**fields: Any) -> Payment:
    """Append a payment to the ledger; on an invoice, never more than is still open (DUR-2).

    ``fields`` are the payment's own (customer, invoice, number, received_on, amount, ...).
    The invoice row is locked first (``SELECT ... FOR UPDATE``), so concurrent allocations
    to one invoice queue up and each one sees the payments committed before it: the sum of
    the payments on an invoice never exceeds its amount, and receivable = invoiced - paid
    holds at every moment. Raises ``AllocationError`` naming the amount otherwise. A payment
    that leaves nothing open marks the invoice paid, in the same transaction. Dates and
    amounts out of the business range (core.bounds) raise ``ValidationError`` naming them.
    """
    bounds.check(PAYMENT_BOUNDS, fields)
    invoice = fields.get("invoice")
    if invoice is None:
        return Payment.objects.create(**fields)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    still_open = open_amount(locked)
    if Decimal(fields["amount"]) > still_open:
        raise AllocationError(
            f"amount: {fields['amount']} is more than the {still_open} still open on "
            f"invoice {locked.number}"
        )
    payment = Payment.objects.create(**fields)
    settle_invoices([locked.pk])
    return payment


def paid_on(invoice: Invoice) -> Decimal:
    """What has been paid on ``invoice`` (its payments, reversals counted)."""
    stored = Invoice.objects.filter(pk=invoice.pk).values_list("amount", flat=True).get()
    return stored - open_amount(invoice)


def check_invoice_amount(invoice: Invoice, amount: Decimal) -> None:
    """An invoice is never for less than has been paid on it (the receivable would go
    negative while the invoice still says paid); ``ValidationError`` naming ``amount``."""
    paid = paid_on(invoice)
    if Decimal(amount) < paid:
        raise ValidationError(
            {
                "amount": _(
                    "%(amount)s is less than the %(paid)s already paid on invoice %(number)s; "
                    "reverse payments first."
                )
                % {"amount": amount, "paid": paid, "number": invoice.number}
            }
        )


def paid_by_number(numbers: Iterable[str]) -> dict[str, Decimal]:
    """What has been paid on each existing invoice among ``numbers`` (one query), for
    paths that change invoices in bulk (the invoices import): an amount below it is refused
    as :func:`check_invoice_amount` refuses it one by one."""
    paid = _paid_subquery()
    rows = Invoice.objects.filter(number__in=list(set(numbers))).annotate(paid=paid)
    return dict(rows.values_list("number", "paid"))


@transaction.atomic
def update_invoice(invoice: Invoice, **changes: Any) -> Invoice:
    """Change an invoice's fields under the money rules: dates and amount within the
    business range, the amount never below what is paid; then the status follows the
    ledger (paid becomes issued again when a larger amount leaves money open).

    The invoice row is locked first, the lock order of ``record_payment``, so no payment
    lands between the check and the save.
    """
    bounds.check(INVOICE_BOUNDS, changes)
    Invoice.objects.select_for_update().filter(pk=invoice.pk).values_list("pk").get()
    if "amount" in changes:
        check_invoice_amount(invoice, changes["amount"])
    for name, value in changes.items():
        setattr(invoice, name, value)
    invoice.save()
    if settle_invoices([invoice.pk]):
        invoice.refresh_from_db()
    return invoice


def status_from_ledger(status: str, still_open: Decimal) -> str:
    """The status an invoice should have given what is still open on it.

    Issued becomes paid when nothing is open; paid becomes issued again when a reversal
    reopens it. Draft and cancelled invoices keep their status: payments do not issue or
    revive an invoice. (There is no partly-paid status: what is open is computed.)
    """
    if status == InvoiceStatus.ISSUED and still_open <= 0:
        return InvoiceStatus.PAID
    if status == InvoiceStatus.PAID and still_open > 0:
        return InvoiceStatus.ISSUED
    return str(status)


def settle_invoices(invoice_ids: Iterable[int]) -> int:
    """Bring the status of these invoices in line with the ledger; returns how many changed.

    Call inside the transaction that locked the invoices and wrote their payments. Changed
    invoices are saved one by one, so the version goes up and the field history records the
    status change with the current channel.
    """
    still_open = open_amounts(invoice_ids)
    changed = 0
    for invoice in Invoice.objects.filter(pk__in=list(still_open)).order_by("pk"):
        status = status_from_ledger(invoice.status, still_open[invoice.pk])
        if status != invoice.status:
            invoice.status = status
            invoice.save(update_fields=["status"])
            changed += 1
    return changed


def _paid_subquery() -> Coalesce:
    """The sum of the payments on the outer invoice (0 when none), as an annotation."""
    paid = (
        Payment.objects.filter(invoice_id=OuterRef("pk"))
        .order_by()
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid), Value(Decimal("0")), output_field=DecimalField())


def open_amount(invoice: Invoice) -> Decimal:
    """What is still open on ``invoice``: its amount minus its payments (reversals count)."""
    return open_amounts([invoice.pk])[invoice.pk]


def open_amounts(invoice_ids: Iterable[int]) -> dict[int, Decimal]:
    """Per invoice id, its amount minus every payment allocated to it (one query)."""
    paid = _paid_subquery()
    rows = Invoice.objects.filter(pk__in=list(invoice_ids)).annotate(paid=paid)
    return {pk: amount - paid for pk, amount, paid in rows.values_list("pk", "amount", "paid")}


def lock_open_amounts(invoice_ids: Iterable[int]) -> dict[int, Decimal]:
    """``open_amounts`` after locking the invoices (inside the caller's transaction), so
    that no concurrent allocation can change them before the caller's payments are written."""
    ids = sorted(set(invoice_ids))  # one lock order for everyone: no deadlock between imports
    list(Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    return open_amounts(ids)


@dataclass(frozen=True)
class CustomerReceivable:
    """What one customer owes on a date: invoiced minus paid (payments on account included)."""

    customer_id: int
    invoiced: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        """Invoiced minus paid (negative = customer in credit)."""
        return self.invoiced - self.paid


def customer_receivables(
    as_of: dt.date, customer_ids: list[int] | None = None
) -> dict[int, CustomerReceivable]:
    """Receivable per customer on ``as_of``: issued invoices minus the whole payment ledger.

    Amounts are in document currency; a customer billed in several currencies should be
    converted with ``paretocrm.core.services.convert`` first (left to the caller on purpose:
    the conversion date is a business decision).
    """
    invoices = Invoice.objects.filter(issued_on__lte=as_of).exclude(
        status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED]
    )
    payments = Payment.objects.filter(received_on__lte=as_of)
    if customer_ids is not None:
        invoices = invoices.filter(customer_id__in=customer_ids)
        payments = payments.filter(customer_id__in=customer_ids)
    invoiced = dict(
        invoices.order_by()
        .values("customer_id")
        .annotate(t=Sum("amount"))
        .values_list("customer_id", "t")
    )
    paid = dict(
        payments.order_by()
        .values("customer_id")
        .annotate(t=Sum("amount"))
        .values_list("customer_id", "t")
    )
    zero = Decimal("0.00")
    return {
        cid: CustomerReceivable(
            cid, Decimal(invoiced.get(cid) or zero), Decimal(paid.get(cid) or zero)
        )
        for cid in sorted(set(invoiced) | set(paid))
    }


@transaction.atomic
def create_order(*, lines: Iterable[Mapping[str, Any]], by: Any = None, **fields: Any) -> Order:
    """Create an order and its lines atomically (QUALITY.md DUR-3); lines are numbered 1..n
    when not given.

    ``fields`` are the order's own fields (customer, number, ordered_at, ...); ``by`` is
    recorded as the order's owner (sales rep) unless ``owner`` is given.
    """
    lines = [dict(line) for line in lines]
    check_order(fields, lines)
    fields.setdefault("owner", by)
    order = Order.objects.create(**fields)
    rows = []
    for position, line in enumerate(lines, start=1):
        values = dict(line)
        values.setdefault("line_number", position)
        rows.append(OrderLine(order=order, **values))
    OrderLine.objects.bulk_create(rows)
    return order
