"""The one django-tasks task: run a registered job by name (see ``registry.py``)."""

from __future__ import annotations

from typing import Any

from django_tasks import TaskContext, task

from paretocrm.jobs import services


@task(takes_context=True)
def run_job(context: TaskContext, name: str, kwargs: dict[str, Any], attempt: int = 1) -> None:
    """Run ``name`` once under a lease on this queue row; retries are queued by ``execute``."""
    services.execute(name, kwargs, attempt, task_id=str(context.task_result.id))
