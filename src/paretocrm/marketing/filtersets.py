"""Filters of the marketing app, shared by the API (and any list page)."""

from __future__ import annotations

from paretocrm.core.api.filters import BusinessDateFilter, IdFilterSet
from paretocrm.marketing.models import Campaign


class CampaignFilterSet(IdFilterSet):
    """Campaigns by type, status, target tier, owner and start date."""

    starts_after = BusinessDateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = BusinessDateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Campaign
        fields = ("campaign_type", "status", "target_tier", "owner", "currency")
