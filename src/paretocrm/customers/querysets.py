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

    * the customer's owner is the user (own), a member of the user's team (team) or of its
      team and sub-teams (team tree), as the role's
      :class:`~paretocrm.users.choices.ScopeLevel` says - the same set as
      ``user.scope_user_ids()``, but as subqueries of the one statement, so the scope costs
      no database round trip of its own;
    * the user is in the customer's account team (every level);
    * for the "cases" level (service agents), a service case of the customer is assigned
      to the user.

    Callers only ever use ``visible_to(user)``; this method is the one place the rule lives.
    """

    def scope_filter(self, user: Any) -> Q:
        """The ``Q`` over this model for the customers ``user`` may see."""
        if getattr(user, "role", "") in PORTAL_ROLES:
            return self.portal_filter(user)
        owner, customer = self.customer_lookup("owner_id"), self.customer_lookup("id")
        rule = Q(**{owner: user.pk})
        members, shared = _scope_arms(user)
        if members is not None:
            rule |= Q(**{f"{owner}__in": members})
        for customers in shared:
            rule |= Q(**{f"{customer}__in": customers})
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


def _scope_arms(user: Any) -> tuple[Any, list[Any]]:
    """The parts of a scoped user's rule, as subqueries.

    Returns the users whose customers ``user`` sees by team (None for "own" scope) and the
    customers shared with ``user`` whoever owns them (account teams; for the "cases" level,
    the customers of the user's service cases). With the user's own customers, that is the
    whole rule.
    """
    shared = [_account_team_customers(user)]
    if getattr(user, "scope_level", None) == "cases":
        shared.append(_case_customers(user))
    return _team_members(user), shared


def _team_members(user: Any) -> Any:
    """Subquery: the users whose customers ``user`` sees by team (None for "own" scope).

    Part of the one SQL statement of the page or API request: the scope costs no round
    trip of its own (B8). The team tree is walked by a recursive query (UNION, so a cycle
    in bad data ends the walk).
    """
    from django.db import connection
    from django.db.models.expressions import RawSQL

    from paretocrm.users.choices import ScopeLevel
    from paretocrm.users.models import Team, User

    team_id = getattr(user, "team_id", None)
    level = getattr(user, "scope_level", None)
    if team_id is None or level not in (ScopeLevel.TEAM, ScopeLevel.TEAM_TREE):
        return None
    if level == ScopeLevel.TEAM:
        return User.objects.filter(team_id=team_id).values("id")
    quote = connection.ops.quote_name
    teams, users = quote(Team._meta.db_table), quote(User._meta.db_table)
    # Table names come from the models, the team id is a parameter: no user text in the SQL.
    return RawSQL(  # noqa: S611
        f"WITH RECURSIVE tree(id) AS (SELECT id FROM {teams} WHERE id = %s "  # noqa: S608
        f"UNION SELECT t.id FROM {teams} t JOIN tree ON t.parent_id = tree.id) "
        f"SELECT u.id FROM {users} u WHERE u.team_id IN (SELECT id FROM tree)",
        [team_id],
    )


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
        members, shared = _scope_arms(user)
        rule = Q(pk=user.pk)
        if members is not None:
            rule |= Q(pk__in=members)
        for customers in shared:
            rule |= Q(pk__in=self.model.objects.filter(id__in=customers).values("owner_id"))
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
