"""Querysets of the users app: team trees and the staff directory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Self

from django.db import models


class TeamQuerySet(models.QuerySet):
    """Teams, with tree helpers that cost one query whatever the depth."""

    def descendant_ids(self, root_ids: Iterable[int], *, include_roots: bool = True) -> set[int]:
        """Ids of the teams under ``root_ids`` (and the roots themselves by default).

        Reads the whole (small) parent table once and walks it in memory, instead of one
        query per level; a cycle in bad data cannot loop because visited ids are skipped.
        """
        children: dict[int | None, list[int]] = defaultdict(list)
        for team_id, parent_id in self.model.objects.values_list("id", "parent_id"):
            children[parent_id].append(team_id)
        roots = set(root_ids)
        found: set[int] = set(roots) if include_roots else set()
        stack = list(roots)
        seen: set[int] = set(roots)
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    found.add(child)
                    stack.append(child)
        return found


class UserQuerySet(models.QuerySet):
    """Users, with the staff directory."""

    def staff(self) -> Self:
        """Members of staff: every user but the customers' portal logins."""
        from paretocrm.users.choices import PORTAL_ROLES

        return self.exclude(role__in=sorted(PORTAL_ROLES))

    def active_staff(self) -> Self:
        """Active users, ordered for a directory (team, then name)."""
        return (
            self.staff()
            .filter(is_active=True)
            .select_related("team")
            .order_by("team__name", "last_name", "first_name", "username")
        )

    def in_teams(self, team_ids: Iterable[int]) -> Self:
        """Users belonging to any of ``team_ids``."""
        return self.filter(team_id__in=list(team_ids))
