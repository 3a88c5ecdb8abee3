"""Admin of customers, contacts, interactions, ownership history and account plans."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from paretocrm.core.admin import AppendOnlyAdmin, AppendOnlyInline
from paretocrm.customers.models import (
    AccountPlan,
    AccountPlanAction,
    AccountPlanGoal,
    AccountTeamMember,
    Contact,
    ContactConsent,
    CountryNote,
    Customer,
    Interaction,
    OwnershipChange,
    SavedView,
    Tag,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Customer tags."""

    search_fields = ("name",)


@admin.register(CountryNote)
class CountryNoteAdmin(admin.ModelAdmin):
    """Country notes for exporters."""

    list_display = ("country", "trade_terms", "currency")
    list_filter = ("trade_terms",)
    search_fields = ("country", "culture", "regulations")


class AccountTeamMemberInline(admin.TabularInline):
    """Account team of a customer."""

    model = AccountTeamMember
    extra = 0
    autocomplete_fields = ("user",)


class OwnershipChangeInline(AppendOnlyInline):
    """Ownership history shown (read-only) on the customer."""

    model = OwnershipChange
    fk_name = "customer"
    fields = ("changed_at", "old_owner", "new_owner", "changed_by", "channel", "reason")
    readonly_fields = fields


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Customer master. The owner is changed with the transfer service, not edited here."""

    list_display = ("code", "name", "industry", "region", "country", "owner", "status")
    list_filter = ("status", "scope", "cooperation_level", "channel", "scale", "country")
    search_fields = ("code", "name", "industry", "region")
    autocomplete_fields = ("parent", "owner", "team", "tags")
    readonly_fields = ("owner", "version", "archived_at")
    inlines = (AccountTeamMemberInline, OwnershipChangeInline)

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None) -> Any:
        """The owner is set when a customer is created, then only by an ownership transfer."""
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is not None else tuple(f for f in fields if f != "owner")


class ContactConsentInline(AppendOnlyInline):
    """Consent records of a contact (read-only; new decisions via the consent service)."""

    model = ContactConsent
    fields = ("recorded_at", "channel", "granted", "source", "recorded_by")
    readonly_fields = fields


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Contacts at customers."""

    list_display = ("name", "customer", "title", "buying_role", "influence", "is_active")
    list_filter = ("buying_role", "is_active")
    search_fields = ("name", "customer__name", "customer__code", "email")
    autocomplete_fields = ("customer",)
    inlines = (ContactConsentInline,)


@admin.register(ContactConsent)
class ContactConsentAdmin(AppendOnlyAdmin):
    """Consent history (append-only)."""

    list_display = ("contact", "channel", "granted", "recorded_at", "source")
    list_filter = ("channel", "granted")
    search_fields = ("contact__name", "source")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    """Logged interactions."""

    list_display = ("occurred_at", "kind", "customer", "user", "subject")
    list_filter = ("kind",)
    search_fields = ("subject", "notes", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "contacts", "user")
    date_hierarchy = "occurred_at"


@admin.register(OwnershipChange)
class OwnershipChangeAdmin(AppendOnlyAdmin):
    """Ownership history (append-only)."""

    list_display = ("changed_at", "customer", "old_owner", "new_owner", "changed_by", "channel")
    list_filter = ("channel",)
    search_fields = ("customer__name", "customer__code", "reason")
    date_hierarchy = "changed_at"


class AccountPlanGoalInline(admin.TabularInline):
    """Goals of an account plan."""

    model = AccountPlanGoal
    extra = 0


class AccountPlanActionInline(admin.TabularInline):
    """Actions of an account plan."""

    model = AccountPlanAction
    extra = 0
    autocomplete_fields = ("owner",)


@admin.register(AccountPlan)
class AccountPlanAdmin(admin.ModelAdmin):
    """Key-account plans with goals and actions."""

    list_display = ("title", "customer", "period_start", "period_end", "status", "review_date")
    list_filter = ("status",)
    search_fields = ("title", "customer__name", "customer__code")
    autocomplete_fields = ("customer", "owner")
    inlines = (AccountPlanGoalInline, AccountPlanActionInline)


@admin.register(AccountPlanAction)
class AccountPlanActionAdmin(admin.ModelAdmin):
    """Account-plan actions, for a to-do view across plans."""

    list_display = ("description", "plan", "owner", "due_date", "status")
    list_filter = ("status",)
    search_fields = ("description", "plan__title")
    autocomplete_fields = ("owner",)


@admin.register(AccountPlanGoal)
class AccountPlanGoalAdmin(admin.ModelAdmin):
    """Account-plan goals."""

    list_display = ("description", "plan", "due_date", "status")
    list_filter = ("status",)
    search_fields = ("description", "plan__title")


@admin.register(AccountTeamMember)
class AccountTeamMemberAdmin(admin.ModelAdmin):
    """Account-team memberships across customers."""

    list_display = ("customer", "user", "role")
    list_filter = ("role",)
    search_fields = ("customer__name", "customer__code", "user__username")
    autocomplete_fields = ("customer", "user")


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    """Saved customer-list views."""

    list_display = ("name", "user", "shared", "team", "created_at")
    list_filter = ("shared",)
    search_fields = ("name", "user__username")
    list_select_related = ("user", "team")
