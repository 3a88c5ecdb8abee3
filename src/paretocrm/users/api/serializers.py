"""Serializers of the staff directory (read-only; no e-mail, phone or password)."""

from __future__ import annotations

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.users.models import Team, User


class UserSerializer(ScopedModelSerializer):
    """A member of staff as the directory shows them."""

    class Meta:
        model = User
        fields = (
            "id",
            "display",
            "username",
            "first_name",
            "last_name",
            "title",
            "role",
            "team",
            "manager",
            "is_active",
        )
        read_only_fields = fields
        brief_fields = ("id", "display", "username", "role")


class TeamSerializer(ScopedModelSerializer):
    """A team in the organisation tree."""

    class Meta:
        model = Team
        fields = ("id", "display", "name", "parent", "description")
        read_only_fields = fields
        brief_fields = ("id", "display", "name")
