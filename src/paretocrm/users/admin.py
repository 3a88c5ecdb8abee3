"""Admin of users and teams."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from paretocrm.users.models import Team, User


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
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("role", "team")}),
    )
