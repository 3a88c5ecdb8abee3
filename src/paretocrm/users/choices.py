"""Choices of the users app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The eight roles of QUALITY.md (English source strings; zh-Hans/zh-Hant in locale/)."""

    ADMINISTRATOR = "administrator", _("administrator")
    GENERAL_MANAGER = "general_manager", _("general manager")
    KEY_ACCOUNT_MANAGER = "key_account_manager", _("key-account manager")
    KEY_ACCOUNT_SPECIALIST = "key_account_specialist", _("key-account specialist")
    KEY_ACCOUNT_ASSISTANT = "key_account_assistant", _("key-account assistant")
    SALES_REP = "sales_rep", _("sales rep")
    SERVICE_AGENT = "service_agent", _("service agent")
    MARKETING = "marketing", _("marketing")
    # Not staff: a customer's contact signed in to the self-service portal (portal app).
    PORTAL_CUSTOMER = "portal_customer", _("customer portal user")


#: Roles that see every record (the basic scope rule; the full matrix comes later).
FULL_SCOPE_ROLES: frozenset[str] = frozenset({Role.ADMINISTRATOR, Role.GENERAL_MANAGER})

#: Roles of people outside the company: they reach only the portal, never staff pages or API.
PORTAL_ROLES: frozenset[str] = frozenset({Role.PORTAL_CUSTOMER})
