"""Factories for named CHECK constraints used across apps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q


def range_check(
    field: str,
    low: int | Decimal,
    high: int | Decimal,
    *,
    name: str,
    message: Any,
    nullable: bool = True,
) -> models.CheckConstraint:
    """A named CHECK that ``field`` lies in ``[low, high]`` (NULL allowed when ``nullable``)."""
    condition = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)
