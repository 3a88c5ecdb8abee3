"""Querysets of the customers app, including the customer scope every app inherits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Self

from django.db.models import Q

from paretocrm.core.models import AppendOnlyQuerySet
from paretocrm.core.querysets import ScopedQuerySet
from paretocrm.users.choices import PORTAL_ROLES


class CustomerScopedQuerySet(ScopedQuerySet):
    """Scope inherited from the customer: the per-role record scope (QUALITY.md Roles).

    A user without full scope sees a customer (and everything that belongs to it) when:

    * the customer's owner is the user (own), a member of the user's team (team) or of its
      team and sub-teams (team tree), as the role's
      :class:`~paretocrm.users.choices.ScopeLevel` says - ``User.objects.owner_rule``, as
      subqueries of the one statement, so the scope costs no database round trip of its own;
    * the user is in the customer's account team (every level);
    * for the "cases" level (service agents), a service case of the customer is assigned
      to the user.

    Callers only ever use ``visible_to(user)``; :func:`_scope_rule` is the one place the
    rule is put together.
    """

    def scope_filter(self, user: Any) -> Q:
        """The ``Q`` over this model for the customers ``user`` may see."""
        if getattr(user, "role", "") in PORTAL_ROLES:
            return self.portal_filter(user)
        customer = self.customer_lookup("id")
        return _scope_rule(
            user,
            owner=self.customer_lookup("owner_id"),
            shared=lambda customers: Q(**{f"{customer}__in": customers}),
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


def _scope_rule(user: Any, *, owner: str, shared: Callable[[Any], Q]) -> Q:
    """The scope rule of a staff user without full scope, as a ``Q`` over any model.

    ``owner`` is the lookup of the user id the owner arm tests (the customer's owner, or a
    user's own id); ``shared(customers)`` turns a subquery of customer ids shared with the
    user into a ``Q`` over the same model. ``scope_filter`` (customers) and
    ``owners_visible_to`` (their owners) both call this, so the two cannot drift apart.
    """
    from paretocrm.users.models import User

    rule = User.objects.owner_rule(user, owner)
    for customers in _shared_customers(user):
        rule |= shared(customers)
    return rule


def _shared_customers(user: Any) -> Iterator[Any]:
    """Subqueries of the customers shared with ``user`` whoever owns them.

    Account teams (every level); for the "cases" level, the customers of the user's
    service cases.
    """
    yield _account_team_customers(user)
    if getattr(user, "scope_level", None) == "cases":
        yield _case_customers(user)


def _account_team_customers(user: Any) -> Any:
    """Subquery: the customers whose account team ``user`` is in."""
    # Imported here: the model module imports this one.
    from paretocrm.customers.models import AccountTeamMember

    return AccountTeamMember.objects.filter(user_id=user.pk).values("customer_id")


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

    def not_merged(self) -> Self:
        """Customers that live on: not merged into another record (lists, duplicates)."""
        return self.filter(merged_into__isnull=True)

    def owners_visible_to(self, user: Any) -> Any:
        """The users who own a customer ``user`` may see (e.g. an owner filter's choices).

        Built from the parts of the scope rule rather than from the visible customers
        themselves: reading every visible customer to collect a handful of owners cost a
        scan of the customer table on each customer-list page (B7).
        """
        from django.db.models import Exists, OuterRef

        from paretocrm.core.querysets import has_full_scope
        from paretocrm.users.models import User

        owns = Exists(self.model.objects.filter(owner_id=OuterRef("pk")))
        if has_full_scope(user):
            return User.objects.filter(owns)
        signed_in = user is not None and user.is_authenticated and user.is_active
        if not signed_in or user.role in PORTAL_ROLES:
            return User.objects.none()
        rule = _scope_rule(
            user,
            owner="pk",
            shared=lambda ids: Q(pk__in=self.model.objects.filter(id__in=ids).values("owner_id")),
        )
        return User.objects.filter(rule, owns)


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


class AccountTeamMemberQuerySet(CustomerScopedQuerySet):
    """Account-team members (scope of their customer)."""


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
