"""Querysets of the marketing app."""

from __future__ import annotations

from typing import Self

from django.db import models

from paretocrm.customers.querysets import CustomerScopedQuerySet


class CampaignQuerySet(models.QuerySet):
    """Campaigns (company-wide: visible to every role that may read campaigns)."""

    def current(self) -> Self:
        """Campaigns not archived (the list shows these unless asked for the archive)."""
        return self.filter(archived_at__isnull=True)

    def archived(self) -> Self:
        """Archived campaigns, kept for their results."""
        return self.filter(archived_at__isnull=False)


class CampaignMemberQuerySet(CustomerScopedQuerySet):
    """Campaign members (scope of their customer)."""


class CampaignAttributionQuerySet(CustomerScopedQuerySet):
    """Attributed orders (scope of the order's customer)."""

    customer_path = "order__customer"


class ConceptInvitationQuerySet(CustomerScopedQuerySet):
    """Product-concept survey invitations (scope of the customer)."""
