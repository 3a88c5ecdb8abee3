"""Querysets of the insights app: which run is current, and scoped score lists."""

from __future__ import annotations

from typing import Any

from django.db import models

from paretocrm.insights.choices import RunStatus


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
