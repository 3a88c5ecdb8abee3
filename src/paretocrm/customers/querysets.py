"""Querysets of the customers app, including the customer scope every app inherits."""

from __future__ import annotations

from typing import Any, Self

from django.db.models import Q

from paretocrm.core.models import AppendOnlyQuerySet
from paretocrm.core.querysets import ScopedQuerySet
from paretocrm.users.choices import PORTAL_ROLES


class CustomerScopedQuerySet(ScopedQuerySet):
    """Scope inherited from the customer: the per-role record scope (QUALITY.md Roles).

    A user without full scope sees a customer (and everything that belongs to it) when:

    * the customer's owner is among ``user.scope_user_ids()`` - the user alone (own), the
      members of the user's team (team) or of its team and sub-teams (team tree), as the
      role's :class:`~paretocrm.users.choices.ScopeLevel` says;
    * the user is in the customer's account team (every level);
    * for the "cases" level (service agents), a service case of the customer is assigned
      to the user.

    Callers only ever use ``visible_to(user)``; this method is the one place the rule lives.
    """

    def scope_filter(self, user: Any) -> Q:
        """The ``Q`` over this model for the customers ``user`` may see."""
        if getattr(user, "role", "") in PORTAL_ROLES:
            return self.portal_filter(user)
        owners, accounts = _scope_ids(user)
        rule = Q(**{f"{self.customer_lookup('owner_id')}__in": sorted(owners)})
        if accounts:
            rule |= Q(**{f"{self.customer_lookup('id')}__in": sorted(accounts)})
        if getattr(user, "scope_level", None) == "cases":
            rule |= Q(**{f"{self.customer_lookup('id')}__in": _case_customers(user)})
        return rule

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


#: Kinds of id in the one query of :func:`_scope_ids`.
_OWNER, _ACCOUNT = 0, 1


def _scope_ids(user: Any) -> tuple[set[int], set[int]]:
    """The owners whose customers ``user`` sees, and the customers of their account teams.

    Both are read in one query and given to the filter as plain lists rather than
    subqueries: PostgreSQL combines ``owner_id = ANY(...) OR id = ANY(...)`` from two index
    scans, where an ``IN (subquery)`` under OR forces a scan of every customer (B7).
    """
    # Imported here: the model module imports this one.
    from django.db.models import IntegerField, Value

    from paretocrm.customers.models import AccountTeamMember
    from paretocrm.users.models import User

    kind = {"output_field": IntegerField()}
    rows = AccountTeamMember.objects.filter(user_id=user.pk).values_list(
        Value(_ACCOUNT, **kind), "customer_id"
    )
    team_ids = user.scope_team_ids() if hasattr(user, "scope_team_ids") else set()
    if team_ids:
        members = (
            User.objects.in_teams(team_ids).order_by().values_list(Value(_OWNER, **kind), "id")
        )
        rows = members.union(rows.order_by(), all=True)
    owners, accounts = {user.pk}, set()
    for which, pk in rows:
        (owners if which == _OWNER else accounts).add(pk)
    return owners, accounts


def _case_customers(user: Any) -> Any:
    """Subquery: the customers with a service case assigned to ``user``.

    Read through the reverse relation of ``service.Case`` (``cases``) so this app does not
    import the service app.
    """
    from paretocrm.customers.models import Customer

    return Customer.objects.filter(cases__assigned_to_id=user.pk).values("id")


class CustomerQuerySet(CustomerScopedQuerySet):
    """Customers."""

    customer_path = ""

    def active(self) -> Self:
        """Customers that are not archived."""
        return self.filter(status="active")


class ContactQuerySet(CustomerScopedQuerySet):
    """Contacts (scope of their customer)."""

    def reachable_by(self, channel: str) -> Self:
        """Contacts whose consent in force for ``channel`` is granted (QUALITY.md PRIV-2).

        The one rule for campaign audiences and marketing exports: no consent record, or a
        newest record that withdraws consent, leaves the contact out.
        """
        from django.db.models import Exists, OuterRef

        from paretocrm.customers.models import ContactConsent

        granted = ContactConsent.objects.latest_per_channel().filter(
            contact_id=OuterRef("pk"), channel=channel, granted=True
        )
        return self.filter(Exists(granted))


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
