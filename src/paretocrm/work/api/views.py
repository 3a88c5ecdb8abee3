"""API views of the work app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from paretocrm.core.api.views import ScopedModelViewSet
from paretocrm.work.api.serializers import TaskSerializer
from paretocrm.work.models import Task


class TaskViewSet(ScopedModelViewSet):
    """Tasks in the user's scope (their customers' tasks and every task assigned to them)."""

    model = Task
    serializer_class = TaskSerializer
    filterset_fields = ("owner", "customer", "kind", "status")
    list_select_related = ("customer", "owner")
    ordering_fields = ("due_on", "created_at")
