"""Admin of the work app: manager targets (the back office sets and corrects them here) and
the log of daily digests sent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from paretocrm.work.models import DigestDelivery, ManagerTarget


@admin.register(ManagerTarget)
class ManagerTargetAdmin(admin.ModelAdmin):
    """Revenue targets per key-account manager and period."""

    list_display = ("manager", "period_start", "period_end", "revenue_target", "currency")
    list_filter = ("period_start",)
    search_fields = ("manager__username", "manager__first_name", "manager__last_name")
    autocomplete_fields = ("manager",)


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """Which daily digests went out (read-only: the job writes them, once per person a day).

    Deleting a row lets that person's digest of that day be sent again by the next run.
    """

    list_display = ("day", "user", "items", "sent_at")
    list_filter = ("day",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "day", "sent_at", "items")

    def has_add_permission(self, request: Any) -> bool:
        return False
