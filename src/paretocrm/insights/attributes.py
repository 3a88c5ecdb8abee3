"""Per-customer attributes for the rating and churn warning, read with the ORM.

One aggregate query per source (cases, interactions, receivables, contracts), never a
query per customer.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Count, Q, Sum

from paretocrm.customers.models import Customer, Interaction
from paretocrm.sales.choices import ContractStatus
from paretocrm.sales.models import Contract, Invoice
from paretocrm.service.choices import OPEN_CASE_STATUSES, CaseType
from paretocrm.service.models import Case

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
    return frame.reset_index()


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
    result: dict[str, pd.Series] = {}
    for rows, columns in (
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
