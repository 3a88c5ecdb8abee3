"""API views of the sales app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response

from paretocrm.core.api.views import ScopedModelViewSet, with_etag
from paretocrm.core.policy import Function
from paretocrm.sales import filtersets
from paretocrm.sales.api.serializers import (
    ContractSerializer,
    InvoiceSerializer,
    OpportunitySerializer,
    OrderSerializer,
    PaymentReversalSerializer,
    PaymentSerializer,
    PriceListSerializer,
    ProductSerializer,
    StageChangeSerializer,
)
from paretocrm.sales.models import (
    Contract,
    Invoice,
    Opportunity,
    Order,
    Payment,
    PriceList,
    Product,
)
from paretocrm.sales.services import (
    AllocationError,
    change_stage,
    record_payment,
    reverse_payment,
)


class ProductViewSet(ScopedModelViewSet):
    """The product catalogue: every user reads it, administrators maintain it."""

    model = Product
    company_wide = True
    write_function = Function.EDIT_CATALOGUE
    serializer_class = ProductSerializer
    filterset_class = filtersets.ProductFilterSet
    search_fields = ("sku", "name")
    ordering_fields = ("sku", "name", "list_price")


class PriceListViewSet(ScopedModelViewSet):
    """Price lists (company-wide); their prices are maintained in the back office."""

    model = PriceList
    company_wide = True
    write_function = Function.EDIT_CATALOGUE
    serializer_class = PriceListSerializer
    filterset_fields = ("currency", "active", "is_default")
    search_fields = ("name",)
    ordering_fields = ("name", "valid_from")
    list_prefetch_related = ("items",)


class OpportunityViewSet(ScopedModelViewSet):
    """Opportunities of visible customers; stage moves keep their history."""

    model = Opportunity
    serializer_class = OpportunitySerializer
    filterset_class = filtersets.OpportunityFilterSet
    search_fields = ("name",)
    ordering_fields = ("expected_close", "amount", "created_at", "name")
    stamp_user_fields = ("owner",)

    @extend_schema(request=StageChangeSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request: Request, pk: Any = None) -> Response:
        """Move the opportunity to another stage (If-Match required; history appended)."""
        opportunity = self.get_object()
        body = StageChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            self.check_version(opportunity)
            change_stage(opportunity, body.validated_data["stage"], by=request.user)
        data = self.get_serializer(opportunity).data
        return with_etag(Response(data), Opportunity)


class ContractViewSet(ScopedModelViewSet):
    """Contracts of visible customers."""

    model = Contract
    serializer_class = ContractSerializer
    filterset_class = filtersets.ContractFilterSet
    search_fields = ("number", "title")
    ordering_fields = ("start_date", "end_date", "value", "number")


class OrderViewSet(ScopedModelViewSet):
    """Orders of visible customers, each with its lines (created in one request)."""

    model = Order
    serializer_class = OrderSerializer
    filterset_class = filtersets.OrderFilterSet
    search_fields = ("number",)
    ordering_fields = ("ordered_at", "number", "created_at")
    list_prefetch_related = ("lines",)
    stamp_user_fields = ("owner",)


class InvoiceViewSet(ScopedModelViewSet):
    """Invoices of visible customers."""

    model = Invoice
    serializer_class = InvoiceSerializer
    filterset_class = filtersets.InvoiceFilterSet
    search_fields = ("number",)
    ordering_fields = ("issued_on", "due_on", "amount", "number")


class PaymentViewSet(ScopedModelViewSet):
    """The payment ledger of visible customers: create and reverse, never edit or delete."""

    model = Payment
    serializer_class = PaymentSerializer
    write_function = Function.EDIT_ACCOUNTS
    filterset_class = filtersets.PaymentFilterSet
    search_fields = ("number", "reference")
    ordering_fields = ("received_on", "amount", "number")
    stamp_user_fields = ("recorded_by",)
    # The ledger is append-only: no PUT/PATCH/DELETE route exists at all.
    http_method_names: ClassVar[list[str]] = ["get", "post", "head", "options"]

    def perform_create(self, serializer: PaymentSerializer) -> None:
        """Record through the ledger service: an invoice is never over-allocated (DUR-2)."""
        try:
            serializer.instance = record_payment(
                **serializer.validated_data, recorded_by=self.request.user
            )
        except AllocationError as exc:
            raise ValidationError({"amount": [str(exc)]}) from exc
        except DjangoValidationError as exc:  # out of the business range (core.bounds)
            raise ValidationError(get_error_detail(exc)) from exc

    @extend_schema(request=PaymentReversalSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: Any = None) -> Response:
        """Append the negative twin of this payment (a ledger is corrected, not edited)."""
        payment = self.get_object()
        body = PaymentReversalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if Payment.objects.filter(number=body.validated_data["number"]).exists():
            return Response(
                {"number": ["A payment with this number already exists."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            reversal = reverse_payment(
                payment,
                number=body.validated_data["number"],
                received_on=body.validated_data.get("received_on"),
                reason=body.validated_data.get("reason", ""),
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise ValidationError(get_error_detail(exc)) from exc
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(reversal).data, status=status.HTTP_201_CREATED)
