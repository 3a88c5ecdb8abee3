"""Choices of the users app."""

from __future__ import annotations

from types import MappingProxyType

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


class ScopeLevel(models.TextChoices):
    """Which customers (and everything inherited from them) a role sees (QUALITY.md Roles).

    Every level also includes the customers the user owns and those whose account team the
    user is in; ``customers.querysets.CustomerScopedQuerySet.scope_filter`` applies them.
    """

    OWN = "own", _("own customers")
    TEAM = "team", _("customers of the own team")
    TEAM_TREE = "team_tree", _("customers of the own team and its sub-teams")
    CASES = "cases", _("customers with the user's service cases")
    ALL = "all", _("all customers")


#: The default record scope of each role, as data: a test iterates it against an oracle.
#: Marketing reads every customer (audiences span the company) with contacts masked; what a
#: role may *change* is decided separately (core.api.permissions, the role x function table).
ROLE_SCOPES: MappingProxyType[str, ScopeLevel] = MappingProxyType(
    {
        Role.ADMINISTRATOR: ScopeLevel.ALL,
        Role.GENERAL_MANAGER: ScopeLevel.ALL,
        Role.KEY_ACCOUNT_MANAGER: ScopeLevel.TEAM_TREE,
        Role.KEY_ACCOUNT_SPECIALIST: ScopeLevel.TEAM,
        Role.KEY_ACCOUNT_ASSISTANT: ScopeLevel.TEAM,
        Role.SALES_REP: ScopeLevel.OWN,
        Role.SERVICE_AGENT: ScopeLevel.CASES,
        Role.MARKETING: ScopeLevel.ALL,
    }
)

#: Roles that see every record.
FULL_SCOPE_ROLES: frozenset[str] = frozenset(
    role for role, level in ROLE_SCOPES.items() if level == ScopeLevel.ALL
)


def scope_level_of(role: str) -> ScopeLevel:
    """The scope level of ``role``; an unknown role sees only its own customers."""
    return ROLE_SCOPES.get(role, ScopeLevel.OWN)


#: Roles of people outside the company: they reach only the portal, never staff pages or API.
PORTAL_ROLES: frozenset[str] = frozenset({Role.PORTAL_CUSTOMER})

#: The company's own people: every role but the portal's.
STAFF_ROLES: tuple[str, ...] = tuple(role for role in Role if role not in PORTAL_ROLES)
