"""Serializers of the marketing app."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.marketing.models import Campaign
from paretocrm.marketing.services import CampaignError, check_dates


class CampaignSerializer(ScopedModelSerializer):
    """A campaign or promotion with budget and actual cost; the owner is its creator.

    ``archived_at`` is set only by the archive action.
    """

    archived_at = serializers.DateTimeField(read_only=True, allow_null=True)

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
            "channel",
            "archived_at",
            "owner",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "name", "status", "start_date", "version")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Dates in order, reported on ``end_date`` (``services.check_dates``), then the
        model's other checks."""
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        try:
            check_dates(start, end)
        except CampaignError as error:
            raise serializers.ValidationError({"end_date": [error.text]}) from error
        return super().validate(attrs)
