"""Querysets of the users app: the team tree, the team part of the record scope, the staff
directory.

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
