"""Run an import batch without blocking the request: as a queued job of the worker.

The page queues the job "import-batch" (``services.run_batch(batch_id)``) and polls the
batch's status and progress. The job holds a lease while it runs: if its process dies
(``kill -9``, out of memory), the batch is failed with a clear message when the batch page or
a worker next looks (``batch_lost``), and the batch page offers to commit again. Nothing of a
killed commit is written: the rows go in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from paretocrm.imports import validation as check
from paretocrm.imports.messages import english
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.jobs.services import enqueue, lease_duration, sweep_lost_jobs

logger = logging.getLogger(__name__)

STOPPED = "job_stopped"  # message code (imports.messages): the job's process ended
#: How long a queued batch may wait before the page says no worker seems to be running.
WORKER_PATIENCE = dt.timedelta(minutes=1)


def start_import(batch_id: int) -> None:
    """Queue ``batch_id`` for the worker."""
    enqueue("import-batch", batch_id=batch_id)


def batch_lost(*, kwargs: dict[str, Any], record_id: int | None) -> None:
    """on_lost of the job "import-batch": the batch is failed, nothing was written."""
    batch = ImportBatch.objects.filter(pk=kwargs.get("batch_id")).first()
    if batch is None or batch.status != ImportStatus.RUNNING:
        return
    issue = {
        "row": 0,
        "column": "",
        "code": STOPPED,
        "params": {},
        "message": english(STOPPED, {}),
        "severity": check.ERROR,
    }
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        errors=1,
        report={"source": batch.file_name, "errors": 1, "issues": [issue]},
    )
    _forget_progress(batch)


def _forget_progress(batch: ImportBatch) -> None:
    """A retry must not start from the dead run's writing progress (a file by the upload)."""
    from paretocrm.imports.services import PROGRESS_FILE, upload_root

    if batch.stored_file:
        (upload_root() / batch.stored_file).parent.joinpath(PROGRESS_FILE).unlink(missing_ok=True)


def fail_orphaned_batches() -> int:
    """Fail running batches that no queued or running job will ever finish (left by a web
    process killed when imports still ran in its threads, or a queue row deleted by hand).

    Younger than a lease: the job may just be being queued.
    """
    from django_tasks_db.models import DBTaskResult

    old = timezone.now() - lease_duration()
    failed = 0
    for batch in ImportBatch.objects.filter(status=ImportStatus.RUNNING, started_at__lt=old):
        pending = DBTaskResult.objects.filter(
            status__in=["READY", "RUNNING"],
            args_kwargs__kwargs__name="import-batch",
            args_kwargs__kwargs__kwargs__batch_id=batch.pk,
        )
        if not pending.exists():
            batch_lost(kwargs={"batch_id": batch.pk}, record_id=batch.pk)
            failed += 1
    return failed


def notice_dead_batches() -> None:
    """Fail the batches whose job died, before a page shows them (never fails the page)."""
    try:
        sweep_lost_jobs()
        fail_orphaned_batches()
    except DatabaseError:
        logger.warning("dead import jobs not checked now", exc_info=True)


def waiting_for_a_worker(batch: ImportBatch) -> bool:
    """True when a batch has waited longer than a running worker would let it."""
    return (
        batch.status == ImportStatus.RUNNING
        and batch.progress == 0
        and timezone.now() - batch.started_at > WORKER_PATIENCE
    )
