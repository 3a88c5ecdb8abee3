"""Read-only admin for the audit tables (AUD-2: nothing is added, changed or deleted here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from paretocrm.audit.models import AuditEvent, FieldChange


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin that only lists and shows rows."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FieldChange)
class FieldChangeAdmin(ReadOnlyAdmin):
    """Field history."""

    list_display = ("changed_at", "actor", "channel", "content_type", "object_id", "field")
    list_filter = ("channel", "content_type")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Security events."""

    list_display = ("occurred_at", "kind", "channel", "actor", "ip_address")
    list_filter = ("kind", "channel")
