"""Querysets of the users app: the team tree, the team part of the record scope, the staff
directory and the people work may be assigned to.

The team tree is walked in one place, :meth:`TeamQuerySet.subtree`: a recursive SQL
subquery. The customer scope embeds it in the page's one statement; the Python-facing
helpers (``descendant_ids``, ``User.scope_user_ids``) evaluate the same SQL, so there is one
definition of "sub-team".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from paretocrm.core.policy import ROLE_FUNCTIONS, Function
from paretocrm.users.choices import PORTAL_ROLES, ScopeLevel


class TeamQuerySet(models.QuerySet):
    """Teams, with the tree walk."""

    def subtree(self, root_ids: Iterable[int]) -> RawSQL:
        """Subquery: the ids of the teams ``root_ids`` and every team below them.

        A recursive query over the whole team table (filters on this queryset do not
        apply), usable as ``team_id__in=...``; UNION rather than UNION ALL, so a cycle in bad
        data (A > B > A) ends the walk instead of looping.
        """
        ids = sorted({int(pk) for pk in root_ids})
        meta, quote = self.model._meta, connection.ops.quote_name
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        parent = quote(meta.get_field("parent").column)
        # No roots: IN (NULL) matches nothing, and the statement stays valid SQL.
        seed = ", ".join(["%s"] * len(ids)) or "NULL"
        # Names come from the model, ids are parameters: no user text in the SQL.
        return RawSQL(  # noqa: S611
            f"WITH RECURSIVE team_subtree(id) AS ("  # noqa: S608
            f"SELECT {pk} FROM {table} WHERE {pk} IN ({seed}) "
            f"UNION SELECT t.{pk} FROM {table} t JOIN team_subtree s ON t.{parent} = s.id"
            f") SELECT id FROM team_subtree",
            ids,
        )

    def descendant_ids(self, root_ids: Iterable[int], *, include_roots: bool = True) -> set[int]:
        """Ids of the teams under ``root_ids`` (and the roots themselves by default).

        :meth:`subtree`, evaluated: one query whatever the depth.
        """
        roots = {int(pk) for pk in root_ids}
        found = set(
            self.model.objects.filter(pk__in=self.subtree(roots)).values_list("pk", flat=True)
        )
        return found if include_roots else found - roots


class UserQuerySet(models.QuerySet):
    """Users: the team part of the record scope, and the staff directory."""

    def team_scope_of(self, user: Any) -> Self:
        """The users whose customers ``user`` sees through their team, by scope level.

        Team tree: the members of the user's team and of all its sub-teams; team: the
        members of the user's team; other levels, or no team: nobody. A lazy queryset, so
        the customer scope keeps it a subquery of its one statement.
        """
        team_id = getattr(user, "team_id", None)
        level = getattr(user, "scope_level", None)
        if team_id is None:
            return self.none()
        if level == ScopeLevel.TEAM_TREE:
            team_model = self.model._meta.get_field("team").related_model
            return self.filter(team_id__in=team_model.objects.subtree([team_id]))
        if level == ScopeLevel.TEAM:
            return self.filter(team_id=team_id)
        return self.none()

    def owner_rule(self, user: Any, lookup: str = "pk") -> Q:
        """``Q`` over ``lookup`` (a field holding a user id): the user or a user of their team
        scope (:meth:`team_scope_of`) - whose customers ``user`` sees by owner.

        The customer scope applies it to the customer's owner; :meth:`in_scope_of` to users.
        """
        members = self.model.objects.team_scope_of(user).values("pk")
        return Q(**{lookup: user.pk}) | Q(**{f"{lookup}__in": members})

    def in_scope_of(self, user: Any) -> Self:
        """The user and the users of their team scope: the owners whose customers ``user``
        sees by owner, and so the users ``user`` may assign customers to (AUTHZ-4)."""
        return self.filter(self.owner_rule(user))

    def staff(self) -> Self:
        """Members of staff: every user but the customers' portal logins."""
        return self.exclude(role__in=sorted(PORTAL_ROLES))

    def active_staff(self) -> Self:
        """Active users, ordered for a directory (team, then name)."""
        return (
            self.staff()
            .filter(is_active=True)
            .select_related("team")
            .order_by("team__name", "last_name", "first_name", "username")
        )

    def assignable(self) -> Self:
        """The people work may be given to: active staff, never a customer's portal login
        (issue 14, finding 4). Every assignee picker starts here."""
        return self.active_staff()

    def with_function(self, function: Function | str) -> Self:
        """Users whose role grants ``function`` in the role policy (and superusers)."""
        roles = sorted(role for role, granted in ROLE_FUNCTIONS.items() if function in granted)
        return self.filter(Q(is_superuser=True) | Q(role__in=roles))

    def assignees_for(
        self, customer_ids: Iterable[int], *, via_case: bool = False
    ) -> dict[int, list[Any]]:
        """Per customer id, the active staff who may see that customer: the choices of an
        assignee picker for a record of it (task, case, plan).

        The record scope read backwards, for many customers in four queries whatever the
        number of people: full scope; the owner; the owner's team (team scope) or a team
        above the owner's (team tree); the account team; for the cases level, the
        customers of the user's cases. ``via_case``: the record is a service case, which
        its assignee sees by the cases rule, so every cases-level user may take it. The
        write side checks the forward rule (``visible_to``); a test holds the two equal.
        """
        ids = sorted({int(pk) for pk in customer_ids})
        people = list(self.assignable())
        owners = self._owner_teams(ids)
        parents = dict(self._team_model().objects.values_list("pk", "parent_id"))
        shared: dict[int, set[int]] = {pk: set() for pk in ids}
        for user_id, customer_id in self.model.objects.filter(
            account_memberships__customer_id__in=ids
        ).values_list("pk", "account_memberships__customer_id"):
            shared[customer_id].add(user_id)
        handles: dict[int, set[int]] = {pk: set() for pk in ids}
        for user_id, customer_id in self.model.objects.filter(
            assigned_cases__customer_id__in=ids
        ).values_list("pk", "assigned_cases__customer_id"):
            handles[customer_id].add(user_id)
        result = {}
        for pk in ids:
            owner_id, owner_team = owners.get(pk, (None, None))
            above = _teams_above(owner_team, parents)
            result[pk] = [
                person
                for person in people
                if _sees(person, owner_id, owner_team, above, shared[pk], handles[pk], via_case)
            ]
        return result

    def assignable_for(self, customer_id: int, *, via_case: bool = False) -> Self:
        """:meth:`assignees_for` one customer, as a queryset (a form field's choices)."""
        people = self.assignees_for([customer_id], via_case=via_case)[customer_id]
        return self.assignable().filter(pk__in=[person.pk for person in people])

    def may_be_assigned(self, user: Any, customer_id: int, *, via_case: bool = False) -> bool:
        """True when ``user`` is active staff who may see the customer ``customer_id``."""
        if user is None or not self.assignable().filter(pk=user.pk).exists():
            return False
        if via_case and user.scope_level == ScopeLevel.CASES:
            return True
        customer_model = self.model._meta.get_field("owned_customers").related_model
        return customer_model.objects.visible_to(user).filter(pk=customer_id).exists()

    def _team_model(self) -> Any:
        return self.model._meta.get_field("team").related_model

    def _owner_teams(self, customer_ids: list[int]) -> dict[int, tuple[int | None, int | None]]:
        """Per customer id, its owner's id and the owner's team id."""
        rows = self.model.objects.filter(owned_customers__id__in=customer_ids).values_list(
            "owned_customers__id", "pk", "team_id"
        )
        return {customer_id: (owner_id, team_id) for customer_id, owner_id, team_id in rows}


def _teams_above(team_id: int | None, parents: dict[int, int | None]) -> set[int]:
    """``team_id`` and every team above it (a cycle in bad data ends the walk)."""
    found: set[int] = set()
    while team_id is not None and team_id not in found:
        found.add(team_id)
        team_id = parents.get(team_id)
    return found


def _sees(
    person: Any,
    owner_id: int | None,
    owner_team: int | None,
    teams_above: set[int],
    shared: set[int],
    handles: set[int],
    via_case: bool,
) -> bool:
    """The customer scope rule (customers.querysets) read from the user's side."""
    level = person.scope_level
    if level == ScopeLevel.ALL or person.pk == owner_id or person.pk in shared:
        return True
    if level == ScopeLevel.TEAM and owner_team is not None and person.team_id == owner_team:
        return True
    if level == ScopeLevel.TEAM_TREE and person.team_id in teams_above:
        return True
    return level == ScopeLevel.CASES and (via_case or person.pk in handles)
