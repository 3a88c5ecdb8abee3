"""URLs of the B8 benchmark server: the product's URLs plus two reference views.

Used only by ``bench/bench_scale.py`` through ``bench_settings`` (never by the product):

- ``/bench/drf/<pk>/``: a plain DRF detail view of the customer model giving the same
  representation as the API (the same fields, tags included) with no authentication,
  permission, throttling, scope or masking - so the B8 ratio measures what those cost;
- ``/bench/drf-min/<pk>/``: a plain DRF detail view of nine plain fields, for reference;
- ``/bench/bare/<pk>/``: a bare Django view returning those nine fields as JSON.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework import generics, serializers

from paretocrm.customers.api.serializers import CustomerSerializer
from paretocrm.customers.models import Customer
from paretocrm.urls import urlpatterns as product_urlpatterns

FIELDS = ("id", "code", "name", "industry", "region", "country", "scale", "status", "currency")


class PlainCustomerSerializer(serializers.ModelSerializer):
    """The API's customer representation on DRF's own ModelSerializer."""

    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Customer
        fields = CustomerSerializer.Meta.fields


class MinimalCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = FIELDS


class Unprotected:
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()


class PlainCustomerDetail(Unprotected, generics.RetrieveAPIView):
    queryset = Customer.objects.prefetch_related("tags")
    serializer_class = PlainCustomerSerializer


class MinimalCustomerDetail(Unprotected, generics.RetrieveAPIView):
    queryset = Customer.objects.all()
    serializer_class = MinimalCustomerSerializer


def bare_customer(_request: HttpRequest, pk: int) -> JsonResponse:
    customer = get_object_or_404(Customer.objects.values(*FIELDS), pk=pk)
    return JsonResponse(customer)


urlpatterns = [
    path("bench/drf/<int:pk>/", PlainCustomerDetail.as_view()),
    path("bench/drf-min/<int:pk>/", MinimalCustomerDetail.as_view()),
    path("bench/bare/<int:pk>/", bare_customer),
    *product_urlpatterns,
]
