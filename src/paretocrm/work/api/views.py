"""API views of the work app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from paretocrm.core.api.views import ScopedModelViewSet, refusal
from paretocrm.core.policy import Function
from paretocrm.work import calllists
from paretocrm.work.api.serializers import (
    CallListEntrySerializer,
    CallListSerializer,
    CallOutcomeSerializer,
    TaskSerializer,
)
from paretocrm.work.models import CallList, Task


class TaskViewSet(ScopedModelViewSet):
    """Tasks in the user's scope (their customers' tasks and every task assigned to them)."""

    model = Task
    serializer_class = TaskSerializer
    write_function = Function.WORK_TASKS
    filterset_fields = ("owner", "customer", "kind", "status")
    list_select_related = ("customer", "owner")
    ordering_fields = ("due_on", "created_at")


class CallListViewSet(ScopedModelViewSet):
    """Call lists created by or assigned to the user, with the same scope as the pages:
    the entries are those whose customer the user sees now."""

    model = CallList
    serializer_class = CallListSerializer
    write_function = Function.MANAGE_CALL_LISTS
    stamp_user_fields = ("created_by",)
    filterset_fields = ("assigned_to", "created_by")
    list_select_related = ("created_by", "assigned_to")
    ordering_fields = ("created_at", "name")
    search_fields = ("name",)
    # Lists are frozen: made and worked, never edited or deleted through the API.
    http_method_names: ClassVar[list[str]] = ["get", "post", "head", "options"]

    @extend_schema(request=None, responses={200: CallListEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def entries(self, request: Request, pk: Any = None) -> Response:
        """The list's people to call whose customer the user sees (phones masked)."""
        call_list = self.get_object()
        rows = calllists.entries_for(call_list, request.user).select_related("customer", "contact")
        return Response(CallListEntrySerializer(rows.order_by("id"), many=True).data)

    @extend_schema(request=CallOutcomeSerializer, responses={200: CallListEntrySerializer})
    @action(detail=True, methods=["post"], url_path="record-outcome")
    def record_outcome(self, request: Request, pk: Any = None) -> Response:
        """Record what came of a call: the entry's outcome and a call on the customer."""
        call_list = self.get_object()
        body = CallOutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        entry = calllists.entries_for(call_list, request.user).filter(pk=data["entry"]).first()
        if entry is None:
            raise ValidationError({"entry": ["No entry with this id on the list in your scope."]})
        try:
            calllists.record_call_outcome(
                entry, outcome=data["outcome"], notes=data.get("notes", ""), by=request.user
            )
        except calllists.CallListError as error:
            raise refusal(error) from None
        entry.refresh_from_db()
        return Response(CallListEntrySerializer(entry).data)
