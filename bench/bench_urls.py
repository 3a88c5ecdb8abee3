"""URLs of the B8 benchmark server: the product's URLs plus two reference views.

Used only by ``bench/bench_scale.py`` through ``bench_settings`` (never by the product):
``/bench/drf/<pk>/`` is a plain DRF detail view of the customer model with no
authentication, permission, throttling, scope or masking; ``/bench/bare/<pk>/`` is a bare
Django view returning the same model's fields as JSON.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework import generics, serializers

from paretocrm.customers.models import Customer
from paretocrm.urls import urlpatterns as product_urlpatterns

FIELDS = ("id", "code", "name", "industry", "region", "country", "scale", "status", "currency")


class PlainCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = FIELDS


class PlainCustomerDetail(generics.RetrieveAPIView):
    queryset = Customer.objects.all()
    serializer_class = PlainCustomerSerializer
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()


def bare_customer(_request: HttpRequest, pk: int) -> JsonResponse:
    customer = get_object_or_404(Customer.objects.values(*FIELDS), pk=pk)
    return JsonResponse(customer)


urlpatterns = [
    path("bench/drf/<int:pk>/", PlainCustomerDetail.as_view()),
    path("bench/bare/<int:pk>/", bare_customer),
    *product_urlpatterns,
]
