"""Per-customer attributes for the rating, churn warning and account health, read with the ORM.

One aggregate query per source (cases, interactions, receivables, contracts, contacts,
surveys), never a query per customer; SLA breaches are checked over the open cases only.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from paretocrm.customers.models import Contact, Customer, Interaction
from paretocrm.sales.choices import ContractStatus
from paretocrm.sales.models import Contract, Invoice
from paretocrm.service.choices import OPEN_CASE_STATUSES, CaseType, SurveyKind
from paretocrm.service.models import Case, SurveyResponse

ATTRIBUTE_FIELDS = {
    "credit_score": "credit_rating",
    "industry_influence": "industry_influence",
    "cooperation_intent": "cooperation_intent",
    "price_sensitivity": "price_sensitivity",
    "scope": "scope",
    "cooperation_level": "cooperation_level",
    "name": "name",
    "industry": "industry",
    "region": "region",
    # The key-account manager (user id), so the revenue forecast is also totalled per manager.
    "owner_id": "owner",
}

BLANK_MEANS_UNKNOWN = ("scope", "cooperation_level")
#: Survey answers older than this (before ``as_of``) no longer speak for the customer.
SATISFACTION_WINDOW_DAYS = 365
#: Each survey kind's scale, to rescale answers to 0-1: (lowest, highest).
SURVEY_SCALES = {SurveyKind.CSAT: (1.0, 5.0), SurveyKind.NPS: (0.0, 10.0)}


def read_attributes(as_of: dt.date) -> pd.DataFrame:
    """Customer attributes in the analytics contract's columns, indexed by ``customer_id``."""
    rows = Customer.objects.order_by("pk").values("pk", *ATTRIBUTE_FIELDS)
    frame = pd.DataFrame.from_records(list(rows), columns=["pk", *ATTRIBUTE_FIELDS])
    frame = frame.rename(columns=ATTRIBUTE_FIELDS)
    # Blank choices mean "not known" (the model allows them); the engine wants a missing
    # value there, not an empty string that is not one of its categories.
    for column in BLANK_MEANS_UNKNOWN:
        frame[column] = frame[column].replace("", None)
    frame["owner"] = [None if pd.isna(pk) else str(int(pk)) for pk in frame["owner"]]
    frame["customer_id"] = frame.pop("pk").astype(str)
    frame = frame.set_index("customer_id")
    for column, series in _aggregates(as_of).items():
        frame[column] = series.reindex(frame.index).fillna(0)
    frame["sla_breaches"] = _sla_breaches(as_of).reindex(frame.index).fillna(0.0)
    # Never asked is unknown (the health score leaves it out), not unhappy.
    frame["satisfaction"] = _satisfaction(as_of).reindex(frame.index)
    return frame.reset_index()


def _sla_breaches(as_of: dt.date) -> pd.Series:
    """Open cases (opened by ``as_of``) whose first response or resolution is past due at
    the end of ``as_of`` (the rule of service.models.Case, on the few open cases)."""
    end = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
    cases = Case.objects.filter(status__in=OPEN_CASE_STATUSES, opened_at__lte=end).only(
        "customer_id",
        "opened_at",
        "sla_first_response_hours",
        "sla_resolution_hours",
        "first_response_at",
        "resolved_at",
    )
    counts: dict[str, float] = {}
    for case in cases.iterator():
        if case.first_response_breached(end) or case.resolution_breached(end):
            key = str(case.customer_id)
            counts[key] = counts.get(key, 0.0) + 1.0
    return pd.Series(counts, dtype=float)


def _satisfaction(as_of: dt.date) -> pd.Series:
    """Mean survey answer per customer over the last year, each answer rescaled to 0-1."""
    since = as_of - dt.timedelta(days=SATISFACTION_WINDOW_DAYS)
    rows = (
        SurveyResponse.objects.filter(answered_at__date__gt=since, answered_at__date__lte=as_of)
        .values("customer_id", "kind")
        .annotate(mean=Avg("score"), answers=Count("pk"))
    )
    total: dict[str, float] = {}
    answers: dict[str, float] = {}
    for row in rows:
        low, high = SURVEY_SCALES[row["kind"]]
        key = str(row["customer_id"])
        share = (float(row["mean"]) - low) / (high - low)
        total[key] = total.get(key, 0.0) + share * row["answers"]
        answers[key] = answers.get(key, 0.0) + row["answers"]
    return pd.Series({key: total[key] / answers[key] for key in total}, dtype=float)


def _aggregates(as_of: dt.date) -> dict[str, pd.Series]:
    cases = (
        Case.objects.filter(opened_at__date__lte=as_of)
        .values("customer_id")
        .annotate(
            cases=Count("pk"),
            open_complaints=Count(
                "pk", filter=Q(case_type=CaseType.COMPLAINT, status__in=OPEN_CASE_STATUSES)
            ),
        )
    )
    interactions = (
        Interaction.objects.filter(occurred_at__date__lte=as_of)
        .values("customer_id")
        .annotate(interactions=Count("pk"))
    )
    contracts = (
        Contract.objects.filter(status=ContractStatus.ACTIVE)
        .values("customer_id")
        .annotate(contract_volume=Sum("value"))
    )
    overdue = (
        Invoice.objects.receivable(as_of)
        .filter(due_on__lt=as_of)
        .values("customer_id")
        .annotate(overdue_receivables=Sum("outstanding"))
    )
    contacts = (
        Contact.objects.filter(is_active=True).values("customer_id").annotate(contacts=Count("pk"))
    )
    result: dict[str, pd.Series] = {}
    for rows, columns in (
        (contacts, ["contacts"]),
        (cases, ["cases", "open_complaints"]),
        (interactions, ["interactions"]),
        (contracts, ["contract_volume"]),
        (overdue, ["overdue_receivables"]),
    ):
        frame = pd.DataFrame.from_records(list(rows), columns=["customer_id", *columns])
        frame["customer_id"] = frame["customer_id"].astype(str)
        frame = frame.set_index("customer_id")
        for column in columns:
            result[column] = frame[column].astype(float)
    return result
