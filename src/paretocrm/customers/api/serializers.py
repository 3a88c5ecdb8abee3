"""Serializers of the customers app: accounts, contacts (masked by role), interactions, plans."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.customers.masking import CONTACT_MASKS
from paretocrm.customers.models import (
    AccountPlan,
    AccountPlanAction,
    AccountPlanGoal,
    AccountTeamMember,
    Contact,
    Customer,
    Interaction,
)


class CustomerSerializer(ScopedModelSerializer):
    """A customer account; owner and credit limit are read-only (set by services)."""

    class Meta:
        model = Customer
        fields = (
            "id",
            "display",
            "code",
            "name",
            "industry",
            "region",
            "country",
            "scale",
            "scope",
            "cooperation_level",
            "credit_rating",
            "credit_score",
            "credit_limit",
            "channel",
            "industry_influence",
            "cooperation_intent",
            "price_sensitivity",
            "parent",
            "tags",
            "owner",
            "team",
            "status",
            "archived_at",
            "merged_into",
            "currency",
            "website",
            "address",
            "notes",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("team", "archived_at", "status")
        brief_fields = ("id", "display", "code", "name", "version")
        personal_text_fields = ("notes",)


#: Personal contact fields and how each is masked (on every channel, PRIV-5).
MASKED_CONTACT_FIELDS = CONTACT_MASKS


class ContactSerializer(ScopedModelSerializer):
    """A person at a customer; phone, mobile, e-mail and WeChat always masked (PRIV-5).

    The full values come only from the logged ``unmask`` action. A client that sends a
    masked value back unchanged (read, edit another field, PUT) keeps the stored value
    instead of overwriting it with stars.
    """

    class Meta:
        model = Contact
        fields = (
            "id",
            "display",
            "customer",
            "external_id",
            "name",
            "title",
            "department",
            "buying_role",
            "influence",
            "relationship_strength",
            "phone",
            "mobile",
            "email",
            "wechat",
            "is_active",
            "notes",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "customer", "name", "version")
        personal_text_fields = ("notes",)

    def to_representation(self, instance: Contact) -> dict[str, Any]:
        """The contact with its personal fields masked."""
        data = super().to_representation(instance)
        for name, mask in MASKED_CONTACT_FIELDS.items():
            if name in data:
                data[name] = mask(data[name])
        return data

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """Drop personal values that are just the masked form of the stored ones."""
        attrs = super().to_internal_value(data)
        if self.instance is not None:
            for name, mask in MASKED_CONTACT_FIELDS.items():
                stored = getattr(self.instance, name)
                if name in attrs and stored and attrs[name] == mask(stored):
                    del attrs[name]
        return attrs


class UnmaskedContactSerializer(serializers.Serializer):
    """The full personal values of one contact (answer of the logged unmask action)."""

    id = serializers.IntegerField()
    phone = serializers.CharField(allow_blank=True)
    mobile = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    wechat = serializers.CharField(allow_blank=True)


class CustomerMergeSerializer(serializers.Serializer):
    """Which customer to merge into this one; optionally the version of it the client read."""

    drop = serializers.IntegerField(
        min_value=1, help_text="id of the customer merged into this one"
    )
    drop_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="the version of the dropped customer the client read (refused when changed)",
    )


class CustomerMergeResultSerializer(serializers.Serializer):
    """The kept customer and the rows moved to it (and left with the archived one), per table."""

    customer = CustomerSerializer()
    merged = serializers.IntegerField(help_text="id of the archived, merged customer")
    moved = serializers.DictField(child=serializers.IntegerField())
    left = serializers.DictField(child=serializers.IntegerField())


class InteractionSerializer(ScopedModelSerializer):
    """A logged call, visit, e-mail or meeting; ``user`` is the author (read-only)."""

    class Meta:
        model = Interaction
        fields = (
            "id",
            "display",
            "customer",
            "contacts",
            "user",
            "kind",
            "occurred_at",
            "subject",
            "notes",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("user",)
        brief_fields = ("id", "display", "customer", "kind", "occurred_at")
        # The label repeats the subject.
        personal_text_fields = ("display", "subject", "notes")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The contacts must belong to the interaction's customer."""
        attrs = super().validate(attrs)
        customer = attrs.get("customer") or getattr(self.instance, "customer", None)
        for contact in attrs.get("contacts", []):
            if customer is not None and contact.customer_id != customer.pk:
                raise serializers.ValidationError(
                    {"contacts": f"Contact {contact.pk} does not belong to this customer."}
                )
        return attrs


class AccountPlanGoalSerializer(serializers.ModelSerializer):
    """A goal of an account plan (read through the plan)."""

    class Meta:
        model = AccountPlanGoal
        fields = ("id", "description", "metric", "target_value", "due_date", "status")


class AccountPlanActionSerializer(serializers.ModelSerializer):
    """An action of an account plan (read through the plan)."""

    class Meta:
        model = AccountPlanAction
        fields = ("id", "goal", "description", "owner", "due_date", "status", "completed_at")


class AccountTeamMemberSerializer(ScopedModelSerializer):
    """A colleague in a customer's account team with their role (customers.services)."""

    class Meta:
        model = AccountTeamMember
        fields = ("id", "display", "customer", "user", "role", "created_at", "updated_at")
        brief_fields = ("id", "display", "customer", "user", "role")


class AccountPlanSerializer(ScopedModelSerializer):
    """A key-account plan with its goals and actions (goals/actions read-only here)."""

    goals = AccountPlanGoalSerializer(many=True, read_only=True)
    actions = AccountPlanActionSerializer(many=True, read_only=True)

    class Meta:
        model = AccountPlan
        fields = (
            "id",
            "display",
            "customer",
            "title",
            "period_start",
            "period_end",
            "customer_strategy",
            "customer_goals",
            "our_objectives",
            "status",
            "review_date",
            "owner",
            "goals",
            "actions",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "customer", "title", "status", "version")
