"""Admin of campaigns, members and attributed orders."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from paretocrm.marketing.models import (
    Campaign,
    CampaignAttribution,
    CampaignMember,
    ConceptSurvey,
    ConceptSurveyInvitation,
)


class CampaignMemberInline(admin.TabularInline):
    """Members of a campaign."""

    model = CampaignMember
    extra = 0
    autocomplete_fields = ("customer", "contact")


class CampaignAttributionInline(admin.TabularInline):
    """Orders attributed to a campaign."""

    model = CampaignAttribution
    extra = 0
    autocomplete_fields = ("order",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns and promotions."""

    list_display = ("name", "campaign_type", "status", "start_date", "end_date", "budget", "cost")
    list_filter = ("campaign_type", "status", "target_tier")
    search_fields = ("name", "target_segment")
    autocomplete_fields = ("owner",)
    inlines = (CampaignMemberInline, CampaignAttributionInline)


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    """Campaign members and their responses."""

    list_display = ("campaign", "customer", "contact", "responded", "response_type")
    list_filter = ("responded", "response_type")
    search_fields = ("campaign__name", "customer__name", "customer__code")
    autocomplete_fields = ("campaign", "customer", "contact")


@admin.register(CampaignAttribution)
class CampaignAttributionAdmin(admin.ModelAdmin):
    """Orders credited to campaigns."""

    list_display = ("campaign", "order", "share")
    search_fields = ("campaign__name", "order__number")
    autocomplete_fields = ("campaign", "order")


class ConceptInvitationInline(admin.TabularInline):
    """Who was asked about a concept, and their answers (sent by the survey service)."""

    model = ConceptSurveyInvitation
    extra = 0
    can_delete = False
    fields = ("customer", "contact", "email", "sent_at", "interest", "would_buy", "answered_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        """Invitations carry a random token: only the survey service creates them."""
        return False


@admin.register(ConceptSurvey)
class ConceptSurveyAdmin(admin.ModelAdmin):
    """Product-concept surveys put to the key accounts before a launch."""

    list_display = ("title", "launch_date", "campaign", "created_at")
    search_fields = ("title", "concept")
    autocomplete_fields = ("campaign",)
    inlines = (ConceptInvitationInline,)


@admin.register(ConceptSurveyInvitation)
class ConceptSurveyInvitationAdmin(admin.ModelAdmin):
    """Answers to product-concept surveys."""

    list_display = ("survey", "customer", "sent_at", "interest", "would_buy", "answered_at")
    list_filter = ("would_buy",)
    search_fields = ("survey__title", "customer__name", "email")
    readonly_fields = ("token",)
    autocomplete_fields = ("survey", "customer", "contact")

    def has_add_permission(self, request: Any) -> bool:
        """Invitations carry a random token: only the survey service creates them."""
        return False
