"""Admin of campaigns, members and attributed orders."""

from __future__ import annotations

from django.contrib import admin

from paretocrm.marketing.models import Campaign, CampaignAttribution, CampaignMember


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
