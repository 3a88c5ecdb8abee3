"""The one django-tasks task: run a registered job by name (see ``registry.py``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from paretocrm.jobs import services


@task()
def run_job(name: str, kwargs: dict[str, Any], attempt: int = 1) -> None:
    """Run ``name`` once; its retries are queued by :func:`services.execute`."""
    services.execute(name, kwargs, attempt)
