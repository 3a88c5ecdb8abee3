"""Serializers of the sales app: catalogue, pipeline, orders with lines, invoices, payments."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.sales.choices import OpportunityStage
from paretocrm.sales.models import (
    Contract,
    Invoice,
    Opportunity,
    Order,
    OrderLine,
    Payment,
    PriceList,
    PriceListItem,
    Product,
)
from paretocrm.sales.services import (
    create_order,
    line_errors,
    open_amounts,
    status_from_ledger,
    update_invoice,
)

BRIEF = ("id", "display", "version")


class ProductSerializer(ScopedModelSerializer):
    """A product of the company-wide catalogue."""

    class Meta:
        model = Product
        fields = (
            "id",
            "display",
            "sku",
            "name",
            "category",
            "unit",
            "unit_cost",
            "list_price",
            "currency",
            "active",
            "description",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "sku", "name", "version")


class PriceListItemSerializer(serializers.ModelSerializer):
    """One price in a price list."""

    class Meta:
        model = PriceListItem
        fields = ("id", "product", "unit_price", "min_quantity")
        read_only_fields = fields


class PriceListSerializer(ScopedModelSerializer):
    """A price list with its prices (prices are read-only through this endpoint)."""

    items = PriceListItemSerializer(many=True, read_only=True)

    class Meta:
        model = PriceList
        fields = (
            "id",
            "display",
            "name",
            "currency",
            "valid_from",
            "valid_to",
            "is_default",
            "active",
            "items",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "name", "currency", "valid_from")


class OpportunitySerializer(ScopedModelSerializer):
    """An opportunity; its stage moves only through the stage action (history kept)."""

    class Meta:
        model = Opportunity
        fields = (
            "id",
            "display",
            "customer",
            "name",
            "stage",
            "amount",
            "currency",
            "probability",
            "expected_close",
            "closed_on",
            "owner",
            "source",
            "lost_reason",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("closed_on",)
        brief_fields = ("id", "display", "customer", "stage", "version")

    def validate_stage(self, value: str) -> str:
        """A new opportunity may start in any stage; later moves use the stage action."""
        if self.instance is not None and value != self.instance.stage:
            raise serializers.ValidationError(
                "Change the stage with POST .../stage/ so the stage history is kept."
            )
        return value


class StageChangeSerializer(serializers.Serializer):
    """The body of the stage action."""

    stage = serializers.ChoiceField(choices=OpportunityStage.choices)


class ContractSerializer(ScopedModelSerializer):
    """A customer contract."""

    class Meta:
        model = Contract
        fields = (
            "id",
            "display",
            "customer",
            "number",
            "title",
            "start_date",
            "end_date",
            "value",
            "currency",
            "renewal_type",
            "renewal_term_months",
            "notice_period_days",
            "renewed_from",
            "status",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "customer", "number", "status", "version")


class OrderLineSerializer(ScopedModelSerializer):
    """One order line (written only together with its order)."""

    revenue = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = (
            "id",
            "display",
            "line_number",
            "product",
            "description",
            "quantity",
            "unit_price",
            "unit_cost",
            "discount",
            "revenue",
        )
        extra_kwargs: ClassVar[dict[str, dict[str, bool]]] = {"line_number": {"required": False}}

    def get_revenue(self, line: OrderLine) -> str:
        """Net revenue of the line (after discount), in the order currency."""
        return str(line.revenue())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Each value in its business range (the field validators) and the line total too."""
        attrs = super().validate(attrs)
        found = line_errors(attrs)
        if found:
            raise serializers.ValidationError(found)
        return attrs


