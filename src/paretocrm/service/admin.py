"""Admin of service cases, SLA policies, care records and surveys."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from paretocrm.core.admin import AppendOnlyAdmin
from paretocrm.service.models import (
    CareRecord,
    Case,
    CaseEvent,
    SlaPolicy,
    SurveyInvitation,
    SurveyResponse,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """SLA targets per priority and tier."""

    list_display = ("priority", "tier", "first_response_hours", "resolution_hours")
    list_filter = ("priority", "tier")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Service cases."""

    list_display = (
        "number",
        "customer",
        "case_type",
        "priority",
        "status",
        "opened_at",
        "assigned_to",
        "escalated",
    )
    list_filter = ("case_type", "priority", "status", "escalated")
    search_fields = ("number", "subject", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "contact", "order", "assigned_to", "escalated_to")
    filter_horizontal = ("articles",)
    date_hierarchy = "opened_at"


@admin.register(CareRecord)
class CareRecordAdmin(admin.ModelAdmin):
    """Customer-care records."""

    list_display = ("occurred_at", "kind", "customer", "user", "cost")
    list_filter = ("kind",)
    search_fields = ("customer__name", "customer__code", "notes")
    autocomplete_fields = ("customer", "contact", "user", "case")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    """Satisfaction survey answers."""

    list_display = ("answered_at", "customer", "kind", "score")
    list_filter = ("kind",)
    search_fields = ("customer__name", "customer__code", "comment")
    autocomplete_fields = ("customer", "contact", "case")


@admin.register(CaseEvent)
class CaseEventAdmin(AppendOnlyAdmin):
    """The append-only history of cases (written by the case services)."""

    list_display = ("at", "case", "kind", "from_status", "to_status", "by")
    list_filter = ("kind",)
    search_fields = ("case__number", "note")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    """Satisfaction surveys sent after resolution (sent by ``send_due_surveys``)."""

    list_display = ("sent_at", "case", "customer", "email", "response")
    search_fields = ("case__number", "customer__name", "email")
    readonly_fields = ("token",)
    autocomplete_fields = ("case", "customer", "contact", "response")

    def has_add_permission(self, request: Any) -> bool:
        """Invitations are created by the survey job with a random token, not by hand."""
        return False
