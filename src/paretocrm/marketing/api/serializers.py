"""Serializers of the marketing app."""

from __future__ import annotations

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.marketing.models import Campaign


class CampaignSerializer(ScopedModelSerializer):
    """A campaign or promotion with budget and actual cost; the owner is its creator."""

    class Meta:
        model = Campaign
        fields = (
            "id",
            "display",
            "name",
            "campaign_type",
            "description",
            "target_segment",
            "target_tier",
            "budget",
            "cost",
            "currency",
            "start_date",
            "end_date",
            "status",
            "owner",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "name", "status", "start_date", "version")
