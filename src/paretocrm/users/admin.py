"""Admin of users and teams."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from paretocrm.users.models import ApiToken, Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams and sub-teams."""

    list_display = ("name", "parent")
    list_filter = ("parent",)
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff accounts with role, team and manager."""

    list_display = ("username", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("team", "manager")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("role", "team", "manager", "title", "phone")}),
        (_("My settings"), {"fields": ("language", "daily_digest")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("role", "team")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issued API tokens (digests only): back office can see and revoke, never create or read."""

    list_display = ("prefix", "user", "created_at")
    search_fields = ("user__username",)
    readonly_fields = ("user", "prefix", "created_at")
    exclude = ("digest",)

    def has_add_permission(self, request: Any) -> bool:
        """Tokens are issued by the token endpoint, which shows the key once."""
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        """A token has nothing to edit; revoke it by deleting it."""
        return False
