"""Querysets of the marketing app."""

from __future__ import annotations

from django.db import models

from paretocrm.customers.querysets import CustomerScopedQuerySet


class CampaignQuerySet(models.QuerySet):
    """Campaigns (company-wide: visible to every role that may read campaigns)."""


class CampaignMemberQuerySet(CustomerScopedQuerySet):
    """Campaign members (scope of their customer)."""


class CampaignAttributionQuerySet(CustomerScopedQuerySet):
    """Attributed orders (scope of the order's customer)."""

    customer_path = "order__customer"


class ConceptInvitationQuerySet(CustomerScopedQuerySet):
    """Product-concept survey invitations (scope of the customer)."""
