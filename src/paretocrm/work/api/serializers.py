"""Serializers of the work app: tasks and call lists."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.core.api.views import refusal
from paretocrm.core.masking import mask_phone
from paretocrm.work import calllists
from paretocrm.work.choices import CallOutcome, ReasonCode, TaskKind
from paretocrm.work.models import CallList, CallListEntry, Task


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


class CallListSerializer(ScopedModelSerializer):
    """A call list: a customer filter frozen into people to call (see work.calllists).

    Created through the call-list service: the customers are those matching
    ``filter_params`` that both the creator and ``assigned_to`` see.
    """

    filter_params = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        help_text="Customer filter parameters (as on the customer list, plus "
        "not_contacted_days), frozen when the list is created.",
    )

    class Meta:
        model = CallList
        fields = (
            "id",
            "display",
            "name",
            "filter_params",
            "created_by",
            "assigned_to",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "name", "assigned_to")

    def validate_assigned_to(self, value: Any) -> Any:
        """Active staff with the call-list function only (never a portal login)."""
        try:
            calllists.check_assignee(value)
        except calllists.CallListError as error:
            raise serializers.ValidationError(error.text) from None
        return value

    def create(self, validated_data: dict[str, Any]) -> CallList:
        """Freeze the list through the service (function, scope of creator and assignee)."""
        try:
            return calllists.create_call_list(
                name=validated_data.get("name", ""),
                params=validated_data.get("filter_params") or {},
                created_by=validated_data["created_by"],
                assigned_to=validated_data.get("assigned_to"),
            )
        except calllists.CallListError as error:
            raise refusal(error) from None


class CallListEntrySerializer(serializers.ModelSerializer):
    """One person to call; the phone number masked (a full one: the contact unmask action)."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contact_name = serializers.SerializerMethodField(help_text="The contact to call.")
    phone = serializers.SerializerMethodField(help_text="The contact's number, masked.")

    class Meta:
        model = CallListEntry
        fields = (
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "contact",
            "contact_name",
            "phone",
            "outcome",
            "called_at",
            "interaction",
        )
        read_only_fields = fields

    def get_contact_name(self, entry: CallListEntry) -> str:
        """The contact's name ("" without a contact)."""
        return entry.contact.name if entry.contact else ""

    def get_phone(self, entry: CallListEntry) -> str:
        """The contact's mobile (else phone), masked."""
        contact = entry.contact
        return mask_phone((contact.mobile or contact.phone) if contact else "")


class CallOutcomeSerializer(serializers.Serializer):
    """What came of one call on a list."""

    entry = serializers.IntegerField(min_value=1, help_text="Id of the call-list entry.")
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
