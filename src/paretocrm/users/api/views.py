"""API views of the staff directory (company-wide, read-only)."""

from __future__ import annotations

from django.db.models import QuerySet

from paretocrm.core.api.views import ScopedReadOnlyViewSet
from paretocrm.users import filtersets
from paretocrm.users.api.serializers import TeamSerializer, UserSerializer
from paretocrm.users.models import Team, User


class UserViewSet(ScopedReadOnlyViewSet):
    """The staff directory: who is who, their role and team."""

    model = User
    company_wide = True
    serializer_class = UserSerializer
    filterset_class = filtersets.UserFilterSet
    search_fields = ("username", "first_name", "last_name", "title")
    ordering_fields = ("username", "last_name", "role")

    def decorate_queryset(self, queryset: QuerySet[User]) -> QuerySet[User]:
        """Staff only: customers' portal logins are not part of the directory."""
        return queryset.staff()


class TeamViewSet(ScopedReadOnlyViewSet):
    """The team tree."""

    model = Team
    company_wide = True
    serializer_class = TeamSerializer
    filterset_class = filtersets.TeamFilterSet
    search_fields = ("name",)
    ordering_fields = ("name",)
