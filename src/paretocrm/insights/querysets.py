"""Querysets of the insights app: which run is current, and scoped score lists."""

from __future__ import annotations

from typing import Any

from django.db import connection, connections, models
from django.db.models import Q

from paretocrm.core.bounds import COLUMN_MAX_AMOUNT
from paretocrm.insights.choices import RunStatus

#: The money columns of a score; a value beyond what they hold cannot be read back.
SCORE_MONEY_FIELDS = ("clv", "revenue", "gross_profit", "net_profit", "value_at_risk")


class ScoreRunQuerySet(models.QuerySet):
    def succeeded(self) -> ScoreRunQuerySet:
        return self.filter(status=RunStatus.SUCCEEDED)

    def current(self) -> Any:
        """The latest successful run, or None: a run in progress never replaces it."""
        return self.succeeded().order_by("-finished_at", "-id").first()

    def previous(self, run: Any) -> Any:
        """The successful run before ``run`` (for tier migration), or None."""
        return (
            self.succeeded()
            .filter(finished_at__lt=run.finished_at)
            .order_by("-finished_at", "-id")
            .first()
        )


class CustomerScoreQuerySet(models.QuerySet):
    def current(self) -> CustomerScoreQuerySet:
        from paretocrm.insights.models import ScoreRun

        run = ScoreRun.objects.current()
        return self.filter(run=run) if run else self.none()

    def visible_to(self, user: Any) -> CustomerScoreQuerySet:
        """Scores inherit the scope of their customer."""
        from paretocrm.customers.models import Customer

        return self.filter(customer__in=Customer.objects.visible_to(user))


def _unreadable(prefix: str = "") -> Q:
    """Score rows with a money value beyond its column (see CustomerScoreManager)."""
    found = Q()
    for name in SCORE_MONEY_FIELDS:
        found |= Q(**{f"{prefix}{name}__gt": COLUMN_MAX_AMOUNT})
        found |= Q(**{f"{prefix}{name}__lt": -COLUMN_MAX_AMOUNT})
    return found


def readable_scores(prefix: str = "scores__") -> Q:
    """A condition keeping only score rows that can be read back, for a relation from the
    customer (``FilteredRelation("scores", condition=... & readable_scores())``): the
    join does not go through :class:`CustomerScoreManager`. Empty except on SQLite."""
    if connection.vendor != "sqlite":
        return Q()
    return ~_unreadable(prefix)


class CustomerScoreManager(models.Manager.from_queryset(CustomerScoreQuerySet)):  # type: ignore[misc]
    """Scores, leaving out rows that SQLite stored beyond their column.

    SQLite keeps any number in a NUMERIC(18, 2) column, and Django cannot read one back
    (decimal.InvalidOperation): a run stored before the bounds (core.bounds) with one absurd
    order broke every page reading it, the customer page's tier history even after the
    order was gone. Such a row is left out, so a page shows the customer unscored in that
    run instead of failing. PostgreSQL refuses these values on write: nothing to leave out.
    Deleting (pruning) goes through ``_base_manager``, which sees every row.
    """

    def get_queryset(self) -> CustomerScoreQuerySet:
        queryset = super().get_queryset()
        if connections[self.db].vendor == "sqlite":
            queryset = queryset.exclude(_unreadable())
        return queryset
