"""Admin of the shared kernel, and the base class for append-only models' admins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from paretocrm.core.models import Currency, ExchangeRate


class AppendOnlyAdmin(admin.ModelAdmin):
    """Read-only admin for history tables: rows are written by services, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        """History rows are created by services (transfer, stage change, ...), not by hand."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Existing rows are never changed."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Existing rows are never deleted."""
        return False


class AppendOnlyInline(admin.TabularInline):
    """Read-only inline listing history rows under their parent."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """History rows are created by services only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Existing rows are never changed."""
        return False


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    """Currencies the company trades in."""

    list_display = ("code", "name", "minor_units", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Dated exchange rates to the base currency."""

    list_display = ("currency", "rate_date", "rate", "source")
    list_filter = ("currency",)
    search_fields = ("currency", "source")
    date_hierarchy = "rate_date"
