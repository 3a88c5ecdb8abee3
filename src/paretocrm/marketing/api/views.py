"""API views of the marketing app."""

from __future__ import annotations

from paretocrm.core.api.views import ScopedModelViewSet
from paretocrm.core.policy import Function
from paretocrm.marketing import filtersets
from paretocrm.marketing.api.serializers import CampaignSerializer
from paretocrm.marketing.models import Campaign


class CampaignViewSet(ScopedModelViewSet):
    """Campaigns are company-wide (no customer data in them); marketing maintains them.

    Members and attributed orders carry customer data and are not exposed here yet: they
    would need their own scoped endpoints (CampaignMember/CampaignAttribution have
    ``visible_to``).
    """

    model = Campaign
    company_wide = True
    write_function = Function.EDIT_CAMPAIGNS
    serializer_class = CampaignSerializer
    filterset_class = filtersets.CampaignFilterSet
    search_fields = ("name", "target_segment")
    ordering_fields = ("start_date", "end_date", "budget", "name")
    stamp_user_fields = ("owner",)
