"""Serializers of the insights app: score runs and the current scores (read-only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.core.querysets import has_full_scope
from paretocrm.insights.models import CustomerScore, ScoreRun


class ScoreRunSerializer(ScopedModelSerializer):
    """A scoring run; its company-wide overview only for users who see every customer.

    The overview holds aggregates over ALL customers (Pareto curve, HHI, revenue by tier):
    showing them to a user with a narrower scope would leak totals (QUALITY.md AUTHZ-3).
    """

    class Meta:
        model = ScoreRun
        fields = (
            "id",
            "display",
            "started_at",
            "finished_at",
            "as_of",
            "status",
            "source",
            "progress",
            "step",
            "customers_scored",
            "transactions_read",
            "models_info",
            "overview",
            "error",
        )
        read_only_fields = fields
        brief_fields = ("id", "display", "as_of", "status", "finished_at")

    def to_representation(self, instance: ScoreRun) -> dict[str, Any]:
        """The run; company-wide figures blanked for users without full scope."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not has_full_scope(getattr(request, "user", None)):
            for name in ("overview", "models_info", "customers_scored", "transactions_read"):
                if name in data:
                    data[name] = None
        return data


class CustomerScoreSerializer(ScopedModelSerializer):
    """One customer's scores in the current run: tier, rating, value, risk and why."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    lifecycle_explanation = serializers.CharField(
        read_only=True,
        help_text="The lifecycle explanation worded in the request's language (from "
        "lifecycle_facts; the stored English or Chinese text for scores without facts).",
    )

    health_explanation = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The account health reasons (health_reasons) worded in the request's "
        "language, the signal costing most points first.",
    )

    class Meta:
        model = CustomerScore
        fields = (
            "id",
            "display",
            "run",
            "customer",
            "customer_code",
            "customer_name",
            "tier",
            "rating",
            "rating_breakdown",
            "current_value",
            "potential_value",
            "clv",
            "p_alive",
            "expected_purchases",
            "lifecycle_stage",
            "lifecycle_reason",
            "lifecycle_facts",
            "lifecycle_explanation",
            "r_score",
            "f_score",
            "m_score",
            "rfm_segment",
            "segment",
            "abc_class",
            "profitability_class",
            "revenue",
            "gross_profit",
            "net_profit",
            "churn_risk",
            "value_at_risk",
            "churn_reasons",
            "p_alive_low",
            "p_alive_high",
            "expected_purchases_low",
            "expected_purchases_high",
            "clv_low",
            "clv_high",
            "tier_uncertain",
            "revenue_3m",
            "revenue_6m",
            "revenue_12m",
            "revenue_intervals",
            "health",
            "health_reasons",
            "health_explanation",
        )
        read_only_fields = fields
        brief_fields = ("id", "display", "customer", "customer_name", "tier", "rating")
