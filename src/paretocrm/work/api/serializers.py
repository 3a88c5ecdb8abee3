"""Serializers of the work app: tasks."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.work.choices import ReasonCode, TaskKind
from paretocrm.work.models import Task


class TaskSerializer(ScopedModelSerializer):
    """A task; status changes (done, snooze) go through the task services, not this body."""

    # Declared: DRF drops ``allow_blank`` from read-only choice fields, and the schema must
    # allow the blank code of a person's own task.
    reason_code = serializers.ChoiceField(
        choices=ReasonCode.choices,
        allow_blank=True,
        read_only=True,
        help_text="Which sentence explains a raised task; blank for a person's own task.",
    )
    reason_text = serializers.CharField(
        read_only=True,
        help_text="The reason worded in the request's language (from reason_code and "
        "reason_params; the free-text reason when there is no code).",
    )

    class Meta:
        model = Task
        fields = (
            "id",
            "display",
            "customer",
            "owner",
            "kind",
            "reason",
            "reason_code",
            "reason_params",
            "reason_text",
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
            "reason_code",
            "reason_params",
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
