"""Start a scoring run from a page without blocking the request.

The page creates the run record (so its progress shows at once, as "waiting for the worker")
and queues the job "scoring-requested"; ``paretocrm worker`` runs it and writes its progress
to the ``ScoreRun`` row, which the status fragment polls. One run at a time: a second click
while one is queued or running is refused. A failed run is retried by the worker (bounded,
see ``paretocrm.jobs.registry``), each attempt recorded as its own run.

A run whose process died (killed worker, ``kill -9`` of ``paretocrm score``) is failed as
soon as the page or a worker looks (its job lease is lost, ``run_lost``), so it never blocks
the next click; a running run that no live process holds is failed too (``fail_orphaned_runs``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from paretocrm.insights.choices import RunErrorCode, RunSource, RunStatus
from paretocrm.insights.models import ScoreRun
from paretocrm.jobs.services import enqueue, lease_duration, live_records, sweep_lost_jobs

logger = logging.getLogger(__name__)
WAITING_STEP = ScoreRun.WAITING_STEP
#: The jobs (and lease names) that run scoring; see paretocrm.jobs.registry.
SCORING_JOBS = ("scoring", "scoring-requested")
STOPPED = "the worker stopped during this run"


def run_lost(*, kwargs: dict[str, Any], record_id: int | None) -> None:
    """on_lost of the scoring jobs: the run its dead process was doing is failed."""
    ids = {i for i in (record_id, kwargs.get("run_id")) if i is not None}
    _fail_running(ScoreRun.objects.filter(pk__in=ids))


def fail_orphaned_runs() -> int:
    """Fail runs still "running" that no live process holds (left by a process killed
    before leases existed, or whose lease was lost without its record being named).

    A queued run waiting for the worker is not orphaned; nor is a run younger than a lease,
    whose process may be about to name it.
    """
    started_before = timezone.now() - lease_duration()
    runs = ScoreRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=started_before)
    runs = runs.exclude(step=WAITING_STEP, progress=0).exclude(pk__in=live_records(*SCORING_JOBS))
    return _fail_running(runs)


def _fail_running(runs: Any) -> int:
    return runs.filter(status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        error=STOPPED,
        error_code=RunErrorCode.WORKER_STOPPED,
        error_params={},
        finished_at=timezone.now(),
    )


def notice_dead_runs() -> None:
    """Fail dead jobs and orphaned runs before a page shows runs or starts one.

    Never fails the page: if the database is busy (SQLite's write lock held by a long
    import), the next look does it.
    """
    try:
        sweep_lost_jobs()
        fail_orphaned_runs()
    except DatabaseError:
        logger.warning("dead scoring runs not checked now", exc_info=True)


def scoring_in_progress() -> bool:
    """True when a run is queued or running in a live process (dead ones are failed first)."""
    notice_dead_runs()
    return ScoreRun.objects.filter(status=RunStatus.RUNNING).exists()


def start_scoring(user: Any) -> bool:
    """Queue a run for ``user``; False when one is already queued or running."""
    with transaction.atomic():
        if scoring_in_progress():
            return False
        run = ScoreRun.objects.create(
            as_of=timezone.localdate(),
            source=RunSource.WEB,
            triggered_by=user,
            step=WAITING_STEP,
        )
        # Queued in the same transaction: no job for a run record that was rolled back.
        enqueue("scoring-requested", run_id=run.pk)
    return True
