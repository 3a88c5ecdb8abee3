"""Pages of the sales app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from paretocrm.core.views import ScopedListView
from paretocrm.sales.models import Order


class OrderListView(ScopedListView):
    """Orders the user may see, newest first, with their totals (one query per page)."""

    model = Order
    template_name = "sales/order_list.html"
    search_fields = ("number", "customer__name", "customer__code")
    select_related = ("customer",)
    page_title = _("Orders")

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().with_totals().order_by("-ordered_at", "number")
