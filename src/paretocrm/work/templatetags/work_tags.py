"""Template tags of the work app: the open-task count badge in the navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from paretocrm.work.models import Task

register = template.Library()


@register.simple_tag
def open_task_count(user: Any) -> int:
    """Tasks in ``user``'s queue today (open, or snoozed until today or earlier)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Task.objects.filter(owner=user).due_for_work(timezone.localdate()).count()
