"""Querysets of the audit app: append-only, field history scoped by its customer."""

from __future__ import annotations

from paretocrm.core.models import AppendOnlyQuerySet
from paretocrm.customers.querysets import CustomerScopedQuerySet


class FieldChangeQuerySet(AppendOnlyQuerySet, CustomerScopedQuerySet):
    """Field history: append-only; visible with the customer the record belongs to."""

    def for_object(self, obj: object) -> FieldChangeQuerySet:
        """The history of one record, newest first."""
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(obj)  # type: ignore[arg-type]
        return self.filter(content_type=ct, object_id=obj.pk).order_by(  # type: ignore[attr-defined]
            "-changed_at", "-id"
        )


class AuditEventQuerySet(AppendOnlyQuerySet):
    """Security events: append-only; readable only with the audit-read function."""
