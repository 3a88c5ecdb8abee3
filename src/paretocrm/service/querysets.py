"""Querysets of the service app (scope of the customer)."""

from __future__ import annotations

from typing import Self

from paretocrm.customers.querysets import CustomerScopedQuerySet
from paretocrm.service.choices import OPEN_CASE_STATUSES


class CaseQuerySet(CustomerScopedQuerySet):
    """Service cases."""

    def open(self) -> Self:
        """Cases not yet resolved or closed."""
        return self.filter(status__in=OPEN_CASE_STATUSES)


class CareRecordQuerySet(CustomerScopedQuerySet):
    """Customer-care records."""


class SurveyResponseQuerySet(CustomerScopedQuerySet):
    """Survey responses."""
