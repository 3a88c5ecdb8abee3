"""Admin of products, prices, pipeline, contracts, orders, invoices and payments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from paretocrm.core.admin import AppendOnlyAdmin, AppendOnlyInline
from paretocrm.sales.models import (
    Contract,
    CustomerPrice,
    Invoice,
    Opportunity,
    OpportunityStageChange,
    Order,
    OrderLine,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    Quote,
    QuoteLine,
)
from paretocrm.sales.services import check_invoice_amount, settle_invoices


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    """Product categories."""

    list_display = ("name", "parent")
    search_fields = ("name",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Products."""

    list_display = ("sku", "name", "category", "unit", "unit_cost", "list_price", "active")
    list_filter = ("active", "category", "currency")
    search_fields = ("sku", "name")
    autocomplete_fields = ("category",)


class PriceListItemInline(admin.TabularInline):
    """Prices in a price list."""

    model = PriceListItem
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    """Price lists."""

    list_display = ("name", "currency", "valid_from", "valid_to", "is_default", "active")
    list_filter = ("active", "currency")
    search_fields = ("name",)
    inlines = (PriceListItemInline,)


@admin.register(PriceListItem)
class PriceListItemAdmin(admin.ModelAdmin):
    """Single price-list entries."""

    list_display = ("price_list", "product", "min_quantity", "unit_price")
    list_filter = ("price_list",)
    search_fields = ("product__sku", "product__name")
    autocomplete_fields = ("product",)


@admin.register(CustomerPrice)
class CustomerPriceAdmin(admin.ModelAdmin):
    """Customer-specific prices and discounts."""

    list_display = ("customer", "product", "unit_price", "discount", "valid_from", "valid_to")
    search_fields = ("customer__name", "customer__code", "product__sku")
    autocomplete_fields = ("customer", "product")


class StageChangeInline(AppendOnlyInline):
    """Stage history of an opportunity (read-only)."""

    model = OpportunityStageChange
    fields = ("changed_at", "from_stage", "to_stage", "changed_by")
    readonly_fields = fields


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    """Opportunities; the stage is changed with the stage service so history is kept."""

    list_display = ("name", "customer", "stage", "amount", "currency", "expected_close", "owner")
    list_filter = ("stage", "currency")
    search_fields = ("name", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "owner")
    readonly_fields = ("stage", "closed_on")
    inlines = (StageChangeInline,)


@admin.register(OpportunityStageChange)
class OpportunityStageChangeAdmin(AppendOnlyAdmin):
    """Stage history (append-only)."""

    list_display = ("opportunity", "from_stage", "to_stage", "changed_by", "changed_at")
    list_filter = ("to_stage",)
    search_fields = ("opportunity__name",)


class QuoteLineInline(admin.TabularInline):
    """Lines of a quote."""

    model = QuoteLine
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Quotes."""

    list_display = ("number", "customer", "issued_on", "valid_until", "status")
    list_filter = ("status",)
    search_fields = ("number", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "opportunity")
    inlines = (QuoteLineInline,)


@admin.register(QuoteLine)
class QuoteLineAdmin(admin.ModelAdmin):
    """Quote lines."""

    list_display = ("quote", "product", "quantity", "unit_price", "discount")
    search_fields = ("quote__number", "product__sku", "description")


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Contracts."""

    list_display = ("number", "customer", "start_date", "end_date", "value", "renewal_type")
    list_filter = ("status", "renewal_type")
    search_fields = ("number", "title", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "renewed_from")


class OrderLineInline(admin.TabularInline):
    """Lines of an order."""

    model = OrderLine
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders with their lines."""

    list_display = ("number", "customer", "ordered_at", "currency", "status", "channel")
    list_filter = ("status", "channel", "currency")
    search_fields = ("number", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "owner", "contract")
    date_hierarchy = "ordered_at"
    inlines = (OrderLineInline,)


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    """Order lines across orders."""

    list_display = ("order", "line_number", "product", "quantity", "unit_price", "discount")
    search_fields = ("order__number", "product__sku", "description")
    autocomplete_fields = ("order", "product")


class InvoiceAdminForm(forms.ModelForm):
    """An invoice in the back office: never for less than has been paid on it."""

    class Meta:
        model = Invoice
        fields = ("customer", "order", "number", "issued_on", "due_on", "amount", "currency",
                  "status")  # fmt: skip

    def clean_amount(self) -> Any:
        amount = self.cleaned_data["amount"]
        if self.instance.pk and amount is not None:
            try:
                check_invoice_amount(self.instance, amount)
            except ValidationError as error:
                raise ValidationError(error.message_dict["amount"]) from error
        return amount


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices; the status follows the payment ledger after a change (as on the API)."""

    form = InvoiceAdminForm

    list_display = ("number", "customer", "issued_on", "due_on", "amount", "currency", "status")
    list_filter = ("status", "currency")
    search_fields = ("number", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "order")
    date_hierarchy = "due_on"

    def save_model(self, request: HttpRequest, obj: Invoice, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        settle_invoices([obj.pk])


@admin.register(Payment)
class PaymentAdmin(AppendOnlyAdmin):
    """The payment ledger: new payments may be added, existing rows never change."""

    list_display = ("number", "customer", "invoice", "received_on", "amount", "currency", "method")
    list_filter = ("method", "currency")
    search_fields = ("number", "reference", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "invoice")
    date_hierarchy = "received_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Recording a new payment is allowed (it appends to the ledger)."""
        return admin.ModelAdmin.has_add_permission(self, request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Existing payments are never changed (reverse them instead)."""
        return False
