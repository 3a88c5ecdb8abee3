"""Serializers of the service app: cases (SLA from policy), care records, surveys."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.core.api.views import refusal
from paretocrm.service.models import CareRecord, Case, SurveyResponse
from paretocrm.service.services import CaseError, check_assignee, open_case, transition_case


def check_belongs_to_customer(attrs: dict[str, Any], instance: Any, *names: str) -> None:
    """Refuse a contact/order/case that belongs to another customer than the record's."""
    customer = attrs.get("customer") or getattr(instance, "customer", None)
    for name in names:
        related = attrs.get(name)
        if related is not None and customer is not None and related.customer_id != customer.pk:
            raise serializers.ValidationError({name: f"The {name} belongs to another customer."})


class CaseSerializer(ScopedModelSerializer):
    """A service case; SLA targets are copied from the SLA policy when it is opened."""

    class Meta:
        model = Case
        fields = (
            "id",
            "display",
            "number",
            "customer",
            "contact",
            "case_type",
            "priority",
            "status",
            "subject",
            "description",
            "order",
            "assigned_to",
            "opened_at",
            "sla_first_response_hours",
            "sla_resolution_hours",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "escalated",
            "escalated_at",
            "escalated_to",
            "articles",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "sla_first_response_hours",
            "sla_resolution_hours",
            "articles",
        )
        brief_fields = ("id", "display", "number", "customer", "status", "priority", "version")
        personal_text_fields = ("display", "subject", "description")  # PRIV-5

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Contact and order must be the case's customer's; people staff who may see it."""
        attrs = super().validate(attrs)
        check_belongs_to_customer(attrs, self.instance, "contact", "order")
        candidate = self.build_candidate(attrs)
        for name in ("assigned_to", "escalated_to"):
            if attrs.get(name) is not None:
                try:
                    check_assignee(candidate, attrs[name], name)
                except CaseError as error:
                    raise serializers.ValidationError({name: [error.text]}) from None
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Case:
        """Open the case through the service (it applies the SLA policy)."""
        try:
            return open_case(**validated_data)
        except CaseError as error:
            raise refusal(error) from None

    def update(self, instance: Case, validated_data: dict[str, Any]) -> Case:
        """Other fields as given; a new ``status`` goes through the case workflow."""
        to = validated_data.pop("status", instance.status)
        instance = super().update(instance, validated_data)
        if to == instance.status:
            return instance
        try:
            return transition_case(instance, to, by=self.context["request"].user)
        except CaseError as error:
            raise serializers.ValidationError({"status": [str(error)]}) from None


class CareRecordSerializer(ScopedModelSerializer):
    """A visit, greeting, gift or follow-up; ``user`` is the author."""

    class Meta:
        model = CareRecord
        fields = (
            "id",
            "display",
            "customer",
            "contact",
            "kind",
            "occurred_at",
            "user",
            "notes",
            "cost",
            "currency",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("user",)
        brief_fields = ("id", "display", "customer", "kind", "occurred_at")
        personal_text_fields = ("notes",)  # PRIV-5

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The contact must be the record's customer's."""
        attrs = super().validate(attrs)
        check_belongs_to_customer(attrs, self.instance, "contact")
        return attrs


class SurveyResponseSerializer(ScopedModelSerializer):
    """A CSAT (1-5) or NPS (0-10) answer."""

    class Meta:
        model = SurveyResponse
        fields = (
            "id",
            "display",
            "customer",
            "contact",
            "case",
            "kind",
            "score",
            "answered_at",
            "comment",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "customer", "kind", "score")
        personal_text_fields = ("comment",)  # PRIV-5

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Contact and case must be the response's customer's."""
        attrs = super().validate(attrs)
        check_belongs_to_customer(attrs, self.instance, "contact", "case")
        return attrs


class CaseArticleSerializer(serializers.Serializer):
    """The knowledge article to link to (POST) or unlink from (DELETE) a case."""

    article = serializers.IntegerField(min_value=1)
