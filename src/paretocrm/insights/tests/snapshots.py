"""Test helpers: a successful score run and scores written directly (no model fitting)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from paretocrm.customers.models import Customer
from paretocrm.insights.choices import RunStatus
from paretocrm.insights.models import CustomerScore, ScoreRun


def make_run(**overview: Any) -> ScoreRun:
    """A succeeded run whose overview holds a small Pareto curve and tier counts."""
    base = {
        "customers": 2,
        "pareto": {
            "headline": "50% of customers make 80% of the value",
            "customer_share_for_80": 0.5,
            "curve": {"customer_share": [0, 0.5, 1], "value_share": [0, 0.9, 1]},
            "revenue_top_shares": {"0.2": 0.9},
            "profit_top_shares": {"0.2": 0.85},
        },
        "hhi": {"revenue": 8200.0, "level": "highly concentrated", "equivalent_customers": 1.2},
        "dependency_alerts": [],
        "tier_counts": {"core": 1, "low_value": 1},
        "lifecycle_counts": {"stable": 1, "decline": 1},
        "revenue_by_tier": {"core": 900.0, "low_value": 100.0},
        "value_at_risk": 50.0,
    }
    base.update(overview)
    return ScoreRun.objects.create(
        as_of=dt.date(2026, 1, 31),
        status=RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        progress=100,
        customers_scored=2,
        overview=base,
    )


def make_score(run: ScoreRun, customer: Customer, **fields: Any) -> CustomerScore:
    """A score row with plausible values; override any field."""
    values: dict[str, Any] = {
        "tier": "core",
        "rating": 88.0,
        "rating_breakdown": {"revenue": 30.0, "profit_contribution": 40.0, "credit": 18.0},
        "current_value": 90.0,
        "potential_value": 70.0,
        "clv": Decimal("1000.00"),
        "p_alive": 0.9,
        "expected_purchases": 3.0,
        "lifecycle_stage": "stable",
        "lifecycle_reason": "customer for 24 months",
        "r_score": 5,
        "f_score": 4,
        "m_score": 5,
        "rfm_segment": "Champions",
        "abc_class": "A",
        "profitability_class": "profitable",
        "revenue": Decimal("900.00"),
        "gross_profit": Decimal("300.00"),
        "net_profit": Decimal("250.00"),
        "churn_risk": 0.1,
        "value_at_risk": Decimal("0.00"),
        "churn_reasons": [],
    }
    values.update(fields)
    return CustomerScore.objects.create(run=run, customer=customer, **values)
