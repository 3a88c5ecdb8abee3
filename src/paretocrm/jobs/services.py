"""Queue jobs, run them with bounded retries, and enqueue periodic jobs when they fall due.

The queue is django-tasks with its database backend: a queued job is a row, so it survives a
restart of the web server or the worker, and needs no broker. ``paretocrm worker`` runs the
rows (see ``management/commands/worker.py``) and calls :func:`enqueue_due_jobs` on a timer.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from paretocrm.jobs import registry
from paretocrm.jobs.models import JobLease, ScheduledJob
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


def execute(name: str, kwargs: dict[str, Any], attempt: int, task_id: str = "") -> None:
    """Run one attempt of a job under a lease; on failure queue the next attempt, re-raise.

    Re-raising marks this attempt FAILED in the queue table with its traceback, which is where
    a failed job is reported (Django admin → task results, and the worker's log).
    """
    job = registry.get_job(name)
    try:
        with leased(name, kwargs, attempt=attempt, task_id=task_id):
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


# --- Leases: a running job proves it is alive, a dead one is noticed -----------------------

HOST = socket.gethostname()[:255]
_current_lease: contextvars.ContextVar[JobLease | None] = contextvars.ContextVar(
    "paretocrm_job_lease", default=None
)


def lease_duration() -> dt.timedelta:
    return dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def _process_start(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot), "" where /proc cannot tell.

    Stored with the pid so a new process that happens to get a dead worker's pid (a
    restarted container numbers its processes alike) is not taken for it.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return fields[19] if fields[0] != "Z" else "zombie"


def _process_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    now_started = _process_start(pid)
    if now_started == "zombie":
        return False  # killed, not yet reaped by its parent
    return not (started and now_started and now_started != started)


def lease_is_lost(lease: JobLease, now: dt.datetime | None = None) -> bool:
    """True when the process holding ``lease`` is gone.

    On this host the process table decides at once (a job holding SQLite's write lock cannot
    renew its lease, yet is alive). Elsewhere the lease decides: not renewed, so lost.
    """
    if lease.host == HOST:
        return not _process_alive(lease.pid, lease.pid_started)
    return lease.expires_at < (now or timezone.now())


class _Heartbeat(threading.Thread):
    """Renews a lease every quarter of its duration until stopped (its own connection)."""

    def __init__(self, lease_id: int) -> None:
        super().__init__(name=f"paretocrm-lease-{lease_id}", daemon=True)
        self.lease_id, self.stopped = lease_id, threading.Event()

    def run(self) -> None:
        interval = max(lease_duration().total_seconds() / 4, 0.05)
        try:
            while not self.stopped.wait(interval):
                try:
                    expires = timezone.now() + lease_duration()
                    JobLease.objects.filter(pk=self.lease_id).update(expires_at=expires)
                except DatabaseError as error:  # e.g. SQLite's write lock held by the job
                    logger.debug("lease %s not renewed: %s", self.lease_id, error)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=1)  # a renewal waiting for a lock ends on its own


@contextmanager
def leased(
    name: str, kwargs: dict[str, Any] | None = None, *, attempt: int = 1, task_id: str = ""
) -> Iterator[JobLease]:
    """Hold a lease on job ``name`` while the block runs; renewed by a heartbeat thread.

    The job's own failures (exceptions) are its to report. A stop that is not an exception
    (the worker told to stop mid-job: SystemExit, KeyboardInterrupt) is treated like a death.
    """
    now = timezone.now()
    lease = JobLease.objects.create(
        name=name,
        task_id=task_id,
        kwargs=kwargs or {},
        attempt=attempt,
        host=HOST,
        pid=os.getpid(),
        pid_started=_process_start(os.getpid()),
        started_at=now,
        expires_at=now + lease_duration(),
    )
    token = _current_lease.set(lease)
    heartbeat = _Heartbeat(lease.pk)
    heartbeat.start()
    try:
        yield lease
    except Exception:
        raise
    except BaseException:
        _give_up(lease=lease, reason=f"the process running job {name} was stopped")
        raise
    finally:
        heartbeat.stop()
        _current_lease.reset(token)
        JobLease.objects.filter(pk=lease.pk).delete()


def attach_record(record_id: int) -> None:
    """Name the record (score run, import batch) the current job works on, for on_lost."""
    lease = _current_lease.get()
    if lease is not None:
        lease.record_id = record_id
        JobLease.objects.filter(pk=lease.pk).update(record_id=record_id)


@contextmanager
def working_on(name: str, record_id: int) -> Iterator[None]:
    """Run a block on ``record_id`` under a lease: the current job's, or one of its own.

    For work started outside the worker (``paretocrm score``, the demo): killed, it is
    noticed like a job, though no queue row exists to retry.
    """
    if _current_lease.get() is not None:
        attach_record(record_id)
        yield
        return
    with leased(name):
        attach_record(record_id)
        yield


def live_records(*names: str) -> set[int]:
    """Records that jobs named ``names`` work on now under a live lease."""
    leases = JobLease.objects.filter(name__in=names, record_id__isnull=False)
    return {lease.record_id for lease in leases if not lease_is_lost(lease)}  # type: ignore[misc]


def _give_up(
    *,
    reason: str,
    lease: JobLease | None = None,
    row: Any = None,
) -> bool:
    """A job whose process died: fail its queue row and record, queue a retry if allowed.

    One transaction, claimed by deleting the lease (or updating the RUNNING row), so of two
    sweepers (a page and a worker) only one acts. Returns whether this call acted.
    """
    from django_tasks_db.models import DBTaskResult

    if lease is not None:
        name, kwargs, attempt = lease.name, dict(lease.kwargs), lease.attempt
        task_id, record_id = lease.task_id, lease.record_id
    else:
        params = row.args_kwargs["kwargs"]
        name, kwargs, attempt = (
            params["name"],
            dict(params["kwargs"]),
            int(params.get("attempt", 1)),
        )
        task_id, record_id = str(row.pk), None
    error = WorkerStoppedError(reason)
    with transaction.atomic():
        if lease is not None and not JobLease.objects.filter(pk=lease.pk).delete()[0]:
            return False
        failed = 0
        if task_id:
            failed = DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path=f"{__name__}.{WorkerStoppedError.__qualname__}",
                traceback=f"{WorkerStoppedError.__qualname__}: {reason}",
            )
            if lease is None and not failed:
                return False
        try:
            job = registry.get_job(name)
        except registry.UnknownJobError:
            logger.error("lost job %s is no longer registered; its record is left as it is", name)
            return True
        logger.warning("job %s lost: %s", name, error)
        if job.on_lost:
            import_string(job.on_lost)(kwargs=kwargs, record_id=record_id)
        if failed and attempt < job.max_attempts:
            enqueue(name, attempt=attempt + 1, **kwargs)
        elif failed:
            logger.error("job %s lost at its last attempt; not retried", name)
    return True


def sweep_lost_jobs(now: dt.datetime | None = None) -> int:
    """Fail every job whose process is gone; returns how many. Cheap when none is.

    Called by the worker every few seconds and by the pages that show a job's record (the
    import batch page, the scoring page), so a dead job is noticed even with no worker left.
    A queue row claimed but never leased (killed in between) counts once a lease would have
    lapsed.
    """
    from django_tasks_db.models import DBTaskResult

    from paretocrm.jobs.tasks import run_job

    now = now or timezone.now()
    swept = 0
    for lease in list(JobLease.objects.all()):
        if lease_is_lost(lease, now):
            swept += _give_up(lease=lease, reason=_lost_reason(lease))
    leased_rows = JobLease.objects.exclude(task_id="").values_list("task_id", flat=True)
    unleased = (
        DBTaskResult.objects.running()
        .filter(task_path=run_job.module_path, started_at__lt=now - lease_duration())
        .exclude(pk__in=list(leased_rows))
    )
    for row in unleased:
        swept += _give_up(row=row, reason="the worker stopped after claiming this job")
    return swept


def _lost_reason(lease: JobLease) -> str:
    return f"the process running this job ({lease.host}, pid {lease.pid}) stopped"


def recover_interrupted(worker_id: str) -> int:
    """Jobs ``worker_id`` claimed and never finished: mark them failed, queue their retry.

    Called when a worker starts. A row still RUNNING under this worker's own id can only be
    left over from its previous process (killed with ``kill -9``, out of memory, power cut),
    because ids are unique across running workers. Returns how many were recovered.
    """
    from django_tasks_db.models import DBTaskResult

    from paretocrm.jobs.tasks import run_job

    recovered = 0
    reason = f"worker {worker_id} stopped during this job"
    for row in DBTaskResult.objects.running().filter(task_path=run_job.module_path):
        if not row.worker_ids or row.worker_ids[-1] != worker_id:
            continue
        lease = JobLease.objects.filter(task_id=str(row.pk)).first()
        recovered += (
            _give_up(lease=lease, reason=reason) if lease else _give_up(row=row, reason=reason)
        )
    return recovered
