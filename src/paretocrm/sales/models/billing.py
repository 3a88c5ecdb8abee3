"""Invoices and the payment ledger (receivables are computed, never stored)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount, validate_business_date
from paretocrm.core.models import AppendOnlyModel, VersionedModel
from paretocrm.core.money import currency_field, money_field
from paretocrm.sales.choices import InvoiceStatus, PaymentMethod
from paretocrm.sales.models.orders import Order
from paretocrm.sales.querysets import InvoiceQuerySet, PaymentQuerySet


class Invoice(VersionedModel):
    """An invoice to a customer; what is still owed is invoiced minus the payment ledger.

    See ``Invoice.objects.with_receivable(as_of)`` and ``aging_by_customer(as_of)``.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    number = models.CharField(_("invoice number"), max_length=64)
    issued_on = models.DateField(_("issued on"), validators=[validate_business_date])
    due_on = models.DateField(_("due on"), validators=[validate_business_date])
    amount = money_field(_("amount"), validators=[validate_amount])
    currency = currency_field()
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ("-issued_on", "number")
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = (
            models.Index(fields=("due_on",), name="sales_invoice_due_idx"),
            models.Index(fields=("customer", "issued_on"), name="sales_invoice_cust_date_idx"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("number",),
                name="sales_invoice_number_unique",
                violation_error_message=_("An invoice with this number already exists."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="sales_invoice_amount_not_negative",
                violation_error_message=_("An invoice amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("issued_on")),
                name="sales_invoice_due_after_issue",
                violation_error_message=_("An invoice cannot be due before it is issued."),
            ),
        )

    def __str__(self) -> str:
        return self.number


class Payment(AppendOnlyModel):
    """A payment received: one row of an append-only ledger.

    A payment is never edited or deleted. To undo one, record a reversal: a new row with the
    negative amount whose ``reverses`` points at the original (``sales.services.reverse_payment``).
    ``invoice`` is NULL for a payment on account not yet allocated to an invoice.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    number = models.CharField(_("payment number"), max_length=64)
    received_on = models.DateField(_("received on"), validators=[validate_business_date])
    amount = money_field(_("amount"), validators=[validate_amount])
    currency = currency_field()
    method = models.CharField(
        _("method"),
        max_length=32,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ("-received_on", "number")
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = (
            models.Index(fields=("customer", "received_on"), name="sales_payment_cust_date_idx"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("number",),
                name="sales_payment_number_unique",
                violation_error_message=_("A payment with this number already exists."),
            ),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="sales_payment_sign_matches_kind",
                violation_error_message=_(
                    "A payment must be positive; only a reversal (referencing the payment it "
                    "reverses) is negative."
                ),
            ),
        )

    def __str__(self) -> str:
        return self.number
