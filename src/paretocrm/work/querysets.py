"""Querysets of the work app: scope of tasks and call lists."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.db.models import Q

from paretocrm.core.querysets import ScopedQuerySet
from paretocrm.customers.querysets import CustomerScopedQuerySet
from paretocrm.work.choices import ACTIVE_TASK_STATUSES, TaskStatus


class TaskQuerySet(CustomerScopedQuerySet):
    """Tasks: the customer's scope, plus every task assigned to the user."""

    def scope_filter(self, user: Any) -> Q:
        """A task is visible with its customer, and always to the person it is assigned to."""
        return super().scope_filter(user) | Q(owner_id=user.pk)

    def active(self) -> Self:
        """Open or snoozed tasks (not done)."""
        return self.filter(status__in=ACTIVE_TASK_STATUSES)

    def due_for_work(self, today: dt.date) -> Self:
        """The queue: open tasks, and snoozed tasks whose snooze has ended by ``today``."""
        return self.filter(
            Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.SNOOZED, snoozed_until__lte=today)
        )


class CallListQuerySet(ScopedQuerySet):
    """Call lists: visible to their creator and the person they are assigned to."""

    def scope_filter(self, user: Any) -> Q:
        """Created by or assigned to the user (full-scope users see every list)."""
        return Q(created_by_id=user.pk) | Q(assigned_to_id=user.pk)


class CallListEntryQuerySet(CustomerScopedQuerySet):
    """Entries: visible with their list (a list's entries are its audience)."""

    def scope_filter(self, user: Any) -> Q:
        """Entries of a list created by or assigned to the user."""
        return Q(call_list__created_by_id=user.pk) | Q(call_list__assigned_to_id=user.pk)
