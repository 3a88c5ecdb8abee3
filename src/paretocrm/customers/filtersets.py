"""The customer filters, shared by the customer list page and the REST API.

Tier, lifecycle stage and churn risk come from the CURRENT score snapshot (the latest
successful scoring run), so a filter never recomputes analysis.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from paretocrm.customers.choices import CooperationLevel, CustomerScope, CustomerStatus
from paretocrm.customers.models import Customer
from paretocrm.insights.choices import LifecycleStage, Tier
from paretocrm.insights.labels import RFM_SEGMENT_LABELS
from paretocrm.insights.models import CustomerScore, ScoreRun

#: A current churn risk at or above this counts as "high" (the engine's risk lies in 0..1).
HIGH_CHURN_RISK = 0.5


def current_scores() -> QuerySet[CustomerScore]:
    """Scores of the current run (none when no run has succeeded yet)."""
    run = ScoreRun.objects.current()
    return CustomerScore.objects.filter(run=run) if run else CustomerScore.objects.none()


class CustomerFilterSet(django_filters.FilterSet):
    """Filters on customers: master data, owner, and the current snapshot's tier and risk."""

    q = django_filters.CharFilter(method="filter_search", label=_("name or code"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, method="filter_tier", label=_("tier"))
    previous_tier = django_filters.ChoiceFilter(
        choices=Tier.choices, method="filter_previous_tier", label=_("tier in the last run")
    )
    lifecycle_stage = django_filters.ChoiceFilter(
        choices=LifecycleStage.choices, method="filter_stage", label=_("lifecycle stage")
    )
    rfm_segment = django_filters.ChoiceFilter(
        choices=list(RFM_SEGMENT_LABELS.items()),
        method="filter_rfm_segment",
        label=_("RFM segment"),
    )
    churn_risk_high = django_filters.BooleanFilter(
        method="filter_churn_risk", label=_("high churn risk")
    )
    industry = django_filters.CharFilter(lookup_expr="iexact", label=_("industry"))
    region = django_filters.CharFilter(lookup_expr="iexact", label=_("region"))
    scope = django_filters.ChoiceFilter(choices=CustomerScope.choices, label=_("scope"))
    cooperation_level = django_filters.ChoiceFilter(
        choices=CooperationLevel.choices, label=_("cooperation level")
    )
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, label=_("status"))

    class Meta:
        model = Customer
        fields = ("owner",)

    def filter_search(self, queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        """Name or code contains the text (case-insensitive; works for Chinese too)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_tier(self, queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        """Customers whose current tier is ``value``."""
        ids = current_scores().filter(tier=value).values("customer_id")
        return queryset.filter(id__in=ids)

    def filter_previous_tier(
        self, queryset: QuerySet[Any], _name: str, value: str
    ) -> QuerySet[Any]:
        """Customers whose tier was ``value`` in the run before the current one (with
        ``tier``: the customers behind one cell of the dashboard's tier migration)."""
        run = ScoreRun.objects.current()
        before = ScoreRun.objects.previous(run) if run else None
        if before is None:
            return queryset.none()
        ids = CustomerScore.objects.filter(run=before, tier=value).values("customer_id")
        return queryset.filter(id__in=ids)

    def filter_rfm_segment(self, queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        """Customers in RFM segment ``value`` in the current snapshot (the RFM page's rows)."""
        ids = current_scores().filter(rfm_segment=value).values("customer_id")
        return queryset.filter(id__in=ids)

    def filter_stage(self, queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        """Customers in lifecycle stage ``value`` in the current snapshot."""
        ids = current_scores().filter(lifecycle_stage=value).values("customer_id")
        return queryset.filter(id__in=ids)

    def filter_churn_risk(self, queryset: QuerySet[Any], _name: str, value: bool) -> QuerySet[Any]:
        """True: current churn risk >= HIGH_CHURN_RISK; False: below it (or not scored)."""
        if value is None:
            return queryset
        ids = current_scores().filter(churn_risk__gte=HIGH_CHURN_RISK).values("customer_id")
        return queryset.filter(id__in=ids) if value else queryset.exclude(id__in=ids)
