"""Pages of the sales app: orders, contracts and invoices with receivable aging."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Case, Count, F, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from paretocrm.core.views import ScopedListView
from paretocrm.sales.choices import AgingBucket, ContractStatus
from paretocrm.sales.models import Contract, Invoice, Order


class OrderListView(ScopedListView):
    """Orders the user may see, newest first, with their totals (one query per page)."""

    model = Order
    template_name = "sales/order_list.html"
    search_fields = ("number", "customer__name", "customer__code")
    select_related = ("customer",)
    page_title = _("Orders")

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().with_totals().order_by("-ordered_at", "number")


class ContractListView(ScopedListView):
    """Contracts in scope, the next to end (renewal or expiry) first; filter by status."""

    model = Contract
    template_name = "sales/contract_list.html"
    search_fields = ("number", "title", "customer__name", "customer__code")
    select_related = ("customer",)
    page_title = _("Contracts")

    def status(self) -> str:
        """The status filter (empty = all)."""
        value = self.request.GET.get("status", "")
        return value if value in ContractStatus.values else ""

    def base_queryset(self) -> QuerySet[Any]:
        queryset = super().base_queryset()
        if self.status():
            queryset = queryset.filter(status=self.status())
        # Contracts in force first (the renewals to act on), then drafts, then the closed
        # ones; within each the next to end first, open-ended last, number for stability.
        in_force_first = Case(
            When(status=ContractStatus.ACTIVE, then=Value(0)),
            When(status=ContractStatus.DRAFT, then=Value(1)),
            default=Value(2),
        )
        return queryset.order_by(in_force_first, F("end_date").asc(nulls_last=True), "number")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(statuses=ContractStatus.choices, status=self.status())
        return context


class ContractDetailView(LoginRequiredMixin, DetailView):
    """One contract: terms, value, renewal and its renewal chain (404 outside scope)."""

    template_name = "sales/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self) -> QuerySet[Contract]:
        return Contract.objects.visible_to(self.request.user).select_related(
            "customer", "renewed_from"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contract = self.object
        context["renewals"] = list(
            Contract.objects.visible_to(self.request.user)
            .filter(renewed_from=contract)
            .order_by("start_date", "number")
        )
        context["notice_by"] = notice_deadline(contract)
        return context


def notice_deadline(contract: Contract) -> dt.date | None:
    """Last day to give notice before the end date (None without end date or notice)."""
    if contract.end_date is None or not contract.notice_period_days:
        return None
    return contract.end_date - dt.timedelta(days=contract.notice_period_days)


class InvoiceListView(ScopedListView):
    """Invoices in scope with what is still owed and its aging bucket, totals per bucket.

    By default only invoices with money outstanding today (receivables); ``?all=1`` lists
    every invoice. ``?bucket=`` narrows to one aging bucket.
    """

    model = Invoice
    template_name = "sales/invoice_list.html"
    search_fields = ("number", "customer__name", "customer__code")
    select_related = ("customer",)
    page_title = _("Invoices and receivables")

    def setup(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.as_of = timezone.localdate()
        self.show_all = request.GET.get("all") == "1"
        bucket = request.GET.get("bucket", "")
        self.bucket = bucket if bucket in AgingBucket.values else ""

    def base_queryset(self) -> QuerySet[Any]:
        scoped = super().base_queryset()
        queryset = (
            scoped.with_receivable(self.as_of) if self.show_all else scoped.receivable(self.as_of)
        )
        if self.bucket:
            queryset = queryset.filter(aging_bucket=self.bucket)
        return queryset.order_by("due_on", "number")

    def bucket_totals(self) -> list[dict[str, Any]]:
        """Outstanding per currency and aging bucket over everything in scope (one query)."""
        rows = (
            Invoice.objects.visible_to(self.request.user)
            .receivable(self.as_of)
            .order_by()
            .values("currency", "aging_bucket")
            .annotate(total=Sum("outstanding"), invoices=Count("id"))
        )
        by_currency: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = by_currency.setdefault(row["currency"], {"currency": row["currency"]})
            entry[row["aging_bucket"]] = row
        table = []
        for currency in sorted(by_currency):
            cells = [by_currency[currency].get(b.value) for b in AgingBucket]
            table.append(
                {
                    "currency": currency,
                    "cells": [(c["total"], c["invoices"]) if c else (None, 0) for c in cells],
                    "total": sum((c["total"] for c in cells if c), start=0),
                }
            )
        return table

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for invoice in context["object_list"]:
            invoice.aging_label = AgingBucket(invoice.aging_bucket).label
        context.update(
            as_of=self.as_of,
            buckets=AgingBucket.choices,
            bucket=self.bucket,
            show_all=self.show_all,
            totals=self.bucket_totals(),
        )
        return context
