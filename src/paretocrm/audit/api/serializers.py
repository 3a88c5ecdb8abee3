"""Serializers of the audit log (read-only; values are stored masked, AUD-4, and free text
is masked again for roles without view-unmasked, PRIV-5)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.audit.services import shown_changes


class _AuditSerializer(serializers.ModelSerializer):
    """Common to both tables: the record type as ``app_label.model``."""

    object_type = serializers.SerializerMethodField()

    def get_object_type(self, obj: AuditEvent | FieldChange) -> str | None:
        """``app_label.model`` of the record the row is about (None when about none)."""
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}" if ct is not None else None


class AuditEventSerializer(_AuditSerializer):
    """A security event."""

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "occurred_at",
            "kind",
            "channel",
            "actor",
            "ip_address",
            "object_type",
            "object_id",
            "detail",
        )
        read_only_fields = fields


class FieldChangeSerializer(_AuditSerializer):
    """One field of one record changed: who, when, channel, old -> new."""

    def to_representation(self, instance: FieldChange) -> dict[str, Any]:
        """Text values with personal data masked for roles without view-unmasked (PRIV-5)."""
        request = self.context.get("request")
        (shown,) = shown_changes(getattr(request, "user", None), [instance])
        return super().to_representation(shown)

    class Meta:
        model = FieldChange
        fields = (
            "id",
            "changed_at",
            "actor",
            "channel",
            "object_type",
            "object_id",
            "customer",
            "field",
            "old_value",
            "new_value",
        )
        read_only_fields = fields
