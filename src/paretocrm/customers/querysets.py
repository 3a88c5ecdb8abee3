"""Querysets of the customers app, including the customer scope every app inherits."""

from __future__ import annotations

from typing import Any, Self

from django.db.models import Q

from paretocrm.core.models import AppendOnlyQuerySet
from paretocrm.core.querysets import ScopedQuerySet
from paretocrm.users.choices import PORTAL_ROLES


class CustomerScopedQuerySet(ScopedQuerySet):
    """Scope inherited from the customer: the basic rule (QUALITY.md, record scope).

    A user without full scope sees a customer (and everything that belongs to it) when the
    customer's owner is the user or a member of the user's team or its sub-teams, or when
    the user is in the customer's account team. The per-role matrix (own / team / all,
    service agents by their cases, ...) replaces this rule in a later issue; callers only
    ever use ``visible_to(user)``, so they will not change.
    """

    def scope_filter(self, user: Any) -> Q:
        """Owner within the user's team tree, or user in the account team."""
        # Imported here: the model module imports this one.
        from paretocrm.customers.models import AccountTeamMember

        if getattr(user, "role", "") in PORTAL_ROLES:
            return self.portal_filter(user)

        owner_ids = user.scope_user_ids() if hasattr(user, "scope_user_ids") else {user.pk}
        account_customer_ids = AccountTeamMember.objects.filter(user_id=user.pk).values(
            "customer_id"
        )
        return Q(**{f"{self.customer_lookup('owner_id')}__in": sorted(owner_ids)}) | Q(
            **{f"{self.customer_lookup('id')}__in": account_customer_ids}
        )

    def portal_filter(self, user: Any) -> Q:
        """A portal user sees exactly one customer: the one of their contact (issue 8).

        The link is ``portal.PortalAccount`` (user <-> contact), reached by its reverse name
        so this app does not import the portal app; a deactivated account sees nothing.
        """
        from paretocrm.customers.models import Contact

        customer_ids = Contact.objects.filter(
            portal_account__user_id=user.pk, portal_account__is_active=True
        ).values("customer_id")
        return Q(**{f"{self.customer_lookup('id')}__in": customer_ids})


class CustomerQuerySet(CustomerScopedQuerySet):
    """Customers."""

    customer_path = ""

    def active(self) -> Self:
        """Customers that are not archived."""
        return self.filter(status="active")


class ContactQuerySet(CustomerScopedQuerySet):
    """Contacts (scope of their customer)."""


class InteractionQuerySet(CustomerScopedQuerySet):
    """Interactions (scope of their customer)."""


class AccountPlanQuerySet(CustomerScopedQuerySet):
    """Account plans (scope of their customer)."""


class OwnershipChangeQuerySet(AppendOnlyQuerySet, CustomerScopedQuerySet):
    """Ownership history: append-only, scope of the customer."""


class ContactConsentQuerySet(AppendOnlyQuerySet, CustomerScopedQuerySet):
    """Consent records: append-only, scope of the contact's customer."""

    customer_path = "contact__customer"

    def latest_per_channel(self) -> Self:
        """The most recent record per (contact, channel): the consent that is in force now."""
        from django.db.models import OuterRef, Subquery

        newest = (
            self.model.objects.filter(
                contact_id=OuterRef("contact_id"), channel=OuterRef("channel")
            )
            .order_by("-recorded_at", "-id")
            .values("id")[:1]
        )
        return self.filter(id=Subquery(newest))
