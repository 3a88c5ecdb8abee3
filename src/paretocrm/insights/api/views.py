"""API views of the insights app: read-only snapshots (never recomputed on a request)."""

from __future__ import annotations

from django.db import models

from paretocrm.core.api.views import ScopedReadOnlyViewSet
from paretocrm.insights.api.serializers import CustomerScoreSerializer, ScoreRunSerializer
from paretocrm.insights.models import CustomerScore, ScoreRun


class ScoreRunViewSet(ScopedReadOnlyViewSet):
    """Scoring runs (status and progress for everyone; overview for full-scope users)."""

    model = ScoreRun
    company_wide = True
    serializer_class = ScoreRunSerializer
    filterset_fields = ("status", "source")
    ordering_fields = ("started_at", "finished_at", "as_of")


class CustomerScoreViewSet(ScopedReadOnlyViewSet):
    """Current scores of visible customers: the tier list (``?tier=core``)."""

    model = CustomerScore
    serializer_class = CustomerScoreSerializer
    filterset_fields = ("tier", "lifecycle_stage", "abc_class", "customer")
    search_fields = ("customer__name", "customer__code")
    ordering_fields = (
        "rating",
        "clv",
        "churn_risk",
        "value_at_risk",
        "p_alive",
        "current_value",
        "potential_value",
        "revenue",
        "health",
    )
    ordering = ("-rating", "id")
    list_select_related = ("customer",)

    def decorate_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Only the current (latest successful) run."""
        return queryset.current()
