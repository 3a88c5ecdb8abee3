"""Queue jobs, run them with bounded retries, and enqueue periodic jobs when they fall due.

The queue is django-tasks with its database backend: a queued job is a row, so it survives a
restart of the web server or the worker, and needs no broker. ``paretocrm worker`` runs the
rows (see ``management/commands/worker.py``) and calls :func:`enqueue_due_jobs` on a timer.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from paretocrm.jobs import registry
from paretocrm.jobs.models import ScheduledJob
from paretocrm.jobs.registry import Job

logger = logging.getLogger(__name__)


def enqueue(
    name: str, *, attempt: int = 1, run_after: dt.datetime | None = None, **kwargs: Any
) -> str:
    """Queue job ``name`` with ``kwargs`` (JSON values); returns the queue row's id.

    Called inside a transaction, the row is written only if that transaction commits, so a
    job never runs on data that was rolled back.
    """
    from paretocrm.jobs.tasks import run_job

    registry.get_job(name)  # refuse an unknown name now, not later in the worker
    task = run_job.using(run_after=run_after) if run_after else run_job
    result = task.enqueue(name=name, kwargs=kwargs, attempt=attempt)
    return str(result.id)


def execute(name: str, kwargs: dict[str, Any], attempt: int) -> None:
    """Run one attempt of a job; on failure queue the next attempt (bounded), then re-raise.

    Re-raising marks this attempt FAILED in the queue table with its traceback, which is where
    a failed job is reported (Django admin → task results, and the worker's log).
    """
    job = registry.get_job(name)
    try:
        import_string(job.function)(**kwargs)
    except Exception as error:
        if attempt < job.max_attempts:
            delay = job.retry_after * 2 ** (attempt - 1)
            logger.warning(
                "job %s attempt %d/%d failed (%s); retrying in %s",
                name,
                attempt,
                job.max_attempts,
                error,
                delay,
            )
            enqueue(name, attempt=attempt + 1, run_after=timezone.now() + delay, **kwargs)
        else:
            logger.error("job %s failed after %d attempts: %s", name, attempt, error)
        raise


def next_due(job: Job, after: dt.datetime) -> dt.datetime:
    """The first time strictly after ``after`` at which the periodic ``job`` is due."""
    if job.every is not None:
        return after + job.every
    assert job.daily_at is not None
    local = timezone.localtime(after)
    candidate = local.replace(
        hour=job.daily_at.hour, minute=job.daily_at.minute, second=0, microsecond=0
    )
    if candidate <= local:
        candidate = timezone.make_aware(
            dt.datetime.combine(local.date() + dt.timedelta(days=1), job.daily_at)
        )
    return candidate


def enqueue_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic job whose time has come; returns their names.

    A job missed while no worker ran is queued once when one starts (not once per missed
    day). Claiming an occurrence is a conditional UPDATE, so of several workers only one
    queues it.
    """
    now = now or timezone.now()
    queued = []
    for job in registry.registered_jobs():
        if not job.periodic:
            continue
        state, created = ScheduledJob.objects.get_or_create(
            name=job.name, defaults={"next_run_at": next_due(job, now)}
        )
        if created or state.next_run_at > now:
            continue
        with transaction.atomic():
            claimed = ScheduledJob.objects.filter(
                pk=state.pk, next_run_at=state.next_run_at
            ).update(next_run_at=next_due(job, now), last_enqueued_at=now)
            if claimed:
                enqueue(job.name)
                queued.append(job.name)
    return queued


class WorkerStoppedError(RuntimeError):
    """The worker process running a job ended (killed, crashed) before the job finished."""


def recover_interrupted(worker_id: str) -> int:
    """Jobs ``worker_id`` claimed and never finished: mark them failed, queue their retry.

    Called when a worker starts. A row still RUNNING under this worker's own id can only be
    left over from its previous process (killed with ``kill -9``, out of memory, power cut),
    because ids are unique across running workers. Returns how many were recovered.
    """
    from django_tasks_db.models import DBTaskResult

    from paretocrm.jobs.tasks import run_job

    recovered = 0
    for row in DBTaskResult.objects.running().filter(task_path=run_job.module_path):
        if not row.worker_ids or row.worker_ids[-1] != worker_id:
            continue
        row.set_failed(WorkerStoppedError(f"worker {worker_id} stopped during this job"))
        params = row.args_kwargs["kwargs"]
        name, attempt = params["name"], int(params.get("attempt", 1))
        if attempt < registry.get_job(name).max_attempts:
            enqueue(name, attempt=attempt + 1, **params["kwargs"])
        else:
            logger.error("job %s interrupted at its last attempt; not retried", name)
        recovered += 1
    return recovered