class OrderSerializer(ScopedModelSerializer):
    """An order with nested lines, created atomically; lines are fixed after creation."""

    lines = OrderLineSerializer(many=True)
    revenue = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = (
            "id",
            "display",
            "customer",
            "number",
            "ordered_at",
            "currency",
            "status",
            "channel",
            "owner",
            "contract",
            "notes",
            "lines",
            "revenue",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "customer", "number", "ordered_at", "version")

    def get_revenue(self, order: Order) -> str:
        """Net revenue over the lines (uses the prefetched lines, no extra query)."""
        return str(order.revenue())

    def validate_lines(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """An order has at least one line and unique line numbers; lines are set on create."""
        if self.instance is not None:
            raise serializers.ValidationError(
                "Lines are set when the order is created; cancel and re-enter the order "
                "to change them."
            )
        if not value:
            raise serializers.ValidationError("An order needs at least one line.")
        numbers = [line["line_number"] for line in value if "line_number" in line]
        if len(numbers) != len(set(numbers)):
            raise serializers.ValidationError("Line numbers must be unique within the order.")
        return value

    def get_fields(self) -> dict[str, serializers.Field]:
        """On update the lines may be omitted (they cannot change)."""
        fields = super().get_fields()
        if self.instance is not None and "lines" in fields:
            fields["lines"].required = False
        return fields

    def create(self, validated_data: dict[str, Any]) -> Order:
        """Order and lines in one transaction through the order service."""
        lines = validated_data.pop("lines")
        return create_order(lines=lines, **validated_data)


class InvoiceSerializer(ScopedModelSerializer):
    """An invoice."""

    class Meta:
        model = Invoice
        fields = (
            "id",
            "display",
            "customer",
            "order",
            "number",
            "issued_on",
            "due_on",
            "amount",
            "currency",
            "status",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "customer", "number", "amount", "version")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The order, when given, must be one of the invoice's customer's orders."""
        attrs = super().validate(attrs)
        customer = attrs.get("customer") or getattr(self.instance, "customer", None)
        order = attrs.get("order")
        if order is not None and customer is not None and order.customer_id != customer.pk:
            raise serializers.ValidationError({"order": "The order belongs to another customer."})
        if "status" in attrs:
            self._check_status_against_the_ledger(attrs)
        return attrs

    def _check_status_against_the_ledger(self, attrs: dict[str, Any]) -> None:
        """Paid or not follows the payments (sales.services.settle_invoices): a client may
        draft, issue or cancel an invoice, but not call it paid while money is open, nor
        issued once it is paid in full."""
        status = attrs["status"]
        amount = attrs.get("amount", getattr(self.instance, "amount", None))
        if self.instance is None or amount is None:
            still_open = amount
        else:
            paid = self.instance.amount - open_amounts([self.instance.pk])[self.instance.pk]
            still_open = amount - paid
        if still_open is not None and status_from_ledger(status, still_open) != status:
            raise serializers.ValidationError(
                {"status": f"An invoice with {still_open} still open cannot be {status!r}."}
            )

    def update(self, instance: Invoice, validated_data: dict[str, Any]) -> Invoice:
        """Through the invoice service: never below what is paid, status per the ledger."""
        return update_invoice(instance, **validated_data)


class PaymentSerializer(ScopedModelSerializer):
    """A payment: a positive ledger row (reversals are made by the reverse action)."""

    class Meta:
        model = Payment
        fields = (
            "id",
            "display",
            "customer",
            "invoice",
            "number",
            "received_on",
            "amount",
            "currency",
            "method",
            "reverses",
            "reference",
            "recorded_by",
            "created_at",
        )
        read_only_fields = ("reverses",)
        brief_fields = ("id", "display", "customer", "number", "amount")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The invoice, when given, must be the payment's customer's invoice."""
        attrs = super().validate(attrs)
        invoice = attrs.get("invoice")
        customer = attrs.get("customer")
        if invoice is not None and customer is not None and invoice.customer_id != customer.pk:
            raise serializers.ValidationError(
                {"invoice": "The invoice belongs to another customer."}
            )
        return attrs


class PaymentReversalSerializer(serializers.Serializer):
    """The body of the reverse action: the reversal's own number and why."""

    number = serializers.CharField(max_length=64)
    received_on = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
