"""Serializers of the work app: tasks."""

from __future__ import annotations

from typing import Any

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.work.choices import TaskKind
from paretocrm.work.models import Task


class TaskSerializer(ScopedModelSerializer):
    """A task; status changes (done, snooze) go through the task services, not this body."""

    class Meta:
        model = Task
        fields = (
            "id",
            "display",
            "customer",
            "owner",
            "kind",
            "reason",
            "due_on",
            "status",
            "snoozed_until",
            "outcome",
            "completed_at",
            "created_by_run",
            "last_run",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "kind",
            "status",
            "snoozed_until",
            "completed_at",
            "created_by_run",
            "last_run",
        )
        brief_fields = ("id", "display", "customer", "owner", "status", "due_on", "version")

    def create(self, validated_data: dict[str, Any]) -> Task:
        """Tasks created through the API are manual tasks (signals come from scoring runs)."""
        validated_data["kind"] = TaskKind.MANUAL
        return super().create(validated_data)
