"""Querysets of the sales app: scope, line totals and receivable aging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Self

from django.db import models
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from paretocrm.core.models import AppendOnlyQuerySet
from paretocrm.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from paretocrm.customers.querysets import CustomerScopedQuerySet
from paretocrm.sales.choices import AgingBucket, InvoiceStatus

MONEY = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
# Intermediate products (quantity x unit price x discount) need more places than money.
PRODUCT = DecimalField(max_digits=38, decimal_places=10)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def line_revenue_expression(prefix: str = "") -> ExpressionWrapper:
    """quantity x unit_price x (100 - discount) / 100, for lines reached via ``prefix``."""
    return ExpressionWrapper(
        F(f"{prefix}quantity")
        * F(f"{prefix}unit_price")
        * (Value(Decimal(100)) - F(f"{prefix}discount"))
        / Value(Decimal(100)),
        output_field=PRODUCT,
    )


def line_cost_expression(prefix: str = "") -> ExpressionWrapper:
    """quantity x unit_cost (NULL when the cost is unknown)."""
    return ExpressionWrapper(F(f"{prefix}quantity") * F(f"{prefix}unit_cost"), output_field=PRODUCT)


class ProductQuerySet(models.QuerySet):
    """Products."""

    def active(self) -> Self:
        """Products still on sale."""
        return self.filter(active=True)


class OpportunityQuerySet(CustomerScopedQuerySet):
    """Opportunities (scope of their customer)."""

    def open(self) -> Self:
        """Opportunities not yet won or lost."""
        return self.exclude(stage__in=["won", "lost"])


class OpportunityStageChangeQuerySet(AppendOnlyQuerySet, CustomerScopedQuerySet):
    """Stage history: append-only, scope of the opportunity's customer."""

    customer_path = "opportunity__customer"


class QuoteQuerySet(CustomerScopedQuerySet):
    """Quotes (scope of their customer)."""


class ContractQuerySet(CustomerScopedQuerySet):
    """Contracts (scope of their customer)."""


class CustomerPriceQuerySet(CustomerScopedQuerySet):
    """Customer-specific prices (scope of their customer)."""


class OrderQuerySet(CustomerScopedQuerySet):
    """Orders (scope of their customer)."""

    def with_totals(self) -> Self:
        """Annotate ``revenue``, ``cost`` and ``margin`` summed over the lines (one query).

        ``cost`` is NULL when no line has a known cost; ``margin`` is then NULL too.
        """
        return self.annotate(
            revenue=Coalesce(Sum(line_revenue_expression("lines__")), ZERO, output_field=PRODUCT),
            cost=Sum(line_cost_expression("lines__"), output_field=PRODUCT),
        ).annotate(margin=ExpressionWrapper(F("revenue") - F("cost"), output_field=PRODUCT))


class OrderLineQuerySet(CustomerScopedQuerySet):
    """Order lines (scope of the order's customer)."""

    customer_path = "order__customer"

    def with_totals(self) -> Self:
        """Annotate ``revenue``, ``cost`` and ``margin`` per line."""
        return self.annotate(
            revenue=line_revenue_expression(), cost=line_cost_expression()
        ).annotate(margin=ExpressionWrapper(F("revenue") - F("cost"), output_field=PRODUCT))


class InvoiceQuerySet(CustomerScopedQuerySet):
    """Invoices (scope of their customer) with receivable and aging annotations."""

    def with_receivable(self, as_of: dt.date) -> Self:
        """Annotate ``paid``, ``outstanding`` and ``aging_bucket`` as of a date.

        ``paid`` sums the payment ledger (reversals included, as negative rows) received on
        or before ``as_of`` through a subquery, so it cannot multiply rows when combined with
        other joins. ``aging_bucket`` is computed from date thresholds worked out in Python,
        which keeps the SQL identical on SQLite and PostgreSQL (no date arithmetic in SQL).
        """
        from paretocrm.sales.models import Payment

        paid = (
            Payment.objects.filter(invoice_id=OuterRef("pk"), received_on__lte=as_of)
            .order_by()
            .values("invoice_id")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.annotate(
            paid=Coalesce(Subquery(paid, output_field=MONEY), ZERO, output_field=MONEY),
        ).annotate(
            outstanding=ExpressionWrapper(F("amount") - F("paid"), output_field=MONEY),
            aging_bucket=aging_bucket_expression(as_of),
        )

    def receivable(self, as_of: dt.date) -> Self:
        """Issued (not draft or cancelled) invoices with money still owed on ``as_of``."""
        return (
            self.filter(issued_on__lte=as_of)
            .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED])
            .with_receivable(as_of)
            .filter(outstanding__gt=0)
        )

    def aging_by_customer(self, as_of: dt.date) -> models.QuerySet:
        """Per customer: outstanding total and one sum per aging bucket (values rows)."""
        sums = {
            f"bucket_{bucket.name.lower()}": Coalesce(
                Sum("outstanding", filter=Q(aging_bucket=bucket.value)), ZERO, output_field=MONEY
            )
            for bucket in AgingBucket
        }
        return (
            self.receivable(as_of)
            .order_by()
            .values("customer_id")
            .annotate(outstanding_total=Sum("outstanding"), **sums)
            .order_by("customer_id")
        )


def aging_bucket_expression(as_of: dt.date) -> Case:
    """SQL CASE putting ``due_on`` into an :class:`AgingBucket` relative to ``as_of``."""
    return Case(
        When(due_on__gt=as_of, then=Value(AgingBucket.NOT_DUE.value)),
        When(due_on__gte=as_of - dt.timedelta(days=30), then=Value(AgingBucket.DAYS_0_30.value)),
        When(due_on__gte=as_of - dt.timedelta(days=60), then=Value(AgingBucket.DAYS_31_60.value)),
        When(due_on__gte=as_of - dt.timedelta(days=90), then=Value(AgingBucket.DAYS_61_90.value)),
        default=Value(AgingBucket.DAYS_90_PLUS.value),
        output_field=models.CharField(max_length=8),
    )


class PaymentQuerySet(AppendOnlyQuerySet, CustomerScopedQuerySet):
    """The payment ledger: append-only, scope of the customer."""
