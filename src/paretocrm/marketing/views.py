"""Pages of the marketing app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from paretocrm.core.views import ScopedListView
from paretocrm.marketing.models import Campaign


class CampaignListView(ScopedListView):
    """Campaigns (company-wide records), newest first."""

    model = Campaign
    template_name = "marketing/campaign_list.html"
    search_fields = ("name", "target_segment")
    select_related = ("owner",)
    page_title = _("Campaigns")
