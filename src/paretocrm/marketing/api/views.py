"""API views of the marketing app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from paretocrm.core.api.views import ScopedModelViewSet, refusal, with_etag
from paretocrm.core.policy import Function
from paretocrm.marketing import filtersets, services
from paretocrm.marketing.api.serializers import CampaignSerializer
from paretocrm.marketing.models import Campaign


class CampaignViewSet(ScopedModelViewSet):
    """Campaigns are company-wide (no customer data in them); marketing maintains them.

    Writes go through ``marketing.services`` (``create_campaign``, ``update_campaign``,
    ``archive_campaign``), the services the pages call, so both refuse the same things.
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
    if_match_actions = ("archive",)

    def perform_create(self, serializer: CampaignSerializer) -> None:
        """Create with ``services.create_campaign``; the owner is the requesting user."""
        try:
            serializer.instance = services.create_campaign(
                owner=self.request.user, **serializer.validated_data
            )
        except (services.CampaignError, DjangoValidationError) as error:
            raise refusal(error) from error

    def perform_update(self, serializer: CampaignSerializer) -> None:
        """Change with ``services.update_campaign`` under If-Match (archived: refused)."""
        with transaction.atomic():
            self.check_version(serializer.instance)
            try:
                serializer.instance = services.update_campaign(
                    serializer.instance, version=None, **serializer.validated_data
                )
            except (services.CampaignError, DjangoValidationError) as error:
                raise refusal(error) from error

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: Any = None) -> Response:
        """Archive the campaign (kept with its members and results; no longer changes)."""
        campaign = self.get_object()
        with transaction.atomic():
            self.check_version(campaign)
            campaign = services.archive_campaign(campaign, version=None)
        return with_etag(Response(self.get_serializer(campaign).data), Campaign)
