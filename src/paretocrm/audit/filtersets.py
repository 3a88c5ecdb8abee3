"""Filters of the audit log, shared by the API and the audit page (AUD-2/3).

Both tables are filtered the same way: by record (``object_type`` as ``app_label.model``
and ``object_id``), by user, by kind or field, and by a date range (UTC days).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.core.api.filters import BusinessDateFilter, IdFilterSet, IdNumberFilter


def _by_object_type(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Rows about records of one type, named ``app_label.model`` (unknown: no rows)."""
    app_label, _, model = (value or "").strip().lower().partition(".")
    ct = ContentType.objects.filter(app_label=app_label, model=model).first()
    return queryset.filter(content_type=ct) if ct else queryset.none()


class _AuditFilterSet(IdFilterSet):
    """What both audit tables filter on."""

    object_type = django_filters.CharFilter(
        method=_by_object_type, label="record type", help_text="e.g. customers.customer"
    )
    object_id = IdNumberFilter(field_name="object_id", label="record id")
    user = IdNumberFilter(field_name="actor_id", label="user id")
    channel = django_filters.ChoiceFilter(choices=ChangeChannel.choices)


class AuditEventFilterSet(_AuditFilterSet):
    """Security events by record, user, kind, channel and date."""

    kind = django_filters.ChoiceFilter(choices=SecurityEventKind.choices)
    since = BusinessDateFilter(field_name="occurred_at", lookup_expr="date__gte")
    until = BusinessDateFilter(field_name="occurred_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ("kind", "channel", "object_id")


class FieldChangeFilterSet(_AuditFilterSet):
    """Field changes by record, user, field, customer, channel and date."""

    field = django_filters.CharFilter(field_name="field")
    customer = IdNumberFilter(field_name="customer_id")
    since = BusinessDateFilter(field_name="changed_at", lookup_expr="date__gte")
    until = BusinessDateFilter(field_name="changed_at", lookup_expr="date__lte")

    class Meta:
        model = FieldChange
        fields = ("channel", "object_id")
