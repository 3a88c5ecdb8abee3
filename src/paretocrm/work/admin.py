"""Admin of the work app: manager targets (the back office sets and corrects them here)."""

from __future__ import annotations

from django.contrib import admin

from paretocrm.work.models import ManagerTarget


@admin.register(ManagerTarget)
class ManagerTargetAdmin(admin.ModelAdmin):
    """Revenue targets per key-account manager and period."""

    list_display = ("manager", "period_start", "period_end", "revenue_target", "currency")
    list_filter = ("period_start",)
    search_fields = ("manager__username", "manager__first_name", "manager__last_name")
    autocomplete_fields = ("manager",)
