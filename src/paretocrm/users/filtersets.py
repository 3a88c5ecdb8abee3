"""Filters of the staff directory, shared by the API (and any list page)."""

from __future__ import annotations

from paretocrm.core.api.filters import IdFilterSet
from paretocrm.users.models import Team, User


class UserFilterSet(IdFilterSet):
    """Users by role, team, manager and whether they are active."""

    class Meta:
        model = User
        fields = ("role", "team", "manager", "is_active")


class TeamFilterSet(IdFilterSet):
    """Teams by parent."""

    class Meta:
        model = Team
        fields = ("parent",)
