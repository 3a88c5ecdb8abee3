"""Filters of the service app, shared by the API (and any list page)."""

from __future__ import annotations

import django_filters

from paretocrm.core.api.filters import MAX_ID, BusinessDateTimeFilter, IdFilterSet
from paretocrm.service.models import CareRecord, Case, SurveyResponse


class CaseFilterSet(IdFilterSet):
    """Cases by customer, type, priority, status, assignee, escalation and opening date."""

    opened_after = BusinessDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = BusinessDateTimeFilter(field_name="opened_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields = ("customer", "case_type", "priority", "status", "assigned_to", "escalated")


class CareRecordFilterSet(IdFilterSet):
    """Care records by customer, kind and author."""

    class Meta:
        model = CareRecord
        fields = ("customer", "kind", "user")


class SurveyResponseFilterSet(IdFilterSet):
    """Survey answers by customer, kind, case and score range."""

    min_score = django_filters.NumberFilter(
        field_name="score", lookup_expr="gte", min_value=-MAX_ID, max_value=MAX_ID
    )
    max_score = django_filters.NumberFilter(
        field_name="score", lookup_expr="lte", min_value=-MAX_ID, max_value=MAX_ID
    )

    class Meta:
        model = SurveyResponse
        fields = ("customer", "kind", "case")
