"""Filters of the sales app, shared by the API (and any list page)."""

from __future__ import annotations

import django_filters

from paretocrm.core.api.filters import (
    MAX_ID,
    BusinessDateFilter,
    BusinessDateTimeFilter,
    IdFilterSet,
)
from paretocrm.sales.models import Contract, Invoice, Opportunity, Order, Payment, Product


class ProductFilterSet(IdFilterSet):
    """Products by category, activity and price range."""

    min_price = django_filters.NumberFilter(
        field_name="list_price", lookup_expr="gte", min_value=-MAX_ID, max_value=MAX_ID
    )
    max_price = django_filters.NumberFilter(
        field_name="list_price", lookup_expr="lte", min_value=-MAX_ID, max_value=MAX_ID
    )

    class Meta:
        model = Product
        fields = ("category", "active", "currency")


class OpportunityFilterSet(IdFilterSet):
    """Opportunities by customer, stage, owner and expected close date."""

    close_after = BusinessDateFilter(field_name="expected_close", lookup_expr="gte")
    close_before = BusinessDateFilter(field_name="expected_close", lookup_expr="lte")

    class Meta:
        model = Opportunity
        fields = ("customer", "stage", "owner")


class ContractFilterSet(IdFilterSet):
    """Contracts by customer, status, renewal type and end date."""

    ends_before = BusinessDateFilter(field_name="end_date", lookup_expr="lte")

    class Meta:
        model = Contract
        fields = ("customer", "status", "renewal_type")


class OrderFilterSet(IdFilterSet):
    """Orders by customer, status, channel, currency and order date."""

    ordered_after = BusinessDateTimeFilter(field_name="ordered_at", lookup_expr="gte")
    ordered_before = BusinessDateTimeFilter(field_name="ordered_at", lookup_expr="lt")

    class Meta:
        model = Order
        fields = ("customer", "status", "channel", "currency", "owner")


class InvoiceFilterSet(IdFilterSet):
    """Invoices by customer, status and due date."""

    due_before = BusinessDateFilter(field_name="due_on", lookup_expr="lte")
    due_after = BusinessDateFilter(field_name="due_on", lookup_expr="gte")

    class Meta:
        model = Invoice
        fields = ("customer", "status", "currency", "order")


class PaymentFilterSet(IdFilterSet):
    """Payments by customer, invoice, method and date."""

    received_after = BusinessDateFilter(field_name="received_on", lookup_expr="gte")
    received_before = BusinessDateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ("customer", "invoice", "method", "currency")
