"""API views of the staff directory (company-wide, read-only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, renderers, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paretocrm.core.api.permissions import StaffPermission
from paretocrm.core.api.views import ScopedReadOnlyViewSet
from paretocrm.core.policy import is_staff_member
from paretocrm.users import filtersets, services
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


class IssuedTokenSerializer(serializers.Serializer[Any]):
    """The answer of the token endpoint: the new key, shown this once."""

    token = serializers.CharField(read_only=True)


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token (the only anonymous API route).

    Each call issues a fresh token and retires the user's previous one: only a digest is
    stored, so an existing key cannot be shown again. Customers' portal logins get no token
    (403): the API is for staff.
    """

    throttle_classes = ()
    permission_classes = ()
    parser_classes = (parsers.FormParser, parsers.MultiPartParser, parsers.JSONParser)
    renderer_classes = (renderers.JSONRenderer,)
    serializer_class = AuthTokenSerializer

    def get_serializer(self, *args: Any, **kwargs: Any) -> AuthTokenSerializer:
        """DRF's username/password serializer (it calls ``authenticate`` with the request)."""
        kwargs["context"] = {"request": self.request, "format": self.format_kwarg, "view": self}
        return AuthTokenSerializer(*args, **kwargs)

    @extend_schema(
        responses={
            200: IssuedTokenSerializer,
            403: OpenApiResponse(description="A customer's portal login: the API is for staff."),
        }
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Issue a new token for a username and password; the key appears only in this answer.

        The user's previous token stops working.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if not is_staff_member(user):
            # A token would only ever be refused (the API is for staff): issue none.
            raise PermissionDenied(StaffPermission.message)
        return Response({"token": services.issue_token(user)})
